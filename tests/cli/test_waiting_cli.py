"""The wait for a first answer is said on a terminal (issue 19: a first `advisor chat` on the
local model was silent for 18-60 s while the model converted and loaded)."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path
from typing import Any

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


def _slow_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake backend answering after 0.3 s (a model still loading), the hint after 0.05 s."""
    from advisor.cli import output
    from backends.fake import FakeBackend

    answered = FakeBackend.chat

    def slow_chat(self: FakeBackend, *a: Any, **k: Any) -> Any:
        time.sleep(0.3)
        return answered(self, *a, **k)

    monkeypatch.setattr(FakeBackend, "chat", slow_chat)
    monkeypatch.setattr(output, "WAIT_HINT_DELAY_S", 0.05)
    monkeypatch.setenv("ADVISOR_LANG", "ja")


def _run(
    args: list[str], stdout: io.StringIO, stderr: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.cli.app import main

    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code in (0, None), stderr.getvalue()


@pytest.mark.parametrize(
    "args",
    [
        ["chat", "--backend", "fake", "hello"],
        ["ask", "--backend", "fake", "hello"],
        # the tour's first model command: 27 s of silence on a fresh install
        ["demo", "--backend", "fake"],
    ],
)
def test_chat_ask_and_demo_say_they_wait_in_the_chosen_language(
    args: list[str], isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_fake(monkeypatch)
    screen = Terminal()
    _run(args, screen, screen, monkeypatch)
    seen = screen.getvalue()
    assert "… モデルの応答を待っています" in seen
    hint_at = seen.index("… モデルの応答を待っています")
    assert "\r\x1b[2Kfake reply: " in seen[hint_at:]  # the answer on the erased line


def test_chat_in_json_says_it_waits_on_stderr_only(
    isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tour's `advisor chat --format json` was silent while the model loaded; the wait is
    said on the terminal's stderr, and stdout still carries only the JSON."""
    import json

    _slow_fake(monkeypatch)
    out, err = Terminal(), Terminal()
    _run(["chat", "--backend", "fake", "--format", "json", "hello"], out, err, monkeypatch)
    assert err.getvalue().startswith("… モデルの応答を待っています")
    assert json.loads(out.getvalue())["backend"] == "fake"
