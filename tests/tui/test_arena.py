"""Arena on the fake backend: blind votes in the wizard become a DPO file a DPO job trains on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input

from advisor.app.arena_votes import ArenaSession, session_path
from advisor.cli.app import main
from advisor.tui.screens.arena import ArenaScreen
from backends.fake import FakeBackend
from tests.tui.waiting import until

pytestmark = pytest.mark.anyio

PROMPTS = [f"How do we handle case {n}?" for n in range(12)]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``advisor ARGS`` as the console script runs it: exit code and stdout."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    return int(exit_info.value.code or 0), capsys.readouterr().out


async def vote_through(app, prompts_file: Path) -> ArenaScreen:
    """Open the prompts file and always vote for the tuned model's answer, whichever side."""
    async with app.run_test() as pilot:
        await pilot.press("a")
        screen = app.screen
        assert isinstance(screen, ArenaScreen)
        await pilot.press("ctrl+o")
        app.screen.query_one("#path", Input).value = str(prompts_file)
        await pilot.press("enter")
        for _ in PROMPTS:
            assert await until(pilot, lambda: screen.round is not None)  # both have answered
            found = screen.round
            assert found is not None
            assert screen.query_one("#pane-a .arena-label").render().plain == "A"  # blind
            await pilot.press("a" if found.answer("A").startswith("tuned") else "b")
            await pilot.pause()
        return screen


async def test_votes_become_a_dpo_file_a_dpo_job_trains_on(make_app, tmp_path, capsys) -> None:
    prompts_file = tmp_path / "prompts.txt"
    prompts_file.write_text("\n".join(PROMPTS) + "\n", encoding="utf-8")
    for n in range(len(PROMPTS)):  # target 1 (system prompt) answers first, then the tuned one
        FakeBackend.queue_replies(f"base answer {n}", f"tuned answer {n}")
    app = make_app(system_prompt="Answer as our support team.", fine_tuned_model="fake-tuned")
    screen = await vote_through(app, prompts_file)

    assert screen.arena is not None and screen.arena.pairs is not None
    pairs = screen.arena.pairs
    lines = [json.loads(line) for line in pairs.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(PROMPTS)
    assert all(line["preferred_output"][0]["content"].startswith("tuned") for line in lines)
    assert lines[0]["input"]["messages"][0] == {
        "role": "system",
        "content": "Answer as our support team.",
    }
    sides = [r.swapped for r in ArenaSession.load(session_path(pairs)).rounds]
    assert sides.count(True) == len(PROMPTS) // 2  # blind sides, balanced

    code, out = run_cli(capsys, "data", "validate", str(pairs), "--method", "dpo", "-f", "json")
    assert code == 0, out
    assert json.loads(out)["ok"] is True
    code, out = run_cli(
        capsys, "tune", "create", "--method", "dpo", "--train", str(pairs),
        "--backend", "fake", "--yes", "--wait", "--format", "json",
    )  # fmt: skip
    assert code == 0, out
    job = json.loads(out)
    assert (job["method"], job["status"]) == ("dpo", "succeeded")
    code, out = run_cli(capsys, "arena", "tally", str(pairs), "--format", "json")
    assert json.loads(out)["better"] == "model:fake-tuned"


async def test_the_tally_resumes_and_a_tie_writes_no_pair(make_app) -> None:
    FakeBackend.queue_replies("one", "two")
    app = make_app(fine_tuned_model="fake-tuned")
    async with app.run_test() as pilot:
        await pilot.press("a")
        await pilot.click("#prompt")
        await pilot.press(*"hello", "enter")
        assert await until(pilot, lambda: getattr(app.screen, "round", None) is not None)
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ArenaScreen) and screen.arena is not None
        assert screen.arena.pairs is not None and not screen.arena.pairs.exists()
        assert "ties 1" in str(screen.query_one("#arena-tally").render())
        await pilot.press("escape", "a")  # leave and come back: the same session
        await pilot.pause()
        again = app.screen
        assert isinstance(again, ArenaScreen) and again is not screen
        assert again.arena is not None and len(again.arena.session.rounds) == 1


async def test_answering_can_be_cancelled(make_app, monkeypatch) -> None:
    import threading

    from advisor.app import arena as arena_module

    started, release = threading.Event(), threading.Event()
    real = arena_module.Arena.routes

    def slow_routes(self, cancel=None):
        started.set()
        release.wait(5)
        return real(self, cancel)

    monkeypatch.setattr(arena_module.Arena, "routes", slow_routes)
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("a")
        await pilot.click("#prompt")
        await pilot.press(*"slow", "enter")
        started.wait(5)
        assert app.screen.query_one("#arena-panes").loading
        await pilot.press("f8")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ArenaScreen) and screen.round is None
        assert "Cancelled" in str(screen.query_one("#arena-status").render())
        assert not screen.query_one("#arena-panes").loading


async def test_the_arena_speaks_japanese(make_app) -> None:
    app = make_app(language="ja")
    async with app.run_test() as pilot:
        await pilot.press("a")
        assert "プロンプトを入力" in app.screen.query_one("#prompt", Input).placeholder
        await pilot.press("f3")  # back to English
        await pilot.pause()
        assert app.screen.query_one("#prompt", Input).placeholder.startswith("Type a prompt")
        assert "Type a prompt" in str(app.screen.query_one("#arena-status").render())
