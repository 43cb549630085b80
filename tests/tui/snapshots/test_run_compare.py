"""Snapshots: the run screen's panels and the compare screen with loaded results."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select, TabbedContent

from advisor.tui.screens.compare import CompareScreen
from advisor.tui.screens.run import RunScreen


def test_run_system_prompt(snap, make_app) -> None:
    async def run(pilot) -> None:
        await pilot.app.push_screen(RunScreen())

    assert snap(make_app(system_prompt="Answer in two sentences."), run)


def test_run_rag(snap, make_app) -> None:
    async def run(pilot) -> None:
        await pilot.app.push_screen(RunScreen())

    assert snap(make_app(route="rag", documents="docs", knowledge_base="acme"), run)


def test_run_fine_tuning(snap, make_app) -> None:
    async def run(pilot) -> None:
        await pilot.app.push_screen(RunScreen())

    assert snap(make_app(route="sft", data_file="train_ok.jsonl"), run)


def test_compare_loaded(snap, make_app, workdir: Path) -> None:
    async def run(pilot) -> None:
        screen = CompareScreen()
        await pilot.app.push_screen(screen)
        screen.load_results(workdir / "bench_results.json")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap(make_app(scenario="tiny"), run)


def test_compare_chart_and_samples(snap, make_app, workdir: Path) -> None:
    async def run(pilot) -> None:
        screen = CompareScreen()
        await pilot.app.push_screen(screen)
        screen.load_results(workdir / "bench_results.json")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen.query_one(TabbedContent).active = "tab-samples"
        pick = screen.query_one("#prompt-pick", Select)
        pick.value = screen.results.prompts[0].id
        await pilot.pause()

    assert snap(make_app(scenario="tiny"), run)


def test_run_job_log_in_japanese(snap, make_app) -> None:
    """The job log at 80 columns in Japanese, the training governor's line among the events
    (its words are the catalog's; a line too wide would be cut, not wrapped, if the log's
    wrapping were lost)."""
    from advisor.app.jobs import JobUpdate
    from advisor.tui.screens.run.tune import TunePanel
    from backends.jobs import JobEvent
    from tests.jobs_fixture import make_job

    job = make_job(
        id="ftjob-snapshot",
        backend="fake",
        model="fake-model",
        created_at=0.0,
        training_file="train_ok.jsonl",
    )
    events = [
        JobEvent(id="e1", message="Created fine-tuning job: ftjob-snapshot"),
        JobEvent(
            id="e2",
            message="Threads: 1 (other processes used 1.0 cores over the last 15 s)",
            data={"threads": 1, "others_cores": 1.0},
        ),
    ]

    async def run(pilot) -> None:
        screen = RunScreen()
        await pilot.app.push_screen(screen)
        await pilot.pause()
        screen.query_one(TunePanel).job_update(JobUpdate(job, events))
        await pilot.pause()

    assert snap(make_app(route="sft", data_file="train_ok.jsonl", language="ja"), run)
