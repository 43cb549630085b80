"""Snapshot helpers: every screen at 80x24 and 120x40, on the fake backend, no timestamps."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from advisor.tui.app import AdvisorApp
from tests.conftest import FIXTURES

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture(params=SIZES)
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return request.param


@pytest.fixture
def snap(snap_compare: Any, size: tuple[int, int]) -> Callable[..., bool]:
    """``snap(app, run_before)`` compares the app's screen with the stored SVG."""

    def compare(
        app: AdvisorApp, run_before: Callable[[Pilot], Awaitable[None]] | None = None
    ) -> bool:
        async def settle(pilot: Pilot) -> None:
            if run_before is not None:
                await run_before(pilot)
            await pilot.app.workers.wait_for_complete()
            # A blinking cursor, or focus that lands a frame later, would make the
            # picture depend on the moment it is taken.
            for box in pilot.app.screen.query(Input):
                box.cursor_blink = False
            pilot.app.set_focus(None)
            pilot.app.clear_notifications()  # toasts time out: their presence is timing
            # Tables size their columns when the app is idle: give it a few idle turns.
            for _ in range(3):
                await pilot.pause(0.05)

        return bool(snap_compare(app, terminal_size=size, run_before=settle))

    return compare


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The test's working directory with the wizard fixtures copied in (relative paths)."""
    for name in ("train_ok.jsonl", "train_bad.jsonl", "bench_results.json"):
        shutil.copy(FIXTURES / "tui" / name, tmp_path / name)
    shutil.copytree(FIXTURES / "tui" / "docs", tmp_path / "docs")
    return tmp_path
