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


# The evidence table's and the outcome's words in both languages, as the catalog gives them
# (core.report.*, core.outcome.status.*): pinned, so moving them changes no byte.
HEADERS = {
    ("en", "text"): [
        "Checked against the files:",
        "    Question             Stated                  Measured"
        "                 How it was measured",
        "  Language of the examples: en",
        "Checked against the benchmark:",
        "  not run: the recommended dpo was not run in this bench, so it is neither "
        "confirmed nor refuted: run it (advisor bench --routes advisor)",
    ],
    ("en", "md"): [
        "## Checked against the files",
        "| Question | Stated | Measured | How it was measured |",
        "- Language of the examples: en",
        "## Checked against the benchmark",
        "**not run**: the recommended dpo",
    ],
    ("ja", "text"): [
        "ファイルとの照合:",
        "    項目              回答                測定値              測定方法",
        "  例の言語: en",
        "ベンチマークとの照合:",
        "  未実行: 推奨のファインチューニング：DPOはこのベンチマークで実行されていません",
    ],
    ("ja", "md"): [
        "## ファイルとの照合",
        "| 項目 | 回答 | 測定値 | 測定方法 |",
        "- 例の言語: en",
        "## ベンチマークとの照合",
        "**未実行**: 推奨のファインチューニング：DPO",
    ],
}


@pytest.mark.parametrize(("lang", "fmt"), sorted(HEADERS))
def test_the_evidence_table_header_and_outcome_words_in_both_languages(
    capsys: pytest.CaptureFixture[str], lang: str, fmt: str
) -> None:
    code, out, _ = run(
        capsys, "assess", "-e", str(PLANTED), "-a", str(PLANTED / "answers.yaml"),
        "--results", str(EXAMPLES / "bench-product-manual/results.json"),
        "-l", lang, "--format", fmt,
    )  # fmt: skip
    assert code == 0
    lines = out.splitlines()
    for expected in HEADERS[lang, fmt]:
        assert any(line.startswith(expected) for line in lines), (expected, out)


@pytest.mark.parametrize(
    ("status", "en", "ja"),
    [
        ("confirmed", "confirmed", "裏付けあり"),
        ("refuted", "refuted", "反証"),
        ("inconclusive", "inconclusive", "判定不能"),
        ("not_run", "not run", "未実行"),
    ],
)
def test_every_outcome_status_has_its_words(status: str, en: str, ja: str) -> None:
    from advisor.app.assess import status_label
    from advisor.bench.outcome import Outcome

    outcome = Outcome.model_construct(status=status)
    assert (status_label(outcome, "en"), status_label(outcome, "ja")) == (en, ja)
