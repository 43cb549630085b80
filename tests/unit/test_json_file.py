"""One loader for the product's own JSON files (advisor.errors.load_json_file).

Wizard sessions, arena sessions and bench results read their files the same way;
each problem is one DataFileError sentence naming the file, in the words each
kind of file always used (pinned below, caller by caller), from the catalog, so
they read in Japanese too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from advisor.app.arena_votes import ArenaSession
from advisor.bench.results_io import read_results
from advisor.errors import DataFileError, JsonFileKeys, load_json_file
from advisor.tui.session import Session


class Point(BaseModel):
    x: int
    y: int = 0


# Any kind of file's keys do: the arena session's sentences, about a point.
KEYS = JsonFileKeys(
    unreadable="core.arena.cannot_read_session",
    invalid="core.arena.not_a_session",
    hint="core.arena.session_hint",
)
HINT = ": pass a session file `advisor arena` wrote"


def _error(path: Path, keys: JsonFileKeys = KEYS) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        load_json_file(Point, path, keys)
    return caught.value


def test_a_valid_file_is_the_model(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"x": 3}', encoding="utf-8")
    assert load_json_file(Point, path, KEYS) == Point(x=3)


def test_bad_json_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{\n  "x": 1,\n  oops\n}\n', encoding="utf-8")
    error = _error(path)
    assert error.line == 3 and error.path == str(path)
    assert str(error) == (
        f"{path}, line 3: not valid JSON (Expecting property name enclosed in double quotes)" + HINT
    )
    # The line once, in the error's place; the problem keeps its column.
    assert error.localized("ja").startswith(
        f"{path} の 3 行目: JSON として正しくありません（3 列目：名前を二重引用符"
    ), error.localized("ja")
    assert error.localized("ja").count("行") == 1


def test_a_field_that_does_not_fit_is_named(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"x": "three"}', encoding="utf-8")
    error = _error(path)
    assert error.line is None
    assert str(error) == (
        f"{path}: not an arena session (x: Input should be a valid integer, unable to parse "
        "string as an integer)" + HINT
    )
    path.write_text("[1]", encoding="utf-8")
    assert "not an arena session (top level: " in str(_error(path))
    assert "アリーナのセッションではありません（最上位: " in _error(path).localized("ja")
    top = _error(path, KEYS._replace(top="core.tui.session_top"))
    assert "(session: " in str(top) and "（セッション: " in top.localized("ja")


def test_a_missing_file_is_unreadable_or_its_own_sentence(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    assert str(_error(path)) == (
        f"{path}: cannot read the arena session (No such file or directory)"
    )
    keys = KEYS._replace(
        not_found="core.json_file.results_not_found",
        unreadable_hint="core.tui.cannot_read_session_hint",
    )
    assert str(_error(path, keys)) == f"{path}: results file not found: check the path"
    assert _error(path, keys).localized("ja") == (
        f"{path}: 結果ファイルが見つかりません。パスを確認してください"
    )
    assert str(_error(tmp_path, keys)) == (
        f"{tmp_path}: cannot read the arena session (Is a directory): check the path"
    )


def test_bytes_that_are_not_utf8_are_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(b"\xff\xfe{")
    error = _error(path)
    assert str(error) == f"{path}: cannot read the arena session (not UTF-8 text)" + HINT
    assert "（UTF-8 のテキストではありません）" in error.localized("ja")


def test_without_bad_json_words_pydantic_words_the_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("{oops", encoding="utf-8")
    error = _error(path, KEYS._replace(bad_json=None))
    assert error.line is None
    assert str(error).startswith(f"{path}: not an arena session (top level: Invalid JSON: ")


ARENA_HINT = ": pass a session file `advisor arena` wrote"
WIZARD_HINT = ": open a file saved by the wizard (ctrl+s)"
# Content that does not fit says how to recover: fix the file or delete it.
WIZARD_CONTENT_HINT = (
    ": correct it in the file, or delete the file and save the session again from the wizard "
    "(ctrl+s)"
)
RESULTS_HINT = ": pass the results.json written by `advisor bench`"
LOADERS: dict[str, Callable[[Path], Any]] = {
    "arena": ArenaSession.load,
    "wizard": Session.load,
    "results": read_results,
}
# What each loader said after the file's path before the helper existed, case by case.
SAID = {
    ("arena", "missing"): ": cannot read the arena session (No such file or directory)",
    ("wizard", "missing"): ": cannot read the session (No such file or directory): check the path",
    # The s11 audit added the fix to the one sentence that had none.
    ("results", "missing"): ": results file not found: check the path; "
    "`advisor bench ... --out DIR` writes DIR/results.json",
    ("arena", "bad json"): ", line 3: not valid JSON (Expecting value)" + ARENA_HINT,
    ("wizard", "bad json"): ", line 3: not valid JSON (Expecting value)" + WIZARD_HINT,
    ("results", "bad json"): ": not a bench results file (top level: Invalid JSON: "
    "expected value at line 3 column 3)" + RESULTS_HINT,
    ("arena", "top"): ": not an arena session (top level: Input should be a valid dictionary "
    "or instance of ArenaSession)" + ARENA_HINT,
    ("wizard", "top"): ": session: Input should be a valid dictionary or instance of Session"
    + WIZARD_CONTENT_HINT,
    ("results", "top"): ": not a bench results file (top level: Input should be an object)"
    + RESULTS_HINT,
    ("wizard", "field"): ": language: Input should be 'en' or 'ja'" + WIZARD_CONTENT_HINT,
    ("arena", "directory"): ": cannot read the arena session (Is a directory)",
    ("results", "directory"): ": cannot read results file (Is a directory): check the path; "
    "`advisor bench ... --out DIR` writes DIR/results.json",
}
CONTENT = {"bad json": '{\n  "a":\n  oops\n}\n', "top": "[1]", "field": '{"language": "xx"}'}


@pytest.mark.parametrize(("loader", "case"), sorted(SAID))
def test_each_file_kind_keeps_its_words(tmp_path: Path, loader: str, case: str) -> None:
    path = tmp_path / "file.json"
    if case == "directory":
        path.mkdir()
    elif case in CONTENT:
        path.write_text(CONTENT[case], encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        LOADERS[loader](path)
    assert str(caught.value) == f"{path}{SAID[loader, case]}"


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_a_binary_file_is_one_sentence_not_a_traceback(tmp_path: Path, loader: str) -> None:
    path = tmp_path / "file.json"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DataFileError, match=r"\(not UTF-8 text\)"):
        LOADERS[loader](path)


def test_catalog_keyed_files_follow_the_language_with_their_line(tmp_path: Path) -> None:
    # The arena session's sentences come from the catalog: the same error reads in Japanese.
    path = tmp_path / "session.json"
    path.write_text(CONTENT["bad json"], encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        ArenaSession.load(path)
    assert str(caught.value) == f"{path}{SAID['arena', 'bad json']}"
    japanese = caught.value.localized("ja")
    assert "JSON として正しくありません" in japanese
    assert "3" in japanese and "`advisor arena` が書いたセッションファイル" in japanese


# Every kind of file now speaks Japanese too (its English above unchanged).
SAID_JA = {
    ("wizard", "missing"): ": セッションを読めません（No such file or directory）。"
    "パスを確認してください",
    # Content that does not fit is said in Japanese, not in pydantic's English.
    ("wizard", "top"): ": セッション: JSON のオブジェクト（名前と値の組）を指定してください。"
    "ファイルのその値を直すか、ファイルを削除してウィザードで保存し直してください（ctrl+s）",
    ("wizard", "field"): ": language: 'en'、'ja' のどれかを指定してください。"
    "ファイルのその値を直すか、ファイルを削除してウィザードで保存し直してください（ctrl+s）",
    ("results", "bad json"): ": ベンチマークの結果ファイルではありません（最上位: 3 行 3 列目："
    "JSON の書き方に誤りがあります）。`advisor bench` が書いた results.json を指定してください",
    ("results", "missing"): ": 結果ファイルが見つかりません。パスを確認してください。"
    "`advisor bench ... --out DIR` が DIR/results.json を書き出します",
    (
        "results",
        "top",
    ): ": ベンチマークの結果ファイルではありません（最上位: JSON のオブジェクト（名前と値の組）を"
    "指定してください）。`advisor bench` が書いた results.json を指定してください",
    (
        "arena",
        "top",
    ): ": アリーナのセッションではありません（最上位: JSON のオブジェクト（名前と値の組）を"
    "指定してください）。`advisor arena` が書いたセッションファイルを指定してください",
}


@pytest.mark.parametrize(("loader", "case"), sorted(SAID_JA))
def test_each_file_kind_speaks_japanese(tmp_path: Path, loader: str, case: str) -> None:
    path = tmp_path / "file.json"
    if case in CONTENT:
        path.write_text(CONTENT[case], encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        LOADERS[loader](path)
    assert caught.value.localized("ja") == f"{path}{SAID_JA[loader, case]}"
