"""The last wizard texts that follow the language switch (issue 14 item 4): the Run log's
level tag, the rag screen's skip line and the Compare screen's tab titles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, RichLog, Tab

from advisor.app.jobs import JobUpdate
from advisor.tui.screens.compare import CompareScreen
from advisor.tui.screens.run import RunScreen
from backends.jobs import JobEvent
from tests.conftest import REPO
from tests.jobs_fixture import make_job
from tests.tui.waiting import until

pytestmark = pytest.mark.anyio

DOCS = REPO / "tests" / "fixtures" / "tui" / "docs"


def log_text(screen: RunScreen) -> str:
    log = screen.query_one("#run-log", RichLog)
    return "\n".join("".join(segment.text for segment in line) for line in log.lines)


@pytest.mark.parametrize(
    ("language", "line"),
    [("ja", "[エラー] 学習に失敗しました: boom"), ("en", "[error] Training failed: boom")],
)
async def test_the_run_log_level_tag_in_the_session_language(make_app, language, line) -> None:
    app = make_app(language=language)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = RunScreen()
        await app.push_screen(screen)
        await pilot.pause()
        job = make_job(id="ftjob-x", backend="fake")
        event = JobEvent(id="e1", level="error", message="Training failed: boom")
        screen.tune.job_update(JobUpdate(job=job, events=[event]))
        assert await until(pilot, lambda: line in log_text(screen)), log_text(screen)


@pytest.mark.parametrize(
    ("language", "reason"),
    [("ja", "テキストが見つかりません"), ("en", "no text found")],
)
async def test_the_rag_skip_line_in_the_session_language(
    make_app, tmp_path: Path, language: str, reason: str
) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    (docs / "empty.md").write_text("  \n", encoding="utf-8")
    app = make_app(route="rag", language=language)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = RunScreen()
        await app.push_screen(screen)
        screen.query_one("#documents", Input).value = str(docs)
        screen.query_one("#kb", Input).value = "acme"
        await pilot.press("f5")
        assert await until(pilot, lambda: "empty.md" in log_text(screen), timeout_s=60)
        text = log_text(screen)
        skipped = "スキップ" if language == "ja" else "skipped"
        line = f"{skipped} {docs / 'empty.md'}: {reason}"
        assert squeezed(line) in squeezed(text), text  # the log wraps a long path
        assert "path=" not in text and "reason=" not in text


def squeezed(text: str) -> str:
    return "".join(text.split())


def titles(screen: CompareScreen) -> list[str]:
    return [tab.label.plain for tab in screen.query(Tab)]


async def test_the_compare_tabs_in_japanese_then_english(make_app) -> None:
    app = make_app(language="ja")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = CompareScreen()
        await app.push_screen(screen)
        await pilot.pause()
        assert titles(screen) == ["表", "グラフ", "回答例", "費用"]
        await pilot.press("f3")
        english = ["Table", "Chart", "Samples", "Cost"]
        assert await until(pilot, lambda: titles(screen) == english), titles(screen)


async def test_the_compare_tabs_in_english(make_app) -> None:
    app = make_app(language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = CompareScreen()
        await app.push_screen(screen)
        await pilot.pause()
        assert titles(screen) == ["Table", "Chart", "Samples", "Cost"]
