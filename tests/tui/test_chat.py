"""Chat on the fake backend: streamed answers, history, system prompt."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from advisor.tui.screens.chat import ChatScreen, ChatTurn
from backends.fake import FakeBackend

pytestmark = pytest.mark.anyio


async def test_chat_streams_the_answer(make_app) -> None:
    FakeBackend.queue_replies("Use RAG for facts that change.")
    app = make_app(system_prompt="Be brief.")
    async with app.run_test() as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, ChatScreen)
        await pilot.click("#prompt")
        await pilot.press(*"when rag", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        turns = [str(t.render()) for t in app.screen.query(ChatTurn)]
        assert turns == ["when rag", "Use RAG for facts that change."]
        assert app.screen.history == [("when rag", "Use RAG for facts that change.")]


async def test_chat_keeps_the_conversation(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("c")
        prompt = app.screen.query_one("#prompt", Input)
        for text in ("one", "two"):
            prompt.value = text
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
        turns = [str(t.render()) for t in app.screen.query(ChatTurn)]
        assert turns[-1] == "fake reply: two"
        await pilot.press("ctrl+l")
        assert not app.screen.query(ChatTurn)
