"""F3 switches the wizard's own labels too: buttons, footer, status (issue 19, first hour)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import Button, Static

from advisor.tui.screens.interview import InterviewScreen

pytestmark = pytest.mark.anyio


def footer_descriptions(app) -> set[str]:
    return {active.binding.description for active in app.screen.active_bindings.values()}


async def test_f3_translates_interview_buttons_footer_and_status(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(InterviewScreen())
        await pilot.pause()
        assert str(app.screen.query_one("#next", Button).label) == "Next ▶"
        assert {"Next", "Quit"} <= footer_descriptions(app)
        await pilot.press("f3")
        await pilot.pause()
        assert str(app.screen.query_one("#next", Button).label) == "次へ ▶"
        assert str(app.screen.query_one("#prev", Button).label) == "◀ 戻る"
        skip = app.screen.query_one("#skip", Button)
        assert skip.content_size.width >= cell_len("スキップ（既定値）")  # not clipped
        assert {"次へ", "終了"} <= footer_descriptions(app)
        assert "既定値を適用" in str(app.screen.query_one("#position").render())
        await pilot.press("f3")
        await pilot.pause()
        assert str(app.screen.query_one("#next", Button).label) == "Next ▶"
        assert {"Next", "Quit"} <= footer_descriptions(app)


async def test_f3_translates_the_home_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert "システムプロンプト" in str(app.screen.query_one("#home-intro", Static).render())
        assert "言語 ja" in str(app.screen.query_one("#home-status", Static).render())
        assert "終了" in footer_descriptions(app)


async def test_a_session_in_japanese_opens_in_japanese(make_app) -> None:
    app = make_app(language="ja")
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(InterviewScreen())
        await pilot.pause()
        assert str(app.screen.query_one("#skip", Button).label) == "スキップ（既定値）"
        assert "ホーム" in footer_descriptions(app)


async def test_f3_translates_the_data_screen_live(make_app) -> None:
    from textual.widgets import DataTable, Input

    from advisor.tui.screens.data import DataScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DataScreen())
        await pilot.pause()
        assert str(app.screen.query_one("#check", Button).label) == "Check"
        await pilot.press("f3")
        await pilot.pause()
        assert str(app.screen.query_one("#check", Button).label) == "検査"
        assert app.screen.query_one("#file", Input).placeholder == "学習ファイル（.jsonl）"
        headers = [str(c.label) for c in app.screen.query_one(DataTable).columns.values()]
        assert headers == ["行", "種別", "コード", "内容"]
        assert app.screen.sub_title == "データ"
        await pilot.press("f3")
        await pilot.pause()
        assert str(app.screen.query_one("#check", Button).label) == "Check"
        assert app.screen.sub_title == "data"


async def test_f3_translates_the_run_screen_live_and_keeps_the_route(make_app) -> None:
    from textual.widgets import Select

    from advisor.tui.screens.run import RunScreen

    app = make_app(route="sft")
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(RunScreen())
        await pilot.pause()
        assert str(app.screen.query_one("#start", Button).label) == "Start job"
        await pilot.press("f3")
        await pilot.pause()
        assert str(app.screen.query_one("#start", Button).label) == "ジョブ開始"
        assert str(app.screen.query_one("#cancel", Button).label) == "中止"
        route = app.screen.query_one("#route", Select)
        assert route.value == "sft"
        assert "微調整：SFT" in [str(p) for p, _ in route._options]
        assert app.session.route == "sft"


async def test_a_japanese_session_opens_the_run_screen_in_japanese(make_app) -> None:
    from advisor.tui.screens.run import RunScreen

    app = make_app(language="ja")
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(RunScreen())
        await pilot.pause()
        assert str(app.screen.query_one("#start", Button).label) == "準備"
        assert str(app.screen.query_one("#resume", Button).label) == "再開"
