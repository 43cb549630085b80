"""Yes/no questions follow the switch (issue 14 item 4): `rag delete`'s question and the
`[y/N]` suffix in Japanese, Japanese answers accepted; English exactly as Click asks."""

from __future__ import annotations

import io
import sys

import pytest

from advisor.cli.app import main


class Terminal(io.StringIO):
    """Typed answers on a standard input that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def ask(capsys, monkeypatch, typed: str, *args: str) -> tuple[int, str]:
    """``advisor [args] rag delete`` answered with ``typed``: (exit status, stderr)."""
    monkeypatch.setattr(sys, "stdin", Terminal(typed))
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "rag", "delete", "--kb", "nothing-here"])
    return int(exit_info.value.code or 0), capsys.readouterr().err


def test_rag_delete_asks_in_japanese_and_a_no_cancels(capsys, monkeypatch) -> None:
    code, err = ask(capsys, monkeypatch, "いいえ\n", "--lang", "ja")
    assert code == 1
    assert "ナレッジベース nothing-here を削除しますか？ [y=はい / N=いいえ]:" in err
    assert "中止しました。" in err and "Aborted" not in err and "[y/N]" not in err


def test_an_answer_that_is_neither_is_asked_again_in_japanese(capsys, monkeypatch) -> None:
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    code, err = ask(capsys, monkeypatch, "maybe\n\n")  # then Enter: the default, no
    assert code == 1
    assert err.count("を削除しますか？") == 2
    assert "エラー: y（はい）か n（いいえ）で答えてください" in err


def test_a_japanese_yes_goes_ahead(capsys, monkeypatch) -> None:
    code, err = ask(capsys, monkeypatch, "ｙ\n", "--lang", "ja")  # full-width y
    assert code == 2  # it went on to delete: there is no such knowledge base
    assert "nothing-here という名前のナレッジベースはありません" in err


def test_english_asks_exactly_as_before(capsys, monkeypatch) -> None:
    code, err = ask(capsys, monkeypatch, "n\n")
    assert code == 1
    assert "Delete knowledge base nothing-here? [y/N]:" in err
    assert "Aborted" in err
