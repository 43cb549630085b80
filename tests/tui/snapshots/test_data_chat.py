"""Snapshots: the data check (with errors) and a chat exchange."""

from __future__ import annotations

from textual.widgets import Input

from backends.fake import FakeBackend


def test_data_with_errors(snap, make_app, workdir) -> None:
    async def run(pilot) -> None:
        await pilot.press("d")
        pilot.app.screen.query_one("#file", Input).value = "train_bad.jsonl"
        await pilot.press("f5")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()

    assert snap(make_app(), run)


def test_data_empty(snap, make_app) -> None:
    async def run(pilot) -> None:
        await pilot.press("d")

    assert snap(make_app(), run)


def test_chat(snap, make_app) -> None:
    FakeBackend.queue_replies("Start with a system prompt; measure before you fine-tune.")

    async def run(pilot) -> None:
        await pilot.press("c")
        pilot.app.screen.query_one("#prompt", Input).value = "Where do we start?"
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap(make_app(), run)
