"""Snapshots of the wizard in Japanese (issue 14): home, interview, results, data, run.

Full-width text takes two cells: these pictures show that labels, buttons,
score bars and tables stay aligned at 80x24 and 120x40.  The interview and the
results in Japanese are in test_interview_results.py.
"""

from __future__ import annotations

from textual.widgets import Input

from advisor.tui.screens.run import RunScreen
from tests.tui.snapshots.test_data_chat import fixed_stats


def test_home_japanese(snap, make_app) -> None:
    assert snap(make_app(language="ja", answers={"needs_citations": True}, job_ids=["ftjob-demo"]))


def test_data_with_errors_japanese(snap, make_app, workdir, monkeypatch) -> None:
    monkeypatch.setattr("advisor.data.stats.compute_stats", fixed_stats)

    async def run(pilot) -> None:
        await pilot.press("d")
        pilot.app.screen.query_one("#file", Input).value = "train_bad.jsonl"
        await pilot.press("f5")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()

    assert snap(make_app(language="ja"), run)


def test_run_system_prompt_japanese(snap, make_app) -> None:
    async def run(pilot) -> None:
        await pilot.app.push_screen(RunScreen())

    assert snap(make_app(language="ja", system_prompt="二文で答えてください。"), run)


def test_run_fine_tuning_japanese(snap, make_app) -> None:
    async def run(pilot) -> None:
        await pilot.app.push_screen(RunScreen())

    assert snap(make_app(language="ja", route="sft", data_file="train_ok.jsonl"), run)
