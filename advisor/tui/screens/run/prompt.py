"""The system prompt panel: instructions, checked against the model's context."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import Input, Label

from advisor.tui.screens.run.panel import RunPanel


class PromptPanel(RunPanel):
    def compose(self) -> ComposeResult:
        yield Label(self.t("Instructions (system prompt)"), classes="field-label")
        yield Input(self.session.system_prompt or "", id="instructions")

    def start(self) -> None:
        self.run_screen.busy(True)
        self.prepare_prompt()

    @work(thread=True, exit_on_error=False, exclusive=True, group="run")
    def prepare_prompt(self) -> None:
        from advisor.app.routes import RouteSpec, build_route

        call = self.app.call_from_thread
        spec = RouteSpec(
            backend=self.advisor.backend_name,
            model=self.session.model,
            instructions=self.session.system_prompt or "",
        )
        prepared = build_route(spec, self.advisor.settings, self.advisor.backend)
        report = prepared.prepare()
        screen = self.run_screen
        call(
            screen.log_line,
            self.t("system_prompt ready on {where}", where=f"{spec.backend}/{prepared.model}"),
        )
        for warning in report.warnings_in(self.session.language):
            call(screen.log_line, self.t("warning: {warning}", warning=warning))
        call(screen.finished, self.t("route ready: chat with it (F6) or compare (F7)"))
