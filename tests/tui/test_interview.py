"""Interview and results: the catalog's questions in both languages, answers, scores."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from advisor.criteria import load_catalog
from advisor.tui.screens.interview import InterviewScreen
from advisor.tui.screens.results import ResultsScreen
from advisor.tui.widgets.charts import ScoreBar
from tests.conftest import FIXTURES

pytestmark = pytest.mark.anyio


def shown(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_interview_shows_the_catalog_text_in_both_languages(make_app) -> None:
    catalog = load_catalog()
    first = catalog.questions[0]
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)
        assert shown(app, "#question-text") == first.text.en
        assert first.help.en in shown(app, "#question-help")
        await pilot.press("f3")
        await pilot.pause()
        assert app.session.language == "ja"
        assert shown(app, "#question-text") == first.text.ja
        assert first.help.ja in shown(app, "#question-help")
        await pilot.press("f3")
        await pilot.pause()
        assert shown(app, "#question-text") == first.text.en


async def test_answer_skip_back_and_forward(make_app) -> None:
    catalog = load_catalog()
    q0, q1, q2 = catalog.questions[:3]
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert q0.type == "yes_no"
        await pilot.press("enter")  # the highlight starts on the default: "no" confirmed
        await pilot.pause()
        assert app.session.answers == {q0.id: q0.default}
        assert screen.index == 1
        await pilot.press("f4")  # skip: the default applies, nothing stored
        await pilot.pause()
        assert q1.id not in app.session.answers
        assert screen.index == 2
        assert shown(app, "#question-text") == q2.text.en
        await pilot.press("pageup", "pageup")
        await pilot.pause()
        assert screen.index == 0
        await pilot.press("up", "enter")  # choose "yes" instead
        await pilot.pause()
        assert app.session.answers[q0.id] is True
        assert screen.index == 1


async def test_count_question_refuses_a_non_number(make_app) -> None:
    catalog = load_catalog()
    index = next(i for i, q in enumerate(catalog.questions) if q.type == "count")
    app = make_app()
    async with app.run_test() as pilot:
        app.push_screen(InterviewScreen(start=index))
        await pilot.pause()
        box = app.screen.query_one(".answer-input", Input)
        box.value = ""
        await pilot.press("pagedown")
        assert app.screen.index == index  # stayed: an empty count is not an answer
        box.value = "250"
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.answers[catalog.questions[index].id] == 250
        assert app.screen.index == index + 1


async def test_last_question_leads_to_results(make_app) -> None:
    catalog = load_catalog()
    app = make_app()
    async with app.run_test() as pilot:
        app.push_screen(InterviewScreen(start=len(catalog.questions) - 1))
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)


async def test_results_show_a_bar_per_route_and_the_recommendation(make_app) -> None:
    from advisor.criteria import assess

    answers = {"knowledge_volume": "large", "knowledge_changes": "daily", "needs_citations": True}
    expected = assess(answers)
    app = make_app(answers=answers)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        bars = list(screen.query(ScoreBar))
        assert [b.label for b in bars] == [r.name for r in expected.routes]
        primary = expected.route(expected.recommendation.primary).name
        assert primary in shown(app, "#recommendation")
        assert f"{expected.recommendation.confidence:.0%}" in shown(app, "#confidence")
        await pilot.press("f3")
        await pilot.pause()
        ja = assess(answers, lang="ja")
        assert [b.label for b in screen.query(ScoreBar)] == [r.name for r in ja.routes]


async def test_answers_file_preloads_and_bad_file_shows_error(tmp_path, isolated_state) -> None:
    from advisor.settings import load_settings
    from advisor.tui.app import AdvisorApp
    from advisor.tui.widgets.dialogs import ErrorDialog

    good = tmp_path / "a.yaml"
    good.write_text("needs_citations: yes\n", encoding="utf-8")
    settings = load_settings(backend="fake")
    app = AdvisorApp.from_files(answers=good, settings=settings)
    assert app.session.answers == {"needs_citations": True}

    bad = tmp_path / "b.yaml"
    bad.write_text("needs_citations: yes\nknowledge_volume: huge\n", encoding="utf-8")
    app = AdvisorApp.from_files(answers=bad, settings=settings)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert "line 2" in app.screen.message


async def test_results_export_writes_the_decision_report_by_its_suffix(make_app, tmp_path) -> None:
    app = make_app(
        answers={"strict_format": True, "example_count": 150},
        language="ja",
        report_dir=str(FIXTURES / "bench/examples/bench-invoice-total"),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = ResultsScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen._export(tmp_path / "report.html")
        await app.workers.wait_for_complete()
        await pilot.pause()
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in html
    assert "ベンチマークの結論" in html and "invoice-total" in html
