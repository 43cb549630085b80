"""Compare: run or load a benchmark, read it per route, and export the report files."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    ProgressBar,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from advisor.data.texts import label_in
from advisor.errors import AdvisorError, DataFileError
from advisor.tui.i18n import tr
from advisor.tui.screens.base import AdvisorScreen, cannot_write
from advisor.tui.widgets.charts import ScoreBar
from advisor.tui.widgets.cost_panel import CostPanel
from advisor.tui.widgets.dialogs import PathDialog

if TYPE_CHECKING:
    from advisor.bench.schema import BenchResults


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


class CompareScreen(AdvisorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f5", "run_bench", "Run"),
        Binding("f8", "cancel", "Cancel"),
        Binding("ctrl+o", "load", "Load"),
        Binding("f9", "export", "Export"),
        Binding("f6", "chat", "Chat ▶"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.results: BenchResults | None = None
        self.cancel_event = threading.Event()

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="compare"):
            with Horizontal(id="compare-bar"):
                yield Input(
                    self.session.scenario or "", placeholder=self.t("scenario"), id="scenario"
                )
                yield Input("", placeholder=self.t("routes, e.g. rag,sft or all"), id="routes")
                yield Button(self.t("Run"), variant="primary", id="run-bench")
            yield ProgressBar(show_eta=False, id="bench-progress")
            yield Static(
                self.t("Run a benchmark (F5) or load a results.json (ctrl+o)."),
                id="verdict",
                classes="retr",
            )
            yield Static("", id="outcome", markup=False)
            with TabbedContent(id="bench-tabs"):
                with TabPane(self.t("Table"), id="tab-table"):
                    yield DataTable(id="bench-table", cursor_type="row", zebra_stripes=True)
                with TabPane(self.t("Chart"), id="tab-chart"):
                    yield VerticalScroll(id="bench-chart")
                with TabPane(self.t("Samples"), id="tab-samples"):
                    yield Select([], prompt=self.t("pick a prompt"), id="prompt-pick")
                    yield Horizontal(id="samples")
                with TabPane(self.t("Cost"), id="tab-cost"):
                    yield CostPanel(id="cost-panel")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.t("compare")
        self.query_one("#outcome", Static).display = False  # until a bench is shown
        table = self.query_one("#bench-table", DataTable)
        # Fixed widths: auto widths are computed on idle, so they could lag behind rows.
        # Each is the wider of its header (in this language) and its values, plus one
        # cell between columns: with the default padding of two, 80 columns cut the
        # last header and "custom_assistant" (16 characters).
        table.cell_padding = 0
        for label, values in (
            ("route", 16),
            ("pass", 4),
            ("95% CI", 9),
            ("format", 4),
            ("style", 4),
            ("accuracy", 4),
            ("p50 s", 5),
            ("tok/req", 5),
            ("$/1k", 5),
        ):
            header = self.t(label)
            table.add_column(header, width=max(cell_len(header), values) + 1)
        self.query_one("#bench-progress", ProgressBar).display = False
        if self.session.report_dir:
            path = Path(self.session.report_dir) / "results.json"
            if path.is_file():
                self.load_results(path)

    # --- running ---------------------------------------------------------------------

    @on(Button.Pressed, "#run-bench")
    @on(Input.Submitted)
    def action_run_bench(self) -> None:
        scenario = self.query_one("#scenario", Input).value.strip()
        if not scenario:
            self.notify(
                self.t("type a scenario name (see Home → Open a scenario)"), severity="warning"
            )
            return
        self.session.scenario = scenario
        self.cancel_event = threading.Event()
        bar = self.query_one("#bench-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#verdict", Static).update(self.t("running {scenario} …", scenario=scenario))
        self.bench(scenario, self.query_one("#routes", Input).value)

    def action_cancel(self) -> None:
        self.cancel_event.set()

    @work(thread=True, exit_on_error=False, exclusive=True, group="bench")
    def bench(self, scenario_name: str, routes: str) -> None:
        """Run with the CLI's defaults: the scenario's routes, reports in bench-results/."""
        from advisor.app.bench import BenchRequest, plan_benchmark, require_answers, run_benchmark

        call = self.app.call_from_thread
        settings = self.advisor.settings
        request = BenchRequest(
            scenario=scenario_name,
            routes=routes.strip() or None,
            backend=self.advisor.backend_name,
            model=self.session.model,
        )
        plan = plan_benchmark(request, settings, self.advisor.backend)
        run = run_benchmark(
            plan,
            settings,
            progress=lambda done, total, label: call(self._progress, label, done, total),
            cancel=self.cancel_event,
            lang=self.session.language,
        )
        out = run.out_dir.resolve()
        self.session.report_dir = str(out)
        call(self.show_results, run.results)
        require_answers(run.results)
        call(self.notify, self.t("benchmark done; reports in {path}", path=out))

    def _progress(self, label: str, done: int, total: int) -> None:
        self.query_one("#bench-progress", ProgressBar).update(total=total or None, progress=done)
        shown = label_in(label, self.session.language)
        self.query_one("#verdict", Static).update(f"{shown} {done}/{total}")

    def worker_failed(self, worker, error: BaseException) -> None:
        self.query_one("#bench-progress", ProgressBar).display = False
        lang = self.session.language
        shown = error.localized(lang) if isinstance(error, AdvisorError) else error
        self.query_one("#verdict", Static).update(self.t("failed: {error}", error=shown))
        super().worker_failed(worker, error)

    # --- loading and showing -------------------------------------------------------------

    def action_load(self) -> None:
        self.app.push_screen(
            PathDialog(self.t("Open a benchmark results.json"), suffixes=(".json",)),
            self._load_chosen,
        )

    def _load_chosen(self, path: Path | None) -> None:
        if path is not None:
            self.load_results(path)

    @work(thread=True, exit_on_error=False, group="bench-load")
    def load_results(self, path: Path) -> None:
        from pydantic import ValidationError

        from advisor.bench.report import load_results

        try:
            results = load_results(path)
        except (OSError, ValidationError, ValueError) as exc:
            raise DataFileError.from_catalog(
                "core.tui.not_results",
                hint_key="core.tui.not_results_hint",
                path=str(path),
            ) from exc
        self.app.call_from_thread(self.show_results, results)

    def show_results(self, results: BenchResults) -> None:
        self.results = results
        self.query_one("#bench-progress", ProgressBar).display = False
        self._show_words(results)
        chart = self.query_one("#bench-chart", VerticalScroll)
        chart.remove_children()
        bars = []
        for name, route in results.routes.items():
            m = route.metrics
            if m is None:
                continue
            low, high = m.pass_rate_ci
            bars.append(
                ScoreBar(
                    name,
                    m.pass_rate * 100,
                    100,
                    best=name == results.verdict.best,
                    suffix=f"% [{low:.0%}–{high:.0%}]",
                )
            )
        chart.mount_all(bars)
        prompts = [(f"{p.id}: {p.prompt[:50]}", p.id) for p in results.prompts]
        self.query_one("#prompt-pick", Select).set_options(prompts)

    def language_changed(self) -> None:
        # F3 after a load: the verdict, the judged advice, the cost and a failed route's
        # reason were written in the language of the load.
        if self.results is not None:
            self._show_words(self.results)

    def _show_words(self, results: BenchResults) -> None:
        """What the results say in the session's language: verdict, outcome, cost, table."""
        from advisor.bench.report_i18n import Words, route_error
        from advisor.bench.verdict_text import verdict_summary

        w = Words(self.session.language)
        self.query_one("#verdict", Static).update(
            self.t(
                "[b]{scenario}[/b] on {where}: {summary}",
                scenario=results.scenario.name,
                where=f"{results.config.backend}/{results.config.model}",
                summary=verdict_summary(results, self.session.language),
            )
        )
        outcome = self.query_one("#outcome", Static)
        outcome.update(self._judged(results))
        outcome.display = True
        self._show_cost(results)
        table = self.query_one("#bench-table", DataTable)
        table.clear()
        for name, route in results.routes.items():
            m = route.metrics
            if m is None:
                # The report's words: the status and a reason the core wrote, in the language.
                status, reason = w(f"status.{route.status}"), route_error(route, w.lang)
                table.add_row(name, status, reason, "", "", "", "", "", "")
                continue
            low, high = m.pass_rate_ci
            table.add_row(
                name,
                pct(m.pass_rate),
                f"{low:.0%}–{high:.0%}",
                pct(m.format_compliance),
                pct(m.style_adherence),
                pct(m.accuracy),
                "-" if m.latency_p50_s is None else f"{m.latency_p50_s:.2f}",
                f"{m.tokens_per_request:.0f}",
                "-" if m.cost_per_1k_usd is None else f"{m.cost_per_1k_usd:.2f}",
            )

    def _show_cost(self, results: BenchResults) -> None:
        """Cost over time for the session's answers (re-training from knowledge_changes)."""
        from advisor.app.cost import cost_over_time

        panel = self.query_one(CostPanel)
        try:
            report = cost_over_time(results, answers=self.session.answers)
        except AdvisorError as exc:
            panel.show_error(str(exc))
            return
        panel.show(report, self.session.language)

    def _judged(self, results: BenchResults) -> str:
        """The advisor's recommendation for this session (or the scenario), judged by the bench."""
        from advisor.app.assess import (
            answers_of_results,
            assessment_of,
            judge,
            outcome_text,
            status_label,
        )
        from advisor.criteria.catalog import load_catalog

        lang = self.session.language
        try:
            answers = self.session.answers or answers_of_results(results)
            outcome = judge(results, assessment_of(answers, lang))
        except AdvisorError:
            return tr("No recommendation to judge: answer the interview first.", lang)
        return tr("The advisor's recommendation ({route}): {status}. {outcome}", lang).format(
            route=load_catalog().route_name(outcome.recommended, lang),
            status=status_label(outcome, lang),
            outcome=outcome_text(outcome, lang),
        )

    @on(Select.Changed, "#prompt-pick")
    def prompt_picked(self, event: Select.Changed) -> None:
        box = self.query_one("#samples", Horizontal)
        box.remove_children()
        if self.results is None or event.value is Select.BLANK:
            return
        columns = []
        for name, route in self.results.routes.items():
            sample = next((s for s in route.samples if s.prompt_id == event.value), None)
            text = self.t("(no answer)") if sample is None else sample.error or sample.text
            mark = "" if sample is None else (" ✓" if sample.passed else " ✗")
            columns.append(
                VerticalScroll(
                    Static(f"{name}{mark}", classes="sample-title", markup=False),
                    Static(text, markup=False),
                    classes="sample",
                )
            )
        box.mount_all(columns)

    # --- export --------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.results is None:
            self.notify(self.t("run or load a benchmark first"), severity="warning")
            return
        self.app.push_screen(
            PathDialog(
                self.t("Write the report files into"), default="bench-report", must_exist=False
            ),
            self._export_chosen,
        )

    def _export_chosen(self, path: Path | None) -> None:
        if path is not None:
            self.export(path)

    @work(thread=True, exit_on_error=False, group="bench-export")
    def export(self, folder: Path) -> None:
        from advisor.bench.report import write_reports

        assert self.results is not None
        try:
            paths = write_reports(self.results, folder, self.session.language)
        except OSError as exc:
            self.app.call_from_thread(self.advisor.show_error, cannot_write(folder, exc))
            return
        self.session.report_dir = str(folder)
        names = ", ".join(p.name for p in paths.values())
        self.app.call_from_thread(
            self.notify, self.t("wrote {names} in {folder}", names=names, folder=folder)
        )

    def action_chat(self) -> None:
        self.go("chat")
