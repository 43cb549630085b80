"""Snapshots: the interview (English, Japanese, a count question) and the results."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from advisor.criteria import load_catalog
from advisor.tui.screens.interview import InterviewScreen
from advisor.tui.screens.results import ResultsScreen
from tests.conftest import FIXTURES
from tests.tui.waiting import until

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


@pytest.mark.parametrize("size", [pytest.param((80, 24), id="80x24")])
def test_results_checked_against_files_japanese(
    snap, make_app, tmp_path, monkeypatch, size
) -> None:
    """Stated next to measured in Japanese words; the long measurements wrap at 80 columns."""
    shutil.copytree(FIXTURES / "evidence/planted", tmp_path / "planted")
    monkeypatch.chdir(tmp_path)  # a relative path: the picture must not show tmp_path
    stated = yaml.safe_load((tmp_path / "planted/answers.yaml").read_text(encoding="utf-8"))

    async def run(pilot) -> None:
        screen = ResultsScreen()
        await pilot.app.push_screen(screen)
        await pilot.pause()
        screen.check_files(Path("planted"))
        assert await until(pilot, lambda: bool(screen.query("#evidence")))

    assert snap(make_app(answers=stated, language="ja"), run)
