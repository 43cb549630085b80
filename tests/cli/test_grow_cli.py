"""`advisor data grow`: the drafts file, the JSON summary, one-sentence errors (exit 2)."""

from __future__ import annotations

import json

import orjson
import pytest

from advisor.data.drafts import Draft
from tests.cli.bilingual import run
from tests.conftest import FIXTURES

GROW = FIXTURES / "grow"
DOCS = FIXTURES / "rag" / "docs"


def test_grow_from_20_examples_and_documents_drafts_100_for_review(capsys, tmp_path):
    out_file = tmp_path / "drafts.jsonl"
    code, out, err = run(
        capsys,
        "data", "grow", str(GROW / "train20.jsonl"),
        "--out", str(out_file),
        "--docs", str(DOCS),
        "--test", str(GROW / "test.jsonl"),
        "--distill", str(GROW / "prompts.txt"),
        "--backend", "fake",
        "--count", "100",
        "--format", "json",
    )  # fmt: skip
    assert code == 0 and err == ""
    summary = json.loads(out)
    assert set(summary) == {
        "out", "teacher", "requested", "drafted", "by_origin", "dropped_as_duplicates",
        "dropped_empty", "threshold", "cancelled", "exhausted",
    }  # fmt: skip
    assert summary["drafted"] == 100 and summary["teacher"] == "fake:fake-model"
    assert set(summary["by_origin"]) == {"paraphrase", "document", "distill"}
    assert sum(summary["by_origin"].values()) == 100
    assert summary["dropped_as_duplicates"][0] == {
        "origin": "distill",
        "source": "prompts line 5",
        "reason": "duplicate_of_test",
        "duplicate_of": "test line 2",
        "similarity": 1.0,
    }
    drafts = [
        Draft.model_validate(orjson.loads(line)) for line in out_file.read_bytes().splitlines()
    ]
    assert len(drafts) == 100
    assert {d.draft.origin for d in drafts} == {"paraphrase", "document", "distill"}
    assert any(d.draft.source.endswith("returns.md#0") for d in drafts)


def test_drafts_are_refused_for_training_until_reviewed_then_valid(capsys, tmp_path):
    out_file = tmp_path / "drafts.jsonl"
    args = (
        "data",
        "grow",
        str(GROW / "train20.jsonl"),
        "-o",
        str(out_file),
        "-b",
        "fake",
        "-n",
        "12",
    )
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert f"drafted 12 of 12 -> {out_file} (12 paraphrase)" in out
    assert "review the drafts before training on them" in out
    code, out, _ = run(capsys, "data", "validate", str(out_file), "--method", "sft", "-f", "json")
    report = json.loads(out)
    assert report["examples"] == 12 and not report["ok"]
    assert {e["code"] for e in report["errors"]} == {"unreviewed_draft"}  # drafts never train
    train = tmp_path / "train.jsonl"
    train.write_bytes((GROW / "train20.jsonl").read_bytes())
    review = ("data", "review", str(out_file), "--into", str(train), "--accept", "all", "--save")
    assert run(capsys, *review)[0] == 0
    code, out, _ = run(capsys, "data", "validate", str(train), "--method", "sft", "-f", "json")
    report = json.loads(out)
    assert report["ok"] and report["examples"] == 32
    assert {w["code"] for w in report["warnings"]} <= {"few_examples"}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["missing.jsonl"], "no such file"),
        ([str(GROW / "test.jsonl")], "has no chat examples"),
        ([str(GROW / "train20.jsonl"), "--count", "0"], "--count 0 is out of range"),
        (
            [str(GROW / "train20.jsonl"), "--docs", "no-such-kb"],
            "no such file, folder or knowledge base",
        ),
        ([str(GROW / "train20.jsonl"), "--test", "missing-test.jsonl"], "no such file"),
        ([str(GROW / "train20.jsonl"), "--backend", "nope"], "unknown backend"),
    ],
)
def test_bad_input_exits_2_with_one_sentence(capsys, tmp_path, args, words):
    code, out, err = run(
        capsys, "data", "grow", "-b", "fake", "--out", str(tmp_path / "d.jsonl"), *args
    )
    assert code == 2 and out == ""
    assert err.startswith("error: ") and words in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "d.jsonl").exists()


def test_output_that_is_the_training_file_is_refused(capsys, tmp_path):
    train = tmp_path / "train.jsonl"
    train.write_bytes((GROW / "train20.jsonl").read_bytes())
    code, _, err = run(capsys, "data", "grow", str(train), "--out", str(train), "-b", "fake")
    assert code == 2 and "would be overwritten" in err
    assert train.read_bytes() == (GROW / "train20.jsonl").read_bytes()


def test_an_unusable_teacher_is_bad_input_before_anything_is_drafted(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    out_file = tmp_path / "d.jsonl"
    args = ("data", "grow", str(GROW / "train20.jsonl"), "-o", str(out_file), "-b", "openai")
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and not out_file.exists()
    assert err.startswith("error: the openai backend cannot be the teacher now: ")
    assert "OPENAI_API_KEY" in err and len(err.strip().splitlines()) == 1
