"""`--help` and Click's usage errors follow the language switch (issue 14 item 4)."""

from __future__ import annotations

import pytest
import typer.main
from rich.cells import cell_len

from advisor.cli.app import app
from tests.cli.bilingual import run

# `advisor data validate --help` and `advisor prices --help` at 80 columns, as printed
# before the help learnt Japanese: the English pages must not change by a byte.
DATA_VALIDATE_HELP = """\
Usage: advisor data validate [OPTIONS] {file}

  Check every line before any job starts; exit 1 when there are errors.

Arguments:
  file <path>  The training file (JSONL).  [required]

Options:
  -m, --method <sft|dpo|rft>  The fine-tuning method the file is for.
                              [required]
  --grader <path>             RFT grader file: every item.<key> it uses must
                              be in every line.
  --max-tokens <int range>    Flag examples with more tokens than this.
                              [x>=1]
  --model <str>               Model whose tokenizer counts for --max-tokens.
  --encoding <str>            Read a non-UTF-8 file in this encoding (cp932,
                              utf-16).
  -f, --format <text|json>    text for people, json for programs.  [default:
                              text]
  -h, --help                  Show this message and exit.
"""
PRICES_HELP = """\
Usage: advisor prices [OPTIONS] COMMAND [ARGS]...

  The dated price and lifecycle tables: show or refresh them.

Options:
  -h, --help  Show this message and exit.

Commands:
  show     Print the price table (training and inference) and the...
  refresh  Validate FILE and install it in the data directory, where it...
"""


@pytest.fixture(autouse=True)
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("ADVISOR_LANG", raising=False)
    monkeypatch.delenv("ADVISOR_LANGUAGE", raising=False)


def test_the_english_help_is_unchanged(capsys) -> None:
    assert run(capsys, "data", "validate", "--help") == (0, DATA_VALIDATE_HELP, "")
    assert run(capsys, "prices", "--help") == (0, PRICES_HELP, "")


def test_advisor_lang_ja_gives_a_japanese_help_page(capsys) -> None:
    code, out, _ = run(capsys, "--lang", "ja", "data", "validate", "--help")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "使い方: advisor data validate [OPTIONS] {file}"
    assert "ジョブを始める前に全行を検査します。エラーがあれば終了コード 1。" in out
    assert "引数:" in lines and "オプション:" in lines
    assert "  file <path>  学習ファイル（JSONL）。  [必須]" in lines
    assert "このヘルプを表示して終了します。" in out
    assert "[既定: text]" in out
    assert "Show this message" not in out and "Options:" not in out


def test_the_environment_variable_translates_the_root_help(capsys, monkeypatch) -> None:
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("使い方: advisor [OPTIONS] COMMAND [ARGS]...")
    assert "コマンド:" in out.splitlines()
    assert "  data       学習データ: 検証、計測と見積もり" in out


def test_the_language_setting_and_either_order_of_lang_and_help(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, "--help", "--lang", "ja")  # --help is eager, --lang still counts
    assert code == 0 and out.startswith("使い方:")
    monkeypatch.setenv("ADVISOR_LANGUAGE", "ja")  # the `language` setting
    _, out, _ = run(capsys, "prices", "--help")
    assert out.startswith("使い方: advisor prices")


def test_the_switch_does_not_leak_into_the_next_help(capsys) -> None:
    run(capsys, "--lang", "ja", "prices", "--help")
    assert run(capsys, "prices", "--help") == (0, PRICES_HELP, "")


def test_a_usage_error_is_in_japanese_with_exit_2(capsys) -> None:
    code, out, err = run(capsys, "--lang", "ja", "data", "validate", "x.jsonl")
    assert code == 2 and out == ""
    assert err.splitlines()[:2] == [
        "使い方: advisor data validate [OPTIONS] {file}",
        "詳しくは 'advisor data validate -h' を見てください。",
    ]
    assert "エラー: オプション '--method' / '-m' が指定されていません。" in err
    assert "Error" not in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["dat"], "エラー: コマンド 'dat' はありません。'data' のことですか？"),
        (["prices", "show", "--bogus"], "エラー: オプション --bogus はありません。"),
        (["serve", "--port", "0"], "エラー: '--port' / '-p' の値が正しくありません: 1 以上"),
        (["--lang", "fr", "prices"], "エラー: --lang の値が正しくありません: en か ja を指定"),
    ],
)
def test_click_errors_in_japanese(capsys, monkeypatch, args, expected) -> None:
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    code, _, err = run(capsys, *args)
    assert code == 2
    assert expected in err


def test_english_usage_errors_stay_clicks(capsys) -> None:
    code, _, err = run(capsys, "data", "validate", "x.jsonl")
    assert code == 2
    assert "Try 'advisor data validate -h' for help." in err
    assert "Error: Missing option '--method' / '-m'." in err


def test_every_japanese_help_page_fits_80_columns(capsys) -> None:
    paths: list[list[str]] = []

    def walk(command, path: list[str]) -> None:
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    assert len(paths) > 50
    for path in paths:
        code, out, _ = run(capsys, "--lang", "ja", *path, "--help")
        assert code == 0, path
        assert out.startswith("使い方:"), path
        wide = [line for line in out.splitlines() if cell_len(line) > 80]
        assert wide == [], (path, wide)
