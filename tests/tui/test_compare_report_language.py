"""The Compare screen in the wizard's language (issue 14 item 4): a skipped route's status
and reason, and the report files it exports (report.md, report.html)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from advisor.bench.report import load_results
from advisor.tui.screens.compare import CompareScreen
from tests.conftest import REPO
from tests.tui.waiting import until

pytestmark = pytest.mark.anyio

RESULTS = REPO / "tests/fixtures/bench/report/results.json"


@pytest.mark.parametrize(
    ("language", "status", "reason", "heading", "lang_attr"),
    [
        ("en", "skipped", "the scenario has no dpo training file", "## Results", "lang='en'"),
        ("ja", "スキップ", "シナリオに dpo の学習ファイルがありません", "## 結果", "lang='ja'"),
    ],
)
async def test_compare_shows_and_exports_the_report_in_the_session_language(
    make_app, tmp_path: Path, language, status, reason, heading, lang_attr
) -> None:
    app = make_app(language=language)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = CompareScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen.show_results(load_results(RESULTS))
        await pilot.pause()
        table = screen.query_one("#bench-table", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert ["dpo", status, reason] == next(r[:3] for r in rows if r[0] == "dpo")
        screen.export(tmp_path / "out")
        report = tmp_path / "out" / "report.html"
        assert await until(pilot, lambda: report.exists() and report.stat().st_size > 0)
        await pilot.pause()
    assert heading in (tmp_path / "out" / "report.md").read_text("utf-8")
    assert f"<html {lang_attr}>" in report.read_text("utf-8")
