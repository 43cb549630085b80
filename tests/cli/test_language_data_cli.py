"""Validation issues and review findings follow `advisor --lang` (issue 14 item 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.bilingual import run
from tests.conftest import FIXTURES, REPO

PLANTED = FIXTURES / "data" / "planted"
SFT = str(PLANTED / "sft.jsonl")


def test_validate_prints_japanese_issue_lines_with_their_line_numbers(capsys) -> None:
    code, out, _ = run(capsys, "--lang", "ja", "data", "validate", SFT, "--method", "sft")
    english_code, english, _ = run(capsys, "data", "validate", SFT, "--method", "sft")
    assert code == english_code == 1
    lines = out.splitlines()
    not_object = "各行は JSON オブジェクトでなければなりません(配列になっています)"
    assert f"{SFT}:3: エラー [not_object] {not_object}" in lines
    assert f"{SFT}:11: エラー [invalid_role] メッセージ 4 に role がありません。" in out
    assert f"{SFT}:18: 警告 [duplicate_example] 1 行目と同じです" in lines
    assert "must be" not in out and "same as line" not in out
    # One line per issue in both languages, in the same order with the same codes.
    assert len(lines) == len(english.splitlines())
    assert [line.split("[")[1].split("]")[0] for line in lines[:-1]] == [
        line.split("[")[1].split("]")[0] for line in english.splitlines()[:-1]
    ]
    assert f"{SFT}:3: error [not_object] each line must be a JSON object, not an array" in english


@pytest.mark.parametrize(
    ("name", "method"), [("sft.jsonl", "sft"), ("dpo.jsonl", "dpo"), ("rft.jsonl", "rft")]
)
def test_validate_json_is_identical_in_both_languages(capsys, name, method) -> None:
    args = ("data", "validate", str(PLANTED / name), "--method", method, "--format", "json")
    english_code, english, _ = run(capsys, *args)
    japanese_code, japanese, _ = run(capsys, "--lang", "ja", *args)
    assert english_code == japanese_code == 1
    assert japanese == english
    assert json.loads(english)["errors"], "the planted file must have issues"


def test_review_listing_shows_findings_in_japanese(capsys, tmp_path) -> None:
    file = tmp_path / "review.jsonl"
    shutil.copy(PLANTED / "review.jsonl", file)
    code, out, _ = run(capsys, "--lang", "ja", "data", "review", str(file), "--list")
    assert code == 0
    assert "[typo_ja_dropped] messages[2].content: 要確認: '届けしま'(候補: '届けします')" in out
    assert "[html] messages[1].content: '<br>' を '\\n' に直します" in out
    assert "flagged" not in out and "would change" not in out
    args = ("data", "review", str(file), "--list", "--format", "json")
    _, english, _ = run(capsys, *args)
    _, japanese, _ = run(capsys, "--lang", "ja", *args)
    assert japanese == english and "would change" in english


def test_a_refused_training_file_names_its_first_issue_in_japanese(monkeypatch) -> None:
    """`tune create` on a bad file: the services' refusal (backends/finetuning.py)."""
    from advisor.cli.output import error_line
    from advisor.data.validate import validate_file
    from backends.finetuning import refusal

    report = validate_file(SFT, "sft")
    error = refusal("train.jsonl", report, method="sft", note="; nothing was uploaded")
    assert str(error) == (  # the English sentence as it always was
        "train.jsonl, line 2: invalid JSON: unexpected end of data (and 23 more): "
        "run `advisor data validate train.jsonl --method sft`; nothing was uploaded"
    )
    assert error.exit_code == 2 and error.line == 2
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    assert error_line(error) == (
        "エラー: train.jsonl の 2 行目: JSON として読めません: unexpected end of data(ほか 23 件)。"
        "`advisor data validate train.jsonl --method sft` で確認してください"
        "(何もアップロードしていません)"
    )
    few = refusal(
        "few.jsonl", validate_file(FIXTURES / "data" / "too_few.jsonl", "sft"), method="sft"
    )
    assert error_line(few).startswith("エラー: few.jsonl: 例が 3 件です。")


def test_scenarios_validate_shows_the_training_file_issues_in_japanese(
    capsys, tmp_path: Path
) -> None:
    folder = tmp_path / "brand-voice"
    shutil.copytree(REPO / "scenarios" / "brand-voice", folder)
    train = folder / "train_sft.jsonl"
    train.write_text(train.read_text("utf-8") + "[1, 2]\n", encoding="utf-8")
    line = len(train.read_text("utf-8").splitlines())
    code, out, _ = run(capsys, "--lang", "ja", "scenarios", "validate", str(folder))
    assert code == 1
    assert f"train_sft.jsonl:{line}" in out
    assert "各行は JSON オブジェクトでなければなりません(配列になっています)" in out
    assert "must be a JSON object" not in out
    args = ("scenarios", "validate", str(folder), "--format", "json")
    _, english, _ = run(capsys, *args)
    _, japanese, _ = run(capsys, "--lang", "ja", *args)
    assert japanese == english and "must be a JSON object, not an array" in english


@pytest.mark.parametrize("command", [("stats", "--method", "sft"), ("clean", "-o", "out.jsonl")])
def test_an_encoding_error_of_stats_and_clean_is_japanese(capsys, command, tmp_path) -> None:
    sjis = str(FIXTURES / "data" / "ja_sjis.jsonl")
    args = ["data", command[0], sjis, *command[1:]]
    if command[0] == "clean":
        args[-1] = str(tmp_path / "out.jsonl")
    code, _, err = run(capsys, "--lang", "ja", *args)
    english_code, _, english = run(capsys, *args)
    assert code == english_code == 2
    assert err.strip() == (
        f"エラー: {sjis} の 1 行目: ファイルは UTF-8 ではなく Shift_JIS (CP932) です。"
        "UTF-8 で保存する(例: iconv -f CP932 -t UTF-8)か --encoding cp932 を指定してください"
    )
    assert english.strip() == (
        f"error: {sjis}, line 1: the file is encoded in Shift_JIS (CP932), not UTF-8; save it "
        "as UTF-8 (e.g. iconv -f CP932 -t UTF-8) or pass --encoding cp932"
    )
