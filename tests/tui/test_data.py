"""Data screen: validation with line numbers, statistics and cost, opening a line."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static

from advisor.tui.screens.data import DataScreen
from advisor.tui.widgets.dialogs import ErrorDialog, TextDialog
from tests.conftest import FIXTURES

pytestmark = pytest.mark.anyio

GOOD = FIXTURES / "tui" / "train_ok.jsonl"
BAD = FIXTURES / "tui" / "train_bad.jsonl"


async def check(app, pilot, path) -> DataScreen:
    await pilot.press("d")
    screen = app.screen
    assert isinstance(screen, DataScreen)
    screen.query_one("#file", Input).value = str(path)
    await pilot.press("f5")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_good_file_shows_stats_and_cost(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await check(app, pilot, GOOD)
        summary = str(screen.query_one("#data-summary", Static).render())
        assert "12 examples, 0 errors" in summary
        stats = str(screen.query_one("#data-stats", Static).render())
        assert "epochs" in stats and "$" in stats
        assert app.session.data_file == str(GOOD)


async def test_bad_file_lists_errors_with_lines_and_opens_a_line(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await check(app, pilot, BAD)
        table = screen.query_one("#issues", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert rows[1][:3] == ["2", "error", "invalid_json"]
        assert rows[2][:3] == ["3", "error", "no_assistant_message"]
        table.focus()
        table.move_cursor(row=2)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        assert "no answer here" in app.screen.text
        assert app.screen.title_text.endswith("line 3")


async def test_missing_file_is_an_error_dialog(make_app, tmp_path) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await check(app, pilot, tmp_path / "nope.jsonl")
        assert isinstance(app.screen, ErrorDialog)
        assert "nope.jsonl" in app.screen.message


async def test_clean_writes_a_new_file_and_lists_changes(make_app, tmp_path) -> None:
    source = tmp_path / "dirty.jsonl"
    lines = GOOD.read_text(encoding="utf-8").splitlines()
    source.write_text("\n".join([*lines, lines[0]]) + "\n", encoding="utf-8")  # a duplicate
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await check(app, pilot, source)
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("enter")  # accept the proposed dirty.clean.jsonl
        await app.workers.wait_for_complete()
        await pilot.pause()
        out = tmp_path / "dirty.clean.jsonl"
        assert out.is_file()
        assert len(out.read_text(encoding="utf-8").splitlines()) == len(lines)
        summary = str(screen.query_one("#data-summary", Static).render())
        assert "1 removed" in summary
        table = screen.query_one("#issues", DataTable)
        assert any(table.get_row_at(i)[1] == "removed" for i in range(table.row_count))
        assert app.session.data_file == str(out)
