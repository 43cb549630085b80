"""Snapshots: the Arena with two blind answers waiting for a vote."""

from __future__ import annotations

from textual.widgets import Input

from backends.fake import FakeBackend


def test_arena_waiting_for_a_vote(snap, make_app) -> None:
    FakeBackend.queue_replies(
        "Start with a system prompt and ten examples; measure before you tune.",
        "Fine-tune once you have a hundred reviewed examples and a baseline to beat.",
    )

    async def run(pilot) -> None:
        await pilot.press("a")
        pilot.app.screen.query_one("#prompt", Input).value = "When should we fine-tune?"
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap(make_app(system_prompt="Be brief.", fine_tuned_model="fake-tuned"), run)
