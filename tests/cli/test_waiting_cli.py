"""The wait for a first answer is said on a terminal (issue 19: a first `advisor chat` on the
local model was silent for 18-60 s while the model converted and loaded)."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from advisor.cli.output import waiting
from tests.conftest import REPO


def test_the_hint_is_drawn_on_a_terminal_and_cleared_at_the_first_words() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    with waiting("loading the model", console=console) as first_words:
        time.sleep(0.2)  # the spinner's own thread draws a frame
        drawn = screen.getvalue()
        first_words()
        cleared = screen.getvalue()[len(drawn) :]
    assert "loading the model" in drawn
    assert "\x1b[2K" in cleared  # the line is erased, so the answer starts on a clean line
    assert screen.getvalue().endswith(cleared)  # leaving after done() draws nothing more


def test_nothing_is_drawn_where_no_one_watches() -> None:
    screen = io.StringIO()
    with waiting("loading the model", console=Console(file=screen)) as first_words:
        first_words()
    assert screen.getvalue() == ""


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_hint_fits_one_line_of_an_80_column_terminal(lang: str) -> None:
    from rich.cells import cell_len

    from advisor.messages import text

    assert cell_len(text("chat.waiting", lang)) + 2 <= 80  # the spinner and its space


def _on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """The bytes a person sees: ``advisor`` run with stdout and stderr on a pseudo-terminal."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        cwd=REPO,
        env=env,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            piece = os.read(leader, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not piece:
            break
        seen += piece
    process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0, seen.decode(errors="replace")
    return seen.decode(errors="replace")


def test_chat_says_it_is_waiting_in_the_chosen_language(isolated_state: Path) -> None:
    env = {**os.environ, "ADVISOR_LANG": "ja", "COLUMNS": "200", "TERM": "xterm"}
    seen = _on_a_terminal("chat", "--backend", "fake", "hello", env=env)
    assert "モデルの応答を待っています" in seen
    assert seen.rstrip().splitlines()[-1].strip()  # an answer follows on the cleared line


def test_demo_says_it_is_waiting_in_the_chosen_language(isolated_state: Path) -> None:
    # The tour's first model command: on a fresh install it was silent for 27 s after
    # "asking the model" while the warm model converted and loaded.
    env = {**os.environ, "ADVISOR_LANG": "ja", "COLUMNS": "200", "TERM": "xterm"}
    seen = _on_a_terminal("demo", "--backend", "fake", env=env)
    assert "モデルの応答を待っています" in seen


def test_chat_in_json_says_it_is_waiting_on_stderr_only(isolated_state: Path) -> None:
    # The tour's `advisor chat --format json` was silent while the model loaded; the wait
    # is said on the terminal's stderr, and stdout still carries only the JSON.
    import json

    env = {**os.environ, "ADVISOR_LANG": "ja", "COLUMNS": "200", "TERM": "xterm"}
    seen = _on_a_terminal("chat", "--backend", "fake", "--format", "json", "hello", env=env)
    assert "モデルの応答を待っています" in seen
    piped = subprocess.run(
        [sys.executable, "-m", "advisor", "chat", "--backend", "fake", "--format", "json", "hi"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )
    assert json.loads(piped.stdout)["backend"] == "fake" and piped.stderr == ""
