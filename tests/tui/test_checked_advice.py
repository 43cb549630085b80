"""The wizard checks its advice against the files and against a Compare run (issue 13).

Both go through ``advisor.app.assess``, the implementation behind
``advisor assess --evidence`` and ``--results``; these tests drive the screens.
"""

from __future__ import annotations

import pytest
import yaml
from textual.widgets import Static

from advisor.tui.screens.compare import CompareScreen
from advisor.tui.screens.results import ResultsScreen
from tests.conftest import FIXTURES
from tests.tui.waiting import until

pytestmark = pytest.mark.anyio

PLANTED = FIXTURES / "evidence/planted"
EXAMPLES = FIXTURES / "bench/examples"


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_checking_a_folder_scores_the_measured_values(make_app) -> None:
    stated = yaml.safe_load((PLANTED / "answers.yaml").read_text(encoding="utf-8"))
    app = make_app(answers=stated)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = ResultsScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen.check_files(PLANTED)
        assert await until(pilot, lambda: bool(screen.query("#evidence")))
        assert app.session.answers["example_count"] == 12  # measured, not the stated 200
        shown = text_of(screen, "#evidence")
        assert "⚠ Ideal examples: 200 → 12" in shown
        assert "⚠ Automatic grader: yes → no" in shown  # worded as the interview words it
        assert screen.assessment is not None
        assert screen.assessment.answers["example_count"] == 12


async def test_a_folder_that_is_not_there_is_an_error_dialog(make_app, tmp_path) -> None:
    from advisor.tui.widgets.dialogs import ErrorDialog

    app = make_app(answers={"example_count": 5})
    async with app.run_test() as pilot:
        screen = ResultsScreen()
        await app.push_screen(screen)
        screen.check_files(tmp_path / "nowhere")
        assert await until(pilot, lambda: isinstance(app.screen, ErrorDialog))
        assert app.session.answers == {"example_count": 5}  # nothing lost or changed


@pytest.mark.parametrize(
    ("example", "answers", "status"),
    [
        ("bench-product-manual", {}, "confirmed"),  # the scenario's own answers
        ("bench-brand-voice", {"simple_rules_only": True}, "refuted"),  # the session's
    ],
)
async def test_a_compare_run_judges_the_recommendation(make_app, example, answers, status) -> None:
    from advisor.bench.report import load_results

    results = load_results(EXAMPLES / example / "results.json")
    app = make_app(answers=answers)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = CompareScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen.show_results(results)
        await pilot.pause()
        assert f": {status}." in text_of(screen, "#outcome")


async def test_the_verdict_is_in_japanese_in_a_japanese_session(make_app) -> None:
    from advisor.bench.report import load_results

    results = load_results(EXAMPLES / "bench-product-manual/results.json")
    app = make_app(language="ja")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = CompareScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen.show_results(results)
        await pilot.pause()
        assert "裏付けあり" in text_of(screen, "#outcome")


async def test_the_cost_tab_shows_what_advisor_cost_computes(make_app, capsys) -> None:
    import json

    from textual.widgets import DataTable

    from advisor.bench.report import load_results
    from advisor.cli.app import main
    from advisor.tui.widgets.cost_panel import usd

    path = EXAMPLES / "bench-brand-voice/results.json"
    with pytest.raises(SystemExit):
        main(["cost", "--results", str(path), "--format", "json"])
    expected = json.loads(capsys.readouterr().out)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = CompareScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen.show_results(load_results(path))
        await pilot.pause()
        table = screen.query_one("#cost-table", DataTable)
        rows = {table.get_row_at(i)[0]: table.get_row_at(i) for i in range(table.row_count)}
        assert set(rows) == set(expected["routes"])
        sft = expected["routes"]["sft"]
        assert rows["sft"][-2] == usd(sft["cumulative_usd"][11])  # month 12
        crossover = text_of(screen, "#cost-crossover")
        assert "sft / system_prompt" in crossover


async def test_the_cost_tab_speaks_japanese(make_app) -> None:
    from advisor.bench.report import load_results

    app = make_app(language="ja")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = CompareScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen.show_results(load_results(EXAMPLES / "bench-brand-voice/results.json"))
        await pilot.pause()
        assert "12か月間の費用" in text_of(screen, "#cost-title")
        assert "ファインチューニングが得" in text_of(screen, "#cost-crossover")
