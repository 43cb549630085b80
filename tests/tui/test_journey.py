"""The whole consultant journey on the fake backend, keyboard only:
interview -> results -> data -> run (fine-tune) -> compare -> chat, then save the session."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select
from textual.worker import WorkerFailed

from advisor.criteria import load_catalog
from advisor.tui.screens.chat import ChatScreen, ChatTurn
from advisor.tui.screens.compare import CompareScreen
from advisor.tui.screens.data import DataScreen
from advisor.tui.screens.interview import InterviewScreen
from advisor.tui.screens.results import ResultsScreen
from advisor.tui.screens.run import RunScreen
from advisor.tui.widgets.dialogs import ConfirmDialog
from tests.conftest import FIXTURES

pytestmark = pytest.mark.anyio


async def settle(app, pilot) -> None:
    for _ in range(3):
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()


async def test_whole_journey(make_app, tmp_path: Path) -> None:
    catalog = load_catalog()
    app = make_app()
    app.session_path = tmp_path / "session.json"
    async with app.run_test(size=(120, 40)) as pilot:
        # Interview: answer the first question "yes", skip the rest (defaults apply).
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)
        await pilot.press("up", "enter")
        for _ in catalog.questions[1:]:
            await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert app.session.answers == {catalog.questions[0].id: True}
        primary = app.screen.assessment.recommendation.primary

        # Data: check the training file.
        await pilot.press("d")
        assert isinstance(app.screen, DataScreen)
        assert app.session.route == primary
        app.screen.query_one("#file", Input).value = str(FIXTURES / "tui" / "train_ok.jsonl")
        await pilot.press("f5")
        await settle(app, pilot)
        assert "12 examples, 0 errors" in str(app.screen.query_one("#data-summary").render())

        # Run: fine-tune with SFT on the checked file, confirm the preview.
        await pilot.press("f6")
        assert isinstance(app.screen, RunScreen)
        app.screen.query_one("#route", Select).value = "sft"
        await pilot.pause()
        assert app.screen.query_one("#train", Input).value.endswith("train_ok.jsonl")
        await pilot.press("f5")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.session.fine_tuned_model

        # Compare: benchmark the tiny scenario on the system prompt route.
        await pilot.press("f7")
        assert isinstance(app.screen, CompareScreen)
        app.screen.query_one("#scenario", Input).value = str(FIXTURES / "bench" / "tiny")
        app.screen.query_one("#routes", Input).value = "system_prompt"
        await pilot.press("f5")
        await settle(app, pilot)
        compare = app.screen
        assert compare.results is not None
        assert compare.query_one("#bench-table", DataTable).row_count == 1
        assert (Path(app.session.report_dir) / "report.html").is_file()

        # Chat with the fine-tuned model.
        await pilot.press("f6")
        assert isinstance(app.screen, ChatScreen)
        target = app.screen.query_one("#target", Select)
        assert target.value == "fine_tuned"
        app.screen.query_one("#prompt", Input).value = "hello"
        await pilot.press("enter")
        await settle(app, pilot)
        assert [str(t.render()) for t in app.screen.query(ChatTurn)][-1] == "fake reply: hello"

        await pilot.press("ctrl+s")
        await pilot.press("ctrl+q")
    assert app.return_code == 0
    saved = json.loads((tmp_path / "session.json").read_text(encoding="utf-8"))
    assert saved["job_ids"] and saved["fine_tuned_model"] and saved["report_dir"]
