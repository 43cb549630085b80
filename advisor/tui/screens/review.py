"""Review: page through a training, test or drafts file; accept, edit, reject, undo, save.

Only the visible page is read and checked (:class:`advisor.data.review.ReviewQueue`
indexes line offsets and parses a page at a time), so a 10,000-line file opens
as fast as a 20-line one.  Every decision goes to the review log as it is made.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Footer, Header, Input, Static

from advisor.errors import AdvisorError
from advisor.tui.i18n import tr
from advisor.tui.screens.base import AdvisorScreen

if TYPE_CHECKING:
    from advisor.data.review import ReviewQueue, ReviewRow

PAGE_SIZE = 20
STATUS = {"pending": "·", "accepted": "✓", "edited": "✎", "rejected": "✗"}
# 80 columns wide with the table's padding: the screen must fit a default terminal.
COLUMNS = (("line", 5), ("status", 10), ("example", 36), ("findings", 14))


class ReviewScreen(AdvisorScreen):
    DEFAULT_CSS = """
    #review { padding: 0 1; height: 1fr; }
    #review-bar { height: auto; }
    #review-bar Input { width: 1fr; }
    #review-summary { margin: 0 1; height: 1; }
    #review-rows { height: 1fr; }
    #review-detail { height: 3; margin: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("a", "decide('accept')", "Accept"),
        Binding("e", "edit", "Edit"),
        Binding("r", "decide('reject')", "Reject"),
        Binding("u", "undo", "Undo"),
        Binding("s", "save", "Save"),
        Binding("A", "accept_page", "Accept page", show=False),
        Binding("n", "page(1)", "Next"),
        Binding("p", "page(-1)", "Prev"),
    ]

    queue: ReviewQueue | None = None
    page_number = 1
    rows: tuple[ReviewRow, ...] = ()  # the page on screen, replaced by draw_page

    def compose(self) -> ComposeResult:
        lang = self.session.language
        yield Header()
        with Vertical(id="review"):
            with Horizontal(id="review-bar"):
                yield Input(
                    self.session.data_file or "",
                    placeholder=tr("file to review (.jsonl)", lang),
                    id="review-file",
                )
                yield Input(placeholder=tr("accept into (training file)", lang), id="review-into")
                yield Button(tr("Open", lang), variant="primary", id="review-open")
            yield Static(
                tr("Open a training, test or drafts file.", lang),
                id="review-summary",
                classes="retr",
            )
            table: DataTable[str] = DataTable(
                id="review-rows", cursor_type="row", zebra_stripes=True
            )
            yield table
            yield Static(id="review-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = tr("review", self.session.language)
        table = self.query_one("#review-rows", DataTable)
        for label, width in COLUMNS:
            table.add_column(tr(label, self.session.language), width=width, key=label)

    def language_changed(self) -> None:
        from rich.text import Text

        table = self.query_one("#review-rows", DataTable)
        for label, _ in COLUMNS:
            table.columns[label].label = Text(tr(label, self.session.language))  # type: ignore[index]
        table.refresh()
        self.draw_page()

    # --- opening ------------------------------------------------------------------------

    @on(Input.Submitted)
    @on(Button.Pressed, "#review-open")
    def action_open(self) -> None:
        text = self.query_one("#review-file", Input).value.strip()
        if not text:
            self.notify(tr("type the path of a JSONL file", self.session.language))
            return
        into = self.query_one("#review-into", Input).value.strip() or None
        self.open_file(Path(text).expanduser(), Path(into).expanduser() if into else None)

    @work(thread=True, exit_on_error=False, exclusive=True, group="review")
    def open_file(self, path: Path, into: Path | None) -> None:
        from advisor.app.review import open_queue

        queue = open_queue(path, into=into, page_size=PAGE_SIZE)
        self.app.call_from_thread(self._opened, queue)

    def _opened(self, queue: ReviewQueue) -> None:
        if not self.is_attached:  # left while the file was being indexed
            return
        self.queue, self.page_number = queue, 1
        self.draw_page()
        self.query_one("#review-rows", DataTable).focus()

    # --- drawing ------------------------------------------------------------------------

    def draw_page(self, cursor: int | None = None) -> None:
        """Draw the current page (reading only its lines) and keep the cursor."""
        if self.queue is None:
            return
        table = self.query_one("#review-rows", DataTable)
        keep = table.cursor_row if cursor is None else cursor
        page = self.queue.page(self.page_number)
        self.page_number = page.page
        self.rows = tuple(page.rows)
        table.clear()
        for row in page.rows:
            table.add_row(
                str(row.line),
                f"{STATUS[row.status]} {tr(row.status, self.session.language)}",
                _preview(row, 36),
                _findings(row),
                key=str(row.line),
            )
        if page.rows:
            table.move_cursor(row=min(max(keep, 0), len(page.rows) - 1))
        self._summary()
        self._detail()

    def _summary(self) -> None:
        assert self.queue is not None
        lang, counts = self.session.language, self.queue.counts()
        text = tr("{name} ({method}) · page {page}/{pages}", lang).format(
            name=self.queue.path.name,
            method=self.queue.method,
            page=self.page_number,
            pages=self.queue.pages,
        )
        tally = tr("{pending} pending · ✓ {accepted} · ✎ {edited} · ✗ {rejected}", lang)
        self.query_one("#review-summary", Static).update(
            f"{text} · {tally.format(**counts.model_dump())}"
        )

    def _current(self) -> ReviewRow | None:
        table = self.query_one("#review-rows", DataTable)
        rows = self.rows
        if not rows or not 0 <= table.cursor_row < len(rows):
            return None
        return rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#review-rows")
    def _detail(self) -> None:
        row = self._current()
        lines: list[str] = []
        if row is not None:
            lang = self.session.language
            if row.draft is not None:
                lines.append(
                    tr("draft: {origin} by {teacher} from {source}", lang).format(
                        **row.draft.model_dump(include={"origin", "teacher", "source"})
                    )
                )
            for found in row.findings[: 3 - len(lines)]:
                lines.append(f"{tr(found.level, lang)} [{found.code}] {found.message_in(lang)}")
            if not lines:
                lines.append(tr("no findings", lang))
        self.query_one("#review-detail", Static).update("\n".join(lines))

    # --- decisions ----------------------------------------------------------------------

    def _guard(self, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except AdvisorError as exc:
            self.advisor.show_error(exc)
            return None

    def action_decide(self, action: str) -> None:
        row = self._current()
        if self.queue is None or row is None:
            return
        method = self.queue.accept if action == "accept" else self.queue.reject
        if self._guard(method, [row.line]) is None:
            return
        table = self.query_one("#review-rows", DataTable)
        self.draw_page(cursor=table.cursor_row + 1)

    def action_accept_page(self) -> None:
        from advisor.app.review import accept_page

        if self.queue is None:
            return
        accepted = self._guard(accept_page, self.queue, self.page_number)
        if accepted is not None:
            self.notify(tr("{n} accepted", self.session.language).format(n=accepted), timeout=2)
            self.action_page(1)

    def action_undo(self) -> None:
        if self.queue is None:
            return
        entry = self._guard(self.queue.undo)
        if entry is not None and entry.line is not None:
            self.page_number = (entry.line - 1) // self.queue.page_size + 1
            self.draw_page(cursor=(entry.line - 1) % self.queue.page_size)

    def action_page(self, step: int) -> None:
        if self.queue is not None:
            self.page_number = min(max(1, self.page_number + step), self.queue.pages)
            self.draw_page(cursor=0)

    def action_edit(self) -> None:
        from advisor.app.review import parse_edit
        from advisor.tui.widgets.edit_dialog import EditDialog

        row = self._current()
        if self.queue is None or row is None:
            return
        lang = self.session.language
        if row.example is not None:
            text = json.dumps(row.example, ensure_ascii=False, indent=2)
        else:
            text = row.raw or ""
        self.app.push_screen(
            EditDialog(
                tr("Edit line {line}", lang).format(line=row.line),
                text,
                save=tr("Save", lang),
                cancel=tr("Cancel", lang),
                check=lambda new: parse_edit(new, row.line, command_line=False),
            ),
            lambda new: self._edited(row.line, new),
        )

    def _edited(self, line: int, text: str | None) -> None:
        from advisor.app.review import parse_edit

        if text is None or self.queue is None:
            return
        queue = self.queue
        edited = self._guard(lambda: queue.edit(line, parse_edit(text, line, command_line=False)))
        if edited is not None:
            self.draw_page()

    def action_save(self) -> None:
        """Save on the UI thread: a page's decisions must not race the rewrite of the file
        (streaming 10,000 lines to disk takes a blink)."""
        from advisor.app.review import save

        if self.queue is None:
            return
        result = self._guard(save, self.queue)
        if result is None:
            return
        lang = self.session.language
        message = tr("saved: {kept} kept, {added} added, {rejected} rejected", lang)
        self.notify(message.format(**result.model_dump()), timeout=4)
        self.page_number = 1
        self.draw_page(cursor=0)


def _preview(row: ReviewRow, width: int) -> str:
    from advisor.data.review.text import preview

    return preview(row, width)


def _findings(row: ReviewRow) -> str:
    if not row.findings:
        return "-"
    codes = ", ".join(dict.fromkeys(f.code for f in row.findings))
    return codes if len(codes) <= 14 else codes[:13] + "…"
