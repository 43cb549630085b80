"""The Run screen's job log in the wizard's language (issue 14 item 4): the fake job's
events, stored in English, read in Japanese."""

from __future__ import annotations

import pytest
from textual.widgets import Input, RichLog, Select

from advisor.tui.screens.run import RunScreen
from advisor.tui.widgets.dialogs import ConfirmDialog
from tests.tui.test_run import TRAIN
from tests.tui.waiting import until

pytestmark = pytest.mark.anyio


def log_text(screen: RunScreen) -> str:
    log = screen.query_one("#run-log", RichLog)
    return "\n".join("".join(segment.text for segment in line) for line in log.lines)


@pytest.mark.parametrize(
    ("language", "created", "done"),
    [
        ("ja", "ファインチューニングジョブを作成しました: ftjob", "ジョブが正常に完了しました"),
        ("en", "Created fine-tuning job: ftjob", "The job has successfully completed"),
    ],
)
async def test_job_log_in_the_session_language(make_app, language, created, done) -> None:
    app = make_app(language=language)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = RunScreen()
        await app.push_screen(screen)
        screen.query_one("#route", Select).value = "sft"
        screen.query_one("#train", Input).value = str(TRAIN)
        await pilot.pause()
        await pilot.press("f5")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        assert await until(pilot, lambda: done in log_text(screen)), log_text(screen)
        text = log_text(screen)
        assert created in text
        if language == "ja":
            assert "Created" not in text and "completed" not in text, text
