"""Core texts in the wizard's language (issue 14 item 4): the bench verdict on the Compare
screen and the backend's description and unusable reason on the Settings screen."""

from __future__ import annotations

import pytest
from textual.widgets import Select, Static

from advisor.bench.report import load_results
from advisor.tui.screens.compare import CompareScreen
from tests.conftest import FIXTURES
from tests.tui.waiting import until

pytestmark = pytest.mark.anyio

RESULTS = FIXTURES / "bench/examples/bench-brand-voice/results.json"


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.mark.parametrize("language", ["en", "ja"])
async def test_the_compare_verdict_follows_the_session_language(make_app, language) -> None:
    from advisor.bench.verdict_text import verdict_summary

    results = load_results(RESULTS)
    app = make_app(language=language)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = CompareScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen.show_results(results)
        await pilot.pause()
        shown = " ".join(text_of(screen, "#verdict").split())
        expected = " ".join(verdict_summary(results, language).split())
        assert expected in shown
        if language == "en":
            assert " ".join(results.verdict.summary.split()) in shown
        else:
            assert " ".join(results.verdict.summary.split()) not in shown


async def test_settings_show_the_backend_in_japanese(make_app, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ADVISOR_OPENAI__BASE_URL", raising=False)
    app = make_app(language="ja")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        screen = app.screen
        screen.query_one("#backend", Select).value = "fake"
        assert await until(pilot, lambda: "台本どおり" in text_of(screen, "#availability"))
        screen.query_one("#backend", Select).value = "openai"
        assert await until(
            pilot, lambda: "OPENAI_API_KEY がありません" in text_of(screen, "#availability")
        )
