"""Snapshot: the Review screen on a drafts file, findings inline, at 80x24."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Input

from tests.conftest import FIXTURES


@pytest.mark.parametrize("size", [pytest.param((80, 24), id="80x24")])
def test_review_drafts(snap, make_app, tmp_path, monkeypatch, size) -> None:
    lines = (FIXTURES / "review" / "drafts100.jsonl").read_text(encoding="utf-8").splitlines()
    dirty = json.loads(lines[2])
    dirty["messages"][2]["content"] = "Mail <b>us</b> at help@example.com for the warranty."
    lines[2] = json.dumps(dirty)  # the cursor's line: cleaning findings in the detail
    lines[4] = '{"messages": [{"role": "user"'  # a broken line: its error in the table
    (tmp_path / "drafts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # relative paths: the picture must not show tmp_path

    async def run(pilot) -> None:
        await pilot.press("v")
        screen = pilot.app.screen
        screen.query_one("#review-file", Input).value = "drafts.jsonl"
        screen.query_one("#review-into", Input).value = "train.jsonl"
        await pilot.click("#review-open")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("a", "r")  # one accepted, one rejected: both marks on screen

    assert snap(make_app(), run)
