"""One language switch for the CLI: ADVISOR_LANG and `advisor --lang` (issue 14)."""

from __future__ import annotations

import json

from tests.cli.bilingual import run
from tests.conftest import FIXTURES

BAD = str(FIXTURES / "tui" / "train_bad.jsonl")
OK = str(FIXTURES / "tui" / "train_ok.jsonl")


def test_advisor_lang_ja_prints_the_data_summary_in_japanese(capsys) -> None:
    code, out, _ = run(capsys, "--lang", "ja", "data", "validate", BAD, "--method", "sft")
    assert code == 1
    assert "不合格: 例 4 件、エラー 3 件" in out
    assert "エラー [invalid_json] JSON として読めません: " in out
    # The validator's issue texts follow the switch too (advisor/data/texts.yaml).
    assert "FAILED" not in out.splitlines()[-1]
    assert "invalid JSON" not in out


def test_the_environment_variable_sets_the_language(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    code, out, _ = run(capsys, "data", "split", OK, "-o", str(tmp_path / "split"))
    assert code == 0
    assert out.startswith("学習: 例 ") and "検証: 例 " in out


def test_without_a_switch_the_output_stays_english(capsys) -> None:
    code, out, _ = run(capsys, "data", "validate", BAD, "--method", "sft")
    assert code == 1 and "FAILED: 4 examples, 3 errors" in out


def test_json_output_does_not_change_with_the_language(capsys) -> None:
    args = ("data", "validate", BAD, "--method", "sft", "--format", "json")
    _, english, _ = run(capsys, *args)
    _, japanese, _ = run(capsys, "--lang", "ja", *args)
    assert json.loads(english) == json.loads(japanese)


def test_errors_and_hints_are_in_japanese(capsys, monkeypatch) -> None:
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    code, _, err = run(capsys, "report", "--out", "x")
    assert code == 2
    assert err.strip() == (
        "エラー: レポートにする内容がありません。"
        "--answers FILE、--evidence DIR または --results FILE を指定してください"
    )


def test_an_error_not_in_the_catalog_keeps_its_text_under_a_japanese_prefix(capsys) -> None:
    code, _, err = run(capsys, "--lang", "ja", "data", "validate", "missing.jsonl", "-m", "sft")
    assert code == 2 and err.startswith("エラー: ")


def test_the_command_option_wins_over_the_global_one(capsys) -> None:
    args = ("assess", "--set", "knowledge_volume=large")
    _, out, _ = run(capsys, "--lang", "ja", *args, "--lang", "en")
    assert out.startswith("Recommendation:")
    _, out, _ = run(capsys, "--lang", "ja", *args)
    assert out.startswith("推奨:")


def test_an_unknown_language_is_a_usage_error(capsys) -> None:
    code, _, err = run(capsys, "--lang", "fr", "data", "validate", BAD, "-m", "sft")
    assert code == 2 and "--lang" in err


def test_the_switch_does_not_leak_into_the_next_command(capsys) -> None:
    run(capsys, "--lang", "ja", "data", "validate", BAD, "--method", "sft")
    _, out, _ = run(capsys, "data", "validate", BAD, "--method", "sft")
    assert "FAILED" in out
