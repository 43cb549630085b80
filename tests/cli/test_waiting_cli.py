"""The wait for a first answer is said on a terminal (issue 19: a first `advisor chat` on the
local model was silent for 18-60 s while the model converted and loaded)."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pytest

from advisor.cli.output import waiting


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_hint_is_drawn_on_a_terminal_and_erased_at_the_first_words() -> None:
    screen = Terminal()
    with waiting("loading the model", stream=screen, delay=0.0) as first_words:
        time.sleep(0.2)  # the timer's thread draws the line
        drawn = screen.getvalue()
        first_words()
        erased = screen.getvalue()[len(drawn) :]
    assert drawn == "… loading the model"
    assert erased == "\r\x1b[2K"  # the answer starts on a clean line
    assert screen.getvalue() == drawn + erased  # leaving after done() draws nothing more


def test_a_quick_answer_never_flashes_the_hint() -> None:
    screen = Terminal()
    with waiting("loading the model", stream=screen, delay=5.0) as first_words:
        first_words()
    time.sleep(0.1)
    assert screen.getvalue() == ""


def test_nothing_is_drawn_where_no_one_watches() -> None:
    screen = io.StringIO()
    with waiting("loading the model", stream=screen, delay=0.0):
        time.sleep(0.1)
    assert screen.getvalue() == ""


def test_a_hint_wider_than_the_terminal_is_cut_to_one_line() -> None:
    from advisor.cli.output import _fit

    assert _fit("待っています", 5) == "待っ"  # wide characters take two cells each
    assert _fit("waiting", 4) == "wait"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_hint_fits_one_line_of_an_80_column_terminal(lang: str) -> None:
    from rich.cells import cell_len

    from advisor.messages import text

    assert cell_len(text("chat.waiting", lang)) + 2 <= 79  # "… " before it, the cursor after


@pytest.mark.parametrize(
    ("args", "answer"),
    [
        (["chat", "--backend", "fake", "hello"], "fake reply: hello\n"),
        (["ask", "--backend", "fake", "hello"], "fake reply: hello\n"),
    ],
)
def test_chat_and_ask_say_they_wait_in_the_chosen_language(
    args: list[str], answer: str, isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.cli import output
    from advisor.cli.app import main
    from backends.fake import FakeBackend

    answered = FakeBackend.chat

    def slow_chat(self, *a, **k):  # type: ignore[no-untyped-def]  # a model still loading
        time.sleep(0.3)
        return answered(self, *a, **k)

    monkeypatch.setattr(FakeBackend, "chat", slow_chat)
    monkeypatch.setattr(output, "WAIT_HINT_DELAY_S", 0.05)
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    monkeypatch.setattr(sys, "stderr", screen)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code in (0, None)
    seen = screen.getvalue()
    assert seen.startswith("… モデルの応答を待っています")
    assert seen.endswith("\r\x1b[2K" + answer)  # the answer on the erased line
