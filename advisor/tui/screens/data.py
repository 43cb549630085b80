"""Data: check a training file, see its statistics and cost, clean it, read its lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Footer, Header, Input, ProgressBar, Select, Static

from advisor.data.texts import say
from advisor.messages import duration_text
from advisor.tui.screens.base import AdvisorScreen
from advisor.tui.widgets.dialogs import PathDialog, TextDialog

METHODS = [("SFT", "sft"), ("DPO", "dpo"), ("RFT", "rft")]


class DataScreen(AdvisorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+o", "browse", "Open file"),
        Binding("f5", "check", "Check"),
        Binding("f4", "clean", "Clean"),
        Binding("f6", "run", "Run ▶"),
        Binding("f7", "review", "Review", show=False),
    ]

    def compose(self) -> ComposeResult:
        session = self.session
        yield Header()
        with Vertical(id="data"):
            with Horizontal(id="data-bar"):
                yield Input(
                    session.data_file or "", placeholder=self.t("training file (.jsonl)"), id="file"
                )
                yield Select(METHODS, value=session.method, allow_blank=False, id="method")
                yield Button(self.t("Check"), variant="primary", id="check")
            yield ProgressBar(show_eta=False, id="data-progress")
            yield Static(
                self.t("Pick a JSONL file (ctrl+o) and check it (F5)."),
                id="data-summary",
                classes="retr",
            )
            yield Static(id="data-stats", markup=False)
            table: DataTable[str] = DataTable(id="issues", cursor_type="row", zebra_stripes=True)
            yield table
        yield Footer()

    lines_of: Path | None = None
    """The file the table's line numbers refer to."""
    report: Any = None  # the validation report the issue table shows (None: none, or cleaned)

    def on_mount(self) -> None:
        self.sub_title = self.t("data")
        table = self.query_one("#issues", DataTable)
        # Fixed widths: auto widths are computed on idle, so they could lag behind rows.
        for label, width in (("line", 5), ("level", 8), ("code", 22), ("message", 90)):
            table.add_column(self.t(label), width=width)
        self.query_one("#data-progress", ProgressBar).display = False
        if self.session.data_file:
            self.action_check()

    # --- inputs ------------------------------------------------------------------------

    def action_browse(self) -> None:
        self.app.push_screen(
            PathDialog(self.t("Open a training file"), suffixes=(".jsonl", ".json")), self._picked
        )

    def _picked(self, path: Path | None) -> None:
        if path is not None:
            self.query_one("#file", Input).value = str(path)
            self.action_check()

    @on(Input.Submitted, "#file")
    @on(Button.Pressed, "#check")
    def action_check(self) -> None:
        text = self.query_one("#file", Input).value.strip()
        if not text:
            self.notify(
                self.t("type the path of a JSONL file, or press ctrl+o"), severity="warning"
            )
            return
        path = Path(text).expanduser()
        self.session.data_file = str(path)
        self.session.method = str(self.query_one("#method", Select).value)  # type: ignore[assignment]
        self.query_one("#data-summary", Static).update(self.t("checking {path} …", path=path))
        self.query_one("#data-stats", Static).update("")
        self.query_one("#issues", DataTable).clear()
        progress = self.query_one("#data-progress", ProgressBar)
        progress.update(total=None, progress=0)
        progress.display = True
        self.check(path, self.session.method)

    # --- work --------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, exclusive=True, group="data")
    def check(self, path: Path, method: str) -> None:
        from advisor.data.validate import validate_file

        call = self.app.call_from_thread
        report = validate_file(path, method, progress=lambda lines: call(self._progress, lines))
        call(self._show_report, path, report)
        call(self.query_one("#data-stats", Static).update, self.t("counting tokens …"))
        from advisor.data.stats import compute_stats

        # Prices are OpenAI's: a local model id would price nothing, so it is not passed.
        remote = self.advisor.backend_name in ("openai", "azure")
        model = self.session.model if remote else None
        call(
            self._show_stats,
            compute_stats(path, method, model=model, settings=self.advisor.settings),
        )

    def _progress(self, lines: int) -> None:
        self.query_one("#data-progress", ProgressBar).update(progress=lines)

    def _show_report(self, path: Path, report: Any) -> None:
        self.lines_of = path
        self.query_one("#data-progress", ProgressBar).display = False
        verdict = self.t("ready to train" if report.ok else "fix the errors before training")
        self.query_one("#data-summary", Static).update(
            self.t(
                "[b]{name}[/b]: {examples} examples, {errors} errors, {warnings} warnings"
                " — {verdict}",
                name=path.name,
                examples=report.examples,
                errors=len(report.errors),
                warnings=len(report.warnings),
                verdict=verdict,
            )
        )
        self.report = report
        self._fill_issues()

    def _fill_issues(self) -> None:
        """The report's issues in the session's language (F3 redraws them)."""
        table = self.query_one("#issues", DataTable)
        table.clear()
        report = self.report
        for level, issues in (("error", report.errors), ("warning", report.warnings)):
            for issue in issues:
                message = issue.message_in(self.session.language)
                table.add_row(str(issue.line or "-"), self.t(level), issue.code, message)

    def language_changed(self) -> None:
        if self.report is not None:
            self._fill_issues()

    def _show_stats(self, stats: Any) -> None:
        target = self.query_one("#data-stats", Static)
        if stats is None:
            target.update(self.t("statistics are not available in this installation"))
            return
        cost = (
            self.t("cost unknown")
            if stats.estimated_cost_usd is None
            else self.t(
                "≈ {cost} on {model} (prices of {date})",
                cost=f"${stats.estimated_cost_usd:,.2f}",
                model=stats.model,
                date=stats.price_date,
            )
        )
        seconds = stats.local.estimated_training_seconds
        local = (
            ""
            if seconds is None
            else " · "
            + self.t(
                "local training ≈ {duration}",
                duration=duration_text(seconds, self.session.language),
            )
        )
        target.update(
            self.t(
                "{tokens} tokens · {epochs} epochs · {billed} billed tokens",
                tokens=f"{stats.total_tokens:,}",
                epochs=stats.default_epochs,
                billed=f"{stats.billed_tokens:,}",
            )
            + f" · {cost}{local}"
        )

    # --- lines and cleaning ---------------------------------------------------------------

    @on(DataTable.RowSelected, "#issues")
    def open_line(self, event: DataTable.RowSelected) -> None:
        row = event.data_table.get_row(event.row_key)
        line = str(row[0])
        # The finding in full above the line: the column cuts a long message (a Japanese
        # one at half the characters of an English one).
        finding = f"{row[2]}\n{row[3]}"
        if line.isdigit() and self.lines_of is not None:
            self.show_line(self.lines_of, int(line), finding)
        elif self.lines_of is not None:  # about the whole file: no line to show
            title = self.t("{name}, whole file", name=self.lines_of.name)
            self.app.push_screen(TextDialog(title, finding))

    @work(thread=True, exit_on_error=False, group="data-line")
    def show_line(self, path: Path, number: int, finding: str = "") -> None:
        from advisor.data.io import iter_lines

        raw = next((line for n, line in iter_lines(path) if n == number), b"")
        text = raw.decode("utf-8", errors="replace")
        try:
            import json

            text = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
        except ValueError:
            pass  # an invalid line is shown as it is: that is the point
        title = self.t("{name}, line {number}", name=path.name, number=number)
        text = f"{finding}\n\n{text}" if finding else text
        self.app.call_from_thread(self.app.push_screen, TextDialog(title, text))

    def action_clean(self) -> None:
        if not self.session.data_file:
            self.notify(self.t("check a file first"), severity="warning")
            return
        source = Path(self.session.data_file)
        default = source.with_name(source.stem + ".clean" + source.suffix)
        self.app.push_screen(
            PathDialog(self.t("Write the cleaned file to"), default=str(default), must_exist=False),
            self._clean_to(source),
        )

    @work(thread=True, exit_on_error=False, exclusive=True, group="data")
    def clean(self, source: Path, out: Path) -> None:
        from advisor.data.clean import clean_file

        report = out.with_name(out.stem + ".report.json")
        result = clean_file(source, out, report_path=report)
        self.app.call_from_thread(self._cleaned, source, result)

    def _cleaned(self, source: Path, result: Any) -> None:
        self.lines_of = source  # the report's lines are the input's
        self.report = None  # the table now lists the cleaner's changes
        summary = result.summary()
        self.query_one("#file", Input).value = result.output
        self.session.data_file = result.output
        self.query_one("#data-summary", Static).update(
            self.t(
                "[b]cleaned[/b]: {read} read, {written} written, {removed} removed, "
                "{changes} changed, {flags} flagged → {name} (F5 checks it)",
                read=summary.read,
                written=summary.written,
                removed=summary.removed,
                changes=summary.changes,
                flags=summary.flags,
                name=Path(result.output).name,
            )
        )
        self.query_one("#data-stats", Static).update(self.t("report: {path}", path=result.report))
        table = self.query_one("#issues", DataTable)
        table.clear()
        for number, item in enumerate(result.items):
            where = f"{item.field}: " if item.field else ""
            change = f"{item.before!r} → {item.after!r}" if item.before or item.after else ""
            action = say(f"clean.{item.action}").render(self.session.language)
            table.add_row(
                str(item.line), action, item.rule, _clip(where + change), key=f"c{number}"
            )

    def _clean_to(self, source: Path) -> Callable[[Path | None], None]:
        def chosen(out: Path | None) -> None:
            if out is not None:
                self.clean(source, out)

        return chosen

    def action_run(self) -> None:
        self.go("run")

    def action_review(self) -> None:
        """The review queue, on the file typed here."""
        text = self.query_one("#file", Input).value.strip()
        if text:
            self.session.data_file = text
        self.go("review")


def _clip(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
