"""Wizard test helpers: an app on the fake backend with a fixed, deterministic session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from advisor.settings import load_settings
from advisor.tui.app import AdvisorApp
from advisor.tui.session import Session

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def make_app(isolated_state: Any) -> Callable[..., AdvisorApp]:
    """Build the app on the fake backend; keyword arguments fill the session."""

    def build(**session: Any) -> AdvisorApp:
        settings = load_settings(backend="fake", chroma={"embedding_backend": "fake"})
        return AdvisorApp(settings=settings, session=Session(**session))

    return build


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests run on asyncio (Textual's loop), through anyio's pytest plugin."""
    return "asyncio"


@pytest.fixture(autouse=True)
def fake_jobs_reset() -> Iterator[None]:
    """Simulated fine-tuning settings are class-wide: reset them around every test."""
    from backends.fake_jobs import FakeFineTuning

    FakeFineTuning.reset()
    yield
    FakeFineTuning.reset()
