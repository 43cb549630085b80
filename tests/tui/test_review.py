"""Review screen: 20 examples plus 100 drafts become 120, paging reads only the page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from advisor.data.validate import validate_file
from advisor.tui.screens.review import ReviewScreen
from advisor.tui.widgets.dialogs import ErrorDialog
from advisor.tui.widgets.edit_dialog import EditDialog
from tests.conftest import FIXTURES

pytestmark = pytest.mark.anyio

REVIEW = FIXTURES / "review"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    for name in ("drafts100.jsonl", "train20.jsonl"):
        shutil.copy(REVIEW / name, tmp_path / name)
    return tmp_path / "drafts100.jsonl", tmp_path / "train20.jsonl"


async def open_review(app, pilot, path: Path, into: Path | None = None) -> ReviewScreen:
    await pilot.press("v")
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    screen.query_one("#review-file", Input).value = str(path)
    screen.query_one("#review-into", Input).value = str(into or "")
    await pilot.click("#review-open")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_accepting_100_drafts_grows_20_examples_to_120(make_app, files) -> None:
    drafts, train = files
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, drafts, train)
        table = screen.query_one("#review-rows", DataTable)
        assert table.row_count == 20
        detail = str(screen.query_one("#review-detail", Static).render())
        assert "draft: paraphrase by fake:teacher-1" in detail
        await pilot.press("a", "a")  # two one by one, then the rest page by page
        assert screen.queue is not None and screen.queue.counts().accepted == 2
        await pilot.press("r", "u")  # a reject, undone
        assert screen.queue.counts().rejected == 0
        for _ in range(5):
            await pilot.press("A")
        assert screen.queue.counts().accepted == 100
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    report = validate_file(train, "sft")
    assert report.ok and report.examples == 120, report.errors[:3]
    assert drafts.read_text(encoding="utf-8") == ""  # every draft reviewed and moved


async def test_edit_in_the_dialog_is_validated(make_app, files) -> None:
    drafts, _ = files
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, drafts)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditDialog)
        fixed = {
            "messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A."}]
        }
        app.screen.query_one("#edit-json").text = json.dumps(fixed)
        await pilot.click("#done")
        await pilot.pause()
        assert screen.queue is not None and screen.queue.row(1).status == "edited"
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#edit-json").text = '{"messages": []}'
        await pilot.click("#done")
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert "edit of line 1 is not a valid sft example" in app.screen.message


async def test_a_10000_line_file_reads_only_the_visible_page(make_app, tmp_path) -> None:
    line = {
        "messages": [
            {"role": "user", "content": "How long is the warranty?"},
            {"role": "assistant", "content": "Two years."},
        ]
    }
    path = tmp_path / "big.jsonl"
    path.write_text((json.dumps(line) + "\n") * 10_000, encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, path)
        assert screen.queue is not None and len(screen.queue) == 10_000
        assert screen.queue.parsed <= 20
        await pilot.press("n", "n")
        assert screen.query_one("#review-rows", DataTable).get_row_at(0)[0] == "41"
        assert screen.queue.parsed <= 60


async def test_reachable_from_the_data_screen_with_its_file(make_app, files) -> None:
    drafts, _ = files
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        app.screen.query_one("#file", Input).value = str(drafts)
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.query_one("#review-file", Input).value == str(drafts)


async def test_japanese_labels_and_f3(make_app, files) -> None:
    drafts, _ = files
    app = make_app(language="ja")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, drafts)
        summary = str(screen.query_one("#review-summary", Static).render())
        assert "1/5 ページ" in summary and "未確認 100" in summary
        table = screen.query_one("#review-rows", DataTable)
        assert "未確認" in str(table.get_row_at(0)[1])
        assert [str(c.label) for c in table.columns.values()][:2] == ["行", "状態"]
        assert "下書き" in str(screen.query_one("#review-detail", Static).render())
        await pilot.press("f3")
        await pilot.pause()
        assert "page 1/5" in str(screen.query_one("#review-summary", Static).render())
        assert [str(c.label) for c in table.columns.values()][:2] == ["line", "status"]


async def test_twenty_examples_drafted_reviewed_and_accepted_become_120(make_app, tmp_path) -> None:
    """Issue 17 acceptance, whole: the teacher drafts 100 (fake backend), a person accepts them."""
    from advisor.app.grow import GrowRequest, plan_grow, run_grow
    from advisor.settings import load_settings

    grow = FIXTURES / "grow"
    train, drafts = tmp_path / "train.jsonl", tmp_path / "drafts.jsonl"
    shutil.copy(grow / "train20.jsonl", train)
    request = GrowRequest(
        train=train,
        out=drafts,
        backend="fake",
        docs=str(FIXTURES / "rag" / "docs"),
        test=grow / "test.jsonl",
        count=100,
    )
    summary = run_grow(plan_grow(request, load_settings(backend="fake")))
    assert summary.drafted == 100
    assert not validate_file(drafts, "sft").ok  # drafts are not training data yet
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, drafts, train)
        for _ in range(5):
            await pilot.press("A")
        assert screen.queue is not None and screen.queue.counts().accepted == 100
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    report = validate_file(train, "sft")
    assert report.ok and report.examples == 120, report.errors[:3]
