"""Snapshots: the data check (with errors) and a chat exchange."""

from __future__ import annotations

from types import SimpleNamespace

from textual.widgets import Input

from backends.fake import FakeBackend


def fixed_stats(path, method, **_: object) -> SimpleNamespace:
    """Token counts depend on which tokenizer the machine has cached: pin them here."""
    return SimpleNamespace(
        total_tokens=127,
        default_epochs=25,
        billed_tokens=3175,
        estimated_cost_usd=0.0159,
        model="gpt-4.1-mini",
        price_date="2025-06-01",
        local=SimpleNamespace(estimated_training_seconds=420.0),
    )


def test_data_with_errors(snap, make_app, workdir, monkeypatch) -> None:
    monkeypatch.setattr("advisor.data.stats.compute_stats", fixed_stats)

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
