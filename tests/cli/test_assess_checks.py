"""``advisor assess --evidence`` and ``--results`` through the real entry point."""

from __future__ import annotations

import json

import pytest

from tests.cli.bilingual import run
from tests.conftest import FIXTURES, REPO

PLANTED = FIXTURES / "evidence/planted"
EXAMPLES = FIXTURES / "bench/examples"
BASE_KEYS = {
    "routes", "recommendation", "flips", "warnings", "lang", "catalog_version", "answers",
    "defaulted", "fine_tuning_criteria_held",
}  # fmt: skip


def test_evidence_json_adds_keys_and_uses_the_measured_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "assess", "--evidence", str(PLANTED), "-a", str(PLANTED / "answers.yaml"),
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert set(data) >= BASE_KEYS and "evidence" in data
    assert data["answers"]["example_count"] == 12
    assert data["answers"]["has_grader"] is False
    rows = {f["question"]: f for f in data["evidence"]["findings"]}
    assert rows["example_count"]["stated"] == 200 and rows["example_count"]["contradicts"]


def test_evidence_text_shows_stated_and_measured_side_by_side(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "assess", "-e", str(PLANTED), "-a", str(PLANTED / "answers.yaml"), "-l", "ja"
    )  # fmt: skip
    assert code == 0
    assert "ファイルとの照合" in out
    line = next(x for x in out.splitlines() if "理想的な例の数" in x and "200" in x)
    assert line.lstrip().startswith("!") and "12" in line


def test_evidence_from_a_scenario_uses_its_answers_as_stated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "assess", "--evidence", "invoice-total", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["evidence"]["example_count"] == 150
    assert not [f for f in data["evidence"]["findings"] if f["contradicts"]]


def test_results_confirm_and_refute(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "assess", "--results", str(EXAMPLES / "bench-product-manual/results.json"),
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["recommendation"]["primary"] == "rag"
    assert data["measured"]["status"] == "confirmed"
    code, out, _ = run(
        capsys, "assess", "--results", str(EXAMPLES / "bench-brand-voice/results.json"),
        "--set", "simple_rules_only=yes",
    )  # fmt: skip
    assert code == 0
    assert "refuted: sft won with 100% against system_prompt's 0%" in out


def test_results_file_errors_are_one_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    code, _, err = run(
        capsys, "assess", "--results", str(REPO / "README.md"), "-s", "budget=minimal"
    )
    assert code == 2 and "not a bench results file" in err and "Traceback" not in err
