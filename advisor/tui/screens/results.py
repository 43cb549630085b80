"""Results: score bars with their reasons, the recommendation and what would change it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Collapsible, Footer, Header, Static

from advisor.errors import AdvisorError
from advisor.tui.i18n import item, tr
from advisor.tui.screens.base import AdvisorScreen, cannot_write
from advisor.tui.widgets.charts import ScoreBar
from advisor.tui.widgets.dialogs import PathDialog

if TYPE_CHECKING:
    from advisor.criteria.result import Assessment
    from advisor.evidence import Evidence


class ResultsScreen(AdvisorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("i", "interview", "Answers"),
        Binding("d", "next_step('data')", "Data"),
        Binding("j", "next_step('run')", "Run"),
        Binding("b", "next_step('compare')", "Bench"),
        Binding("c", "next_step('chat')", "Chat"),
        Binding("e", "export", "Export brief"),
        # Off the footer, which is full at 80 columns; the page's last line names it.
        Binding("f", "check_files", "Check files", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.assessment: Assessment | None = None
        self.evidence: Evidence | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="results")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.t("results")

    async def on_screen_resume(self) -> None:
        # Also runs when the screen first shows: answers may have changed meanwhile.
        await self.refresh_results()

    def language_changed(self) -> None:
        self.call_later(self.refresh_results)

    async def refresh_results(self) -> None:
        box = self.query_one("#results", VerticalScroll)
        await box.remove_children()
        try:
            from advisor.app.assess import assessment_of

            self.assessment = assessment_of(self.session.answers, self.session.language)
        except (AdvisorError, ImportError) as exc:
            self.assessment = None
            await box.mount(Static(self.t("No results: {error}", error=exc), markup=False))
            self.advisor.show_error(exc, title=self.t("The answers cannot be assessed"))
            return
        await box.mount_all(list(self._sections(self.assessment)))
        if self.evidence is not None:
            section = evidence_section(self.evidence, self.session.language)
            await box.mount(section, after=box.query_one("#confidence"))

    def _sections(self, result: Assessment):
        rec, lang = result.recommendation, self.session.language
        names = {route.route: route.name for route in result.routes}
        combo = " + ".join(names.get(r, r) for r in rec.combination)
        yield Static(
            self.t("[b]Recommended:[/b] {route}", route=names.get(rec.primary, rec.primary))
            + (
                "   " + self.t("[b]together:[/b] {routes}", routes=combo)
                if len(rec.combination) > 1
                else ""
            ),
            id="recommendation",
        )
        yield Static(
            self.t(
                "confidence {confidence} ({label}), margin {margin} points over {runner_up}",
                confidence=f"{rec.confidence:.0%}",
                label=rec.confidence_label,
                margin=f"{rec.margin:.1f}",
                runner_up=names.get(rec.runner_up or "", rec.runner_up or "-"),
            ),
            id="confidence",
            markup=False,
        )
        yield Static(rec.summary, classes="muted", markup=False)
        top = max((abs(r.score) for r in result.routes), default=1.0) or 1.0
        label_width = max((cell_len(r.name) for r in result.routes), default=18)
        for route in result.routes:
            yield ScoreBar(
                route.name,
                route.score,
                top,
                best=route.route == rec.primary,
                suffix="" if route.eligible else self.t("blocked"),
                label_width=label_width,
            )
            lines = [f"{reason.contribution:+.1f}  {reason.text}" for reason in route.reasons]
            lines += [self.t("blocked: {reason}", reason=gate.text) for gate in route.gates]
            yield Collapsible(
                Static("\n".join(lines) or self.t("no rule applies"), markup=False),
                title=self.t("why {route}", route=route.name),
                collapsed=route.route != rec.primary,
            )
        if rec.combination_reason:
            yield Static(
                self.t("[b]Combination[/b]") + f"\n{rec.combination_reason}", classes="section"
            )
        yield Static(
            self.t("[b]Next steps[/b]") + "\n" + "\n".join(item(s, lang) for s in rec.next_steps),
            classes="section",
        )
        flips = [item(flip.text, lang) for flip in result.flips] or [
            item(self.t("nothing close would change it"), lang)
        ]
        yield Static(
            self.t("[b]What would change the answer[/b]") + "\n" + "\n".join(flips),
            classes="section",
        )
        if result.warnings:
            yield Static(
                self.t("[b]Warnings[/b]")
                + "\n"
                + "\n".join(item(w, lang, "⚠") for w in result.warnings),
                classes="section warnings",
            )
        yield Static(
            tr("f: check these answers against your files (a folder or a scenario).", lang),
            classes="muted",
            markup=False,
        )
        if result.defaulted:
            yield Static(
                self.t("{count} questions left at their default.", count=len(result.defaulted)),
                classes="muted",
                markup=False,
            )

    # --- checked against the files (issue 13, item 2) -------------------------------------

    def action_check_files(self) -> None:
        lang = self.session.language
        self.app.push_screen(
            PathDialog(
                tr("A folder of your files, or a scenario, to check the answers against", lang)
            ),
            self._check_chosen,
        )

    def _check_chosen(self, path: Path | None) -> None:
        if path is not None:
            self.check_files(path)

    @work(thread=True, exit_on_error=False, group="evidence")
    def check_files(self, path: Path) -> None:
        """Measure the files; the measured values replace contradicted answers."""
        from advisor.app.assess import answers_with_evidence

        try:
            answers, found = answers_with_evidence(self.session.answers, path)
        except AdvisorError as exc:
            self.app.call_from_thread(
                self.advisor.show_error, exc, title=self.t("The files cannot be checked")
            )
            return
        self.app.call_from_thread(self._use_evidence, answers, found)

    def _use_evidence(self, answers: dict[str, object], found: Evidence) -> None:
        self.session.answers = answers
        self.evidence = found
        self.call_later(self.refresh_results)

    def action_interview(self) -> None:
        from advisor.tui.screens.interview import InterviewScreen

        self.app.push_screen(InterviewScreen())

    def action_next_step(self, name: str) -> None:
        if self.assessment is not None and self.session.route is None:
            self.session.route = self.assessment.recommendation.primary
        self.go(name)

    def action_export(self) -> None:
        if self.assessment is None:
            return
        self.app.push_screen(
            PathDialog(
                self.t("Write the brief (.md), or the decision report (.html or .pdf), to"),
                default="advisor-brief.md",
                must_exist=False,
            ),
            self._export,
        )

    def _export(self, path: Path | None) -> None:
        if path is None or self.assessment is None:
            return
        if path.suffix.lower() in (".html", ".pdf"):
            # The PDF engine takes seconds: off the UI thread.
            self.run_worker(lambda: self._export_report(path), thread=True, exit_on_error=False)
            return
        from advisor.app.report import evidence_markdown
        from advisor.criteria import render_markdown

        brief = render_markdown(self.assessment)
        if self.evidence is not None:
            # What "check against files" measured, as `advisor assess --format md` adds it.
            brief += "\n".join(evidence_markdown(self.evidence, self.session.language)) + "\n"
        try:
            path.write_text(brief, encoding="utf-8")
        except OSError as exc:
            self.advisor.show_error(cannot_write(path, exc))
            return
        self.notify(self.t("brief written to {path}", path=path))

    def _export_report(self, path: Path) -> None:
        """The decision report (advisor report's core) from the session, in a worker thread."""
        from advisor.app.report import report_bundle
        from advisor.decision_report import render_html
        from advisor.decision_report.output import write_pdf

        try:
            results = []
            if self.session.report_dir:
                found = Path(self.session.report_dir) / "results.json"
                if found.is_file():
                    from advisor.bench.results_io import read_results

                    results.append(read_results(found))
            bundle = report_bundle(
                self.session.answers,
                lang=self.session.language,
                evidence=self.evidence,
                results=results,
            )
            html = render_html(bundle)
            if path.suffix.lower() == ".pdf":
                write_pdf(html, path)
            else:
                path.write_text(html, encoding="utf-8")
        except AdvisorError as exc:
            self.app.call_from_thread(self.advisor.show_error, exc)
            return
        except OSError as exc:
            self.app.call_from_thread(self.advisor.show_error, cannot_write(path, exc))
            return
        self.app.call_from_thread(self.notify, self.t("report written to {path}", path=path))


def evidence_section(found: Evidence, lang: str) -> Static:
    """Stated next to measured, question by question; the measured value is scored."""
    lines = [f"[b]{tr('Checked against the files', lang)}[/b] ({escape(found.source)})"]
    for f in found.findings:
        mark = "⚠ " if f.contradicts else "  "
        said = f"{f.question_in(lang)}: {f.stated_in(lang)} → {f.measured_in(lang)}"
        lines.append(escape(f"{mark}{said}  ({f.detail_in(lang)})"))
    lines += [escape(f"⚠ {w}") for w in found.warnings_in(lang)]
    if any(f.contradicts for f in found.findings):
        lines.append(
            tr("The measured values are scored; the stated ones are shown beside them.", lang)
        )
    return Static("\n".join(lines), classes="section", id="evidence")
