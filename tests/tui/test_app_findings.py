"""Wizard findings of issues 15 and 19, each failing before its fix (fake backend)."""

from __future__ import annotations

import contextlib
import shutil
import threading
from pathlib import Path

import pytest
from textual.widgets import Input, Select
from textual.worker import WorkerFailed

from advisor.tui.screens.chat import ChatScreen, ChatTurn
from advisor.tui.screens.run import RunScreen
from backends.fake import FakeBackend
from backends.fake_jobs import FakeFineTuning
from backends.jobs import JobRequest
from tests.conftest import FIXTURES
from tests.tui.waiting import until

pytestmark = pytest.mark.anyio

TRAIN = FIXTURES / "tui" / "train_ok.jsonl"


async def settle(app, pilot) -> None:
    for _ in range(3):
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()


async def test_a_job_is_followed_through_its_own_backend(make_app) -> None:
    """Start a job on fake, switch the wizard's backend, follow the job: it is fake's."""
    FakeFineTuning.pace = 1  # the job runs for a while
    app = make_app(route="sft")
    async with app.run_test(size=(120, 40)) as pilot:
        job = (
            app.backend("fake")
            .fine_tuning()
            .create(JobRequest(method="sft", training_file=str(TRAIN)))
        )
        assert job.status == "running"
        app.session.job_ids.append(job.id)
        app.session.backend = "local"  # the user picks another backend meanwhile
        FakeFineTuning.pace = 100  # the next poll finishes the job
        screen = RunScreen()
        await app.push_screen(screen)  # follows the session's last job
        await settle(app, pilot)
        followed = app.backend("fake").fine_tuning().retrieve(job.id)
        assert followed.status == "succeeded", followed.error
        assert "succeeded" in str(screen.query_one("#job-status").render())


async def index_docs(app, tmp_path: Path, name: str) -> Path:
    from advisor.rag import KnowledgeBase

    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "tui" / "docs", docs)
    KnowledgeBase(name, app.settings).index([docs])  # as `advisor rag index docs --kb NAME`
    return docs


async def ask(app, pilot, question: str) -> list[str]:
    chat = app.screen
    chat.query_one("#prompt", Input).value = question
    await pilot.press("enter")
    await settle(app, pilot)
    return [str(turn.render()) for turn in chat.query(".sources")]


async def test_chat_offers_a_knowledge_base_built_from_the_cli(make_app, tmp_path) -> None:
    app = make_app()
    docs = await index_docs(app, tmp_path, "handbook")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, ChatScreen)
        await settle(app, pilot)  # a worker looks for the knowledge bases
        target = app.screen.query_one("#target", Select)
        values = [value for _, value in target._options]
        assert "rag:handbook" in values
        target.value = "rag:handbook"
        await pilot.pause()
        sources = await ask(app, pilot, "Does shipping cost anything?")
        assert sources and "shipping.md" in sources[0]
        assert str(docs) not in sources[0]


async def test_chat_lists_each_source_once_relative_to_the_knowledge_folder(
    make_app, tmp_path
) -> None:
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
        await pilot.press("f6")
        sources = await ask(app, pilot, "How long do refunds take? Does shipping cost?")
        assert len(sources) == 1
        lines = sources[0].splitlines()[1:]
        files = [line.split()[1] for line in lines]
        assert sorted(files) == sorted(set(files)), lines  # each file once
        assert "returns.md" in files and str(docs) not in sources[0]


async def test_chat_shows_a_loading_hint_until_the_first_words(make_app, monkeypatch) -> None:
    release = threading.Event()
    stream = FakeBackend.stream

    def slow_stream(self, *args, **kwargs):
        release.wait(10)  # the model is loading
        return stream(self, *args, **kwargs)

    monkeypatch.setattr(FakeBackend, "stream", slow_stream)
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("c")
        app.screen.query_one("#prompt", Input).value = "hello"
        await pilot.press("enter")

        def last_turn() -> str:
            turns = [str(t.render()) for t in app.screen.query(ChatTurn)]
            return turns[-1] if turns else ""

        assert await until(pilot, lambda: "loading" in last_turn())
        release.set()
        await settle(app, pilot)
        assert [str(t.render()) for t in app.screen.query(ChatTurn)][-1] == "fake reply: hello"
