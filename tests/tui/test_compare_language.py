"""The Compare screen's sample picker and its failed line in the wizard's language
(issue 14 item 4); F3 switches the picker's prompt back to English."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static
from textual.widgets._select import SelectCurrent

from advisor.tui.screens.compare import CompareScreen
from advisor.tui.widgets.dialogs import ErrorDialog
from tests.tui.waiting import until

pytestmark = pytest.mark.anyio


def shown(widget: Static) -> str:
    return str(widget.render())


async def test_compare_picker_and_failure_in_japanese(make_app) -> None:
    app = make_app(language="ja")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = CompareScreen()
        await app.push_screen(screen)
        await pilot.pause()
        picker = screen.query_one("#prompt-pick", Select)
        assert picker.prompt == "プロンプトを選択"
        screen.query_one("#scenario", Input).value = "no-such-scenario"
        screen.action_run_bench()
        verdict = screen.query_one("#verdict", Static)
        assert await until(pilot, lambda: shown(verdict).startswith("失敗: "))
        assert "failed" not in shown(verdict)
        assert await until(pilot, lambda: isinstance(app.screen, ErrorDialog))
        await pilot.press("enter")  # OK
        assert await until(pilot, lambda: app.screen is screen)
        await pilot.press("f3")
        assert await until(pilot, lambda: picker.prompt == "pick a prompt")
        current = picker.query_one(SelectCurrent)
        assert current.placeholder == "pick a prompt"


async def test_compare_failure_in_english(make_app) -> None:
    app = make_app(language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = CompareScreen()
        await app.push_screen(screen)
        await pilot.pause()
        assert screen.query_one("#prompt-pick", Select).prompt == "pick a prompt"
        screen.query_one("#scenario", Input).value = "no-such-scenario"
        screen.action_run_bench()
        verdict = screen.query_one("#verdict", Static)
        assert await until(pilot, lambda: shown(verdict).startswith("failed: "))
