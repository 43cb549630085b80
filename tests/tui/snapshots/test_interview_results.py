"""Snapshots: the interview (English, Japanese, a count question) and the results."""

from __future__ import annotations

from advisor.criteria import load_catalog
from advisor.tui.screens.interview import InterviewScreen
from advisor.tui.screens.results import ResultsScreen

ANSWERS = {"knowledge_volume": "large", "knowledge_changes": "daily", "needs_citations": True}


def test_interview_first_question(snap, make_app) -> None:
    async def run(pilot) -> None:
        await pilot.press("n")

    assert snap(make_app(), run)


def test_interview_japanese(snap, make_app) -> None:
    async def run(pilot) -> None:
        await pilot.press("n", "enter", "f3")

    assert snap(make_app(), run)


def test_interview_count_question(snap, make_app) -> None:
    index = next(i for i, q in enumerate(load_catalog().questions) if q.type == "count")

    async def run(pilot) -> None:
        await pilot.app.push_screen(InterviewScreen(start=index))

    assert snap(make_app(), run)


def test_results(snap, make_app) -> None:
    async def run(pilot) -> None:
        await pilot.app.push_screen(ResultsScreen())

    assert snap(make_app(answers=ANSWERS), run)


def test_results_japanese(snap, make_app) -> None:
    async def run(pilot) -> None:
        await pilot.app.push_screen(ResultsScreen())

    assert snap(make_app(answers=ANSWERS, language="ja"), run)
