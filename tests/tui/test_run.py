"""Run screen on the fake backend: fine-tuning with a live chart, failure, cancel, resume, RAG."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from textual.widgets import Button, Input, Select
from textual.worker import WorkerFailed

from advisor.tui.screens.run import RunScreen, metric_of
from advisor.tui.widgets.charts import MetricChart
from advisor.tui.widgets.dialogs import ConfirmDialog, ErrorDialog
from backends.fake_jobs import FakeFineTuning
from tests.conftest import FIXTURES
from tests.tui.waiting import until

pytestmark = pytest.mark.anyio

TRAIN = FIXTURES / "tui" / "train_ok.jsonl"


async def settle(app, pilot) -> None:
    """Let workers finish; their errors are the screen's to show, not the test's to raise."""
    for _ in range(3):
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()


async def start_job(app, pilot, route: str = "sft") -> RunScreen:
    screen = RunScreen()
    await app.push_screen(screen)
    screen.query_one("#route", Select).value = route
    screen.query_one("#train", Input).value = str(TRAIN)
    await pilot.pause()
    await pilot.press("f5")
    await settle(app, pilot)
    assert isinstance(app.screen, ConfirmDialog)
    assert "12 examples" in app.screen.message
    await pilot.press("y")
    await settle(app, pilot)
    return screen


async def test_fine_tuning_job_with_live_loss_chart(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await start_job(app, pilot)
        chart = screen.query_one(MetricChart)
        assert chart.metric == "loss"
        assert len(chart.values) == 12  # 3 epochs x 4 simulated steps
        assert chart.values[0] > chart.values[-1]
        assert app.session.job_ids and app.session.job_ids[-1].startswith("ftjob")
        assert app.session.fine_tuned_model.startswith("fake:ft:")
        status = str(screen.query_one("#job-status").render())
        assert "succeeded" in status
        assert "estimated 0 s (simulated), actual" in status  # recorded at submission


async def test_rft_charts_the_reward(make_app) -> None:
    assert metric_of({"loss": 1.0, "reward_mean": 0.5}, reward=True) == ("reward_mean", 0.5)
    assert metric_of({"loss": 1.0, "reward_mean": 0.5}) == ("loss", 1.0)
    assert metric_of({"step": 3}) is None


async def test_failing_job_shows_the_reason_and_resumes(make_app) -> None:
    FakeFineTuning.fail_next("the GPU ran out of memory")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await start_job(app, pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.message == "the GPU ran out of memory"
        await pilot.press("enter")
        assert not screen.query_one("#resume", Button).disabled
        await pilot.press("f9")
        await settle(app, pilot)
        FakeFineTuning.pace = 100  # the resumed job runs to the end on the next poll
        status = screen.query_one("#job-status")
        assert await until(pilot, lambda: "succeeded" in str(status.render()))
        await settle(app, pilot)
        assert app.session.fine_tuned_model
        chart = screen.query_one(MetricChart)
        assert len(chart.values) == 12  # replayed once after resume, not doubled
        assert chart.step == 12


async def test_cancel_a_running_job(make_app, monkeypatch) -> None:
    FakeFineTuning.pace = 1  # one simulated step per poll ...
    monkeypatch.setattr("advisor.tui.screens.run.POLL_SECONDS", 30.0)  # ... and few polls
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = RunScreen()
        await app.push_screen(screen)
        screen.query_one("#route", Select).value = "sft"
        screen.query_one("#train", Input).value = str(TRAIN)
        await pilot.pause()
        await pilot.press("f5")
        await settle(app, pilot)
        await pilot.press("y")
        assert await until(pilot, lambda: app.session.job_ids)  # submitted: now cancel it
        await pilot.press("f8")
        await settle(app, pilot)
        job = app.backend().fine_tuning().retrieve(app.session.job_ids[-1])
        assert job.status == "cancelled"
        assert not screen.query_one("#resume", Button).disabled


async def test_missing_training_file_is_an_error(make_app, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        screen = RunScreen()
        await app.push_screen(screen)
        screen.query_one("#route", Select).value = "dpo"
        screen.query_one("#train", Input).value = str(tmp_path / "none.jsonl")
        await pilot.pause()
        await pilot.press("f5")
        await settle(app, pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "none.jsonl" in app.screen.message


async def test_build_rag_index_then_chat_with_sources(make_app, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "tui" / "docs", docs)
    app = make_app(route="rag")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = RunScreen()
        await app.push_screen(screen)
        screen.query_one("#documents", Input).value = str(docs)
        screen.query_one("#kb", Input).value = "acme"
        await pilot.press("f5")
        await settle(app, pilot)
        log = "\n".join(str(line.text) for line in screen.query_one("#run-log").lines)
        assert "acme: 2 files" in log
        assert app.session.knowledge_base == "acme"
        await pilot.press("f6")
        chat = app.screen
        assert chat.query_one("#target", Select).value == "rag"
        chat.query_one("#prompt", Input).value = "How long do refunds take?"
        await pilot.press("enter")
        await settle(app, pilot)
        texts = [str(turn.render()) for turn in chat.query(".sources")]
        assert texts and "returns.md" in texts[0]


async def test_custom_assistant_is_saved_then_answers_with_sources(make_app, tmp_path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "tui" / "docs", docs)
    app = make_app(route="custom_assistant")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = RunScreen()
        await app.push_screen(screen)
        screen.query_one("#assistant", Input).value = "acme-help"
        screen.query_one("#assistant-docs", Input).value = str(docs)
        screen.query_one("#assistant-instructions", Input).value = "Answer as Acme support."
        await pilot.press("f5")
        await settle(app, pilot)
        assert (app.settings.assistants_dir).exists()
        assert app.session.assistant == "acme-help"
        await pilot.press("f6")
        chat = app.screen
        assert chat.query_one("#target", Select).value == "custom_assistant"
        chat.query_one("#prompt", Input).value = "Does shipping cost anything?"
        await pilot.press("enter")
        await settle(app, pilot)
        sources = [str(turn.render()) for turn in chat.query(".sources")]
        assert sources and "shipping.md" in sources[0]
