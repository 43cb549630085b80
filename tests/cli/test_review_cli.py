"""`advisor data review`: scriptable decisions, JSON listing, one-sentence errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.bilingual import run
from tests.conftest import FIXTURES

REVIEW = FIXTURES / "review"


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    for name in ("drafts100.jsonl", "train20.jsonl"):
        shutil.copy(REVIEW / name, tmp_path / name)
    return str(tmp_path / "drafts100.jsonl"), str(tmp_path / "train20.jsonl")


def test_list_json_is_a_page_with_drafts_and_findings(capsys, files) -> None:
    drafts, _ = files
    code, out, err = run(
        capsys,
        "data",
        "review",
        drafts,
        "--list",
        "--page",
        "2",
        "--page-size",
        "10",
        "--format",
        "json",
    )
    assert code == 0 and err == ""
    page = json.loads(out)
    assert set(page) == {"file", "into", "method", "page", "pages", "page_size", "counts", "rows"}
    assert (page["page"], page["pages"], page["method"]) == (2, 10, "sft")
    assert [r["line"] for r in page["rows"]] == list(range(11, 21))
    row = page["rows"][0]
    assert set(row) == {"line", "status", "example", "raw", "draft", "findings"}
    assert row["draft"] == {
        "origin": "document",
        "teacher": "fake:teacher-1",
        "source": "docs/policies.md",
    }
    assert "draft" not in row["example"]


def test_accept_review_and_save_reach_120_valid_examples(capsys, files) -> None:
    drafts, train = files
    code, out, _ = run(capsys, "data", "review", drafts, "--accept", "1-50")
    assert code == 0 and "accepted 50 lines" in out
    code, out, _ = run(capsys, "data", "review", drafts, "--reject", "51", "--format", "json")
    assert json.loads(out)["counts"]["rejected"] == 1
    code, out, _ = run(capsys, "data", "review", drafts, "--undo", "--accept-all-clean")
    assert "undone: reject line 51" in out and "accepted 50 lines" in out
    code, out, _ = run(capsys, "data", "review", drafts, "--into", train, "--save")
    assert code == 0 and f"100 added to {train}" in out
    code, out, _ = run(capsys, "data", "validate", train, "-m", "sft")
    assert code == 0 and "OK: 120 examples, 0 errors" in out


def test_edit_replaces_a_line_after_validation(capsys, files) -> None:
    drafts, _ = files
    fixed = {
        "messages": [
            {"role": "user", "content": "Fixed question?"},
            {"role": "assistant", "content": "Fixed answer."},
        ]
    }
    code, out, _ = run(
        capsys,
        "data",
        "review",
        drafts,
        "--edit",
        "3",
        "--json",
        json.dumps(fixed),
        "--list",
        "--page-size",
        "3",
        "--format",
        "json",
    )
    assert code == 0
    result = json.loads(out)
    assert result["edited"] == [3]
    row = result["page"]["rows"][2]
    assert row["status"] == "edited" and row["example"] == fixed
    assert row["draft"]["origin"] == "distill"  # the draft keeps its origin


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--accept", "1-x"], "cannot read the line list '1-x'"),
        (["--reject", "500"], "line 500 is not in"),
        (["--edit", "2"], "--edit and --json go together"),
        (["--edit", "2", "--json", "{oops"], "the edit of line 2 is not valid JSON"),
        (["--undo"], "nothing to undo"),
        (["--method", "xyz"], "unknown method 'xyz'"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(capsys, files, args, message) -> None:
    drafts, _ = files
    code, out, err = run(capsys, "data", "review", drafts, *args)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_an_invalid_line_cannot_be_accepted(capsys, tmp_path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "q"}]}\n', encoding="utf-8")
    code, _, err = run(capsys, "data", "review", str(path), "--accept", "1", "--method", "sft")
    assert code == 2
    assert "line 1 cannot be accepted" in err and "--edit 1" in err


def test_validate_names_unreviewed_drafts(capsys, files) -> None:
    drafts, _ = files
    code, out, _ = run(capsys, "data", "validate", drafts, "-m", "sft")
    assert code == 1
    assert f"{drafts}:1: error [unreviewed_draft]" in out
    assert "advisor data review FILE --into TRAIN" in out
