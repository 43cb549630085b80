"""The wizard's Data and Review screens show validation issues and findings in its language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from advisor.tui.screens.data import DataScreen
from advisor.tui.screens.review import ReviewScreen
from tests.conftest import FIXTURES
from tests.tui.waiting import until

pytestmark = pytest.mark.anyio

PLANTED = FIXTURES / "data" / "planted"


def _rows(screen: DataScreen) -> list[list[str]]:
    table = screen.query_one("#issues", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_the_data_screen_lists_issues_in_japanese_and_f3_switches_them(make_app) -> None:
    app = make_app(language="ja")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("d")
        screen = app.screen
        assert isinstance(screen, DataScreen)
        screen.query_one("#file", Input).value = str(PLANTED / "sft.jsonl")
        await pilot.press("f5")
        assert await until(pilot, lambda: len(_rows(screen)) > 20)
        rows = {row[0]: row for row in _rows(screen)}
        assert rows["3"][1:] == [
            "エラー",
            "not_object",
            "各行は JSON オブジェクトでなければなりません(配列になっています)",
        ]
        assert rows["18"][3] == "1 行目と同じです"
        await pilot.press("f3")
        assert await until(pilot, lambda: _rows(screen)[1][3].startswith("each line"))
        rows = {row[0]: row for row in _rows(screen)}
        assert rows["3"][3] == "each line must be a JSON object, not an array"
        assert rows["18"][3] == "same as line 1"


async def test_the_review_screen_shows_findings_in_japanese(make_app, tmp_path: Path) -> None:
    file = tmp_path / "review.jsonl"
    shutil.copy(PLANTED / "review.jsonl", file)
    app = make_app(language="ja")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("v")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.query_one("#review-file", Input).value = str(file)
        await pilot.click("#review-open")
        table = screen.query_one("#review-rows", DataTable)
        assert await until(pilot, lambda: table.row_count == 5)
        detail = screen.query_one("#review-detail", Static)
        table.focus()
        table.move_cursor(row=1)
        assert await until(pilot, lambda: "typo_ja_doubled" in str(detail.render()))
        shown = str(detail.render())
        assert "[typo_ja_doubled] 要確認: 'ざいますます'(候補: 'ざいます')" in shown
        assert "flagged" not in shown
        await pilot.press("f3")
        assert await until(pilot, lambda: "flagged 'ざいますます'" in str(detail.render()))


async def test_the_run_screen_shows_a_core_progress_label_in_japanese(make_app) -> None:
    from advisor.data.texts import Label
    from advisor.tui.screens.run import RunScreen

    app = make_app(language="ja")
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(RunScreen())
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunScreen)
        screen.show_progress(1, 3, Label("progress.rag_writing"))
        assert await until(pilot, lambda: screen.sub_title.endswith("チャンクを書き込み中"))
        screen.show_progress(1, 3, "notes.md")  # a file name is shown as it is
        assert await until(pilot, lambda: screen.sub_title.endswith("notes.md"))


async def test_the_cleaners_japanese_flags_are_listed_in_japanese(make_app, tmp_path) -> None:
    source = tmp_path / "review.jsonl"
    shutil.copy(PLANTED / "review.jsonl", source)
    app = make_app(language="ja")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("d")
        screen = app.screen
        assert isinstance(screen, DataScreen)
        screen.query_one("#file", Input).value = str(source)
        await pilot.press("f5")
        assert await until(pilot, lambda: screen.report is not None)
        await app.workers.wait_for_complete()
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("enter")  # accept the proposed review.clean.jsonl
        assert await until(pilot, lambda: (tmp_path / "review.clean.jsonl").is_file())
        assert await until(pilot, lambda: any(r[2] == "typo_ja_doubled" for r in _rows(screen)))
        actions = {row[2]: row[1] for row in _rows(screen)}
        assert actions["typo_ja_doubled"] == "要確認" and actions["pii"] == "変更"
