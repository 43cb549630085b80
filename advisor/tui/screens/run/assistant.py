"""The custom assistant panel: save a profile (validated like the CLI's), index its knowledge."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input

from advisor.tui.screens.run.panel import RunPanel


class AssistantPanel(RunPanel):
    def compose(self) -> ComposeResult:
        session = self.session
        with Horizontal(classes="row"):
            yield Input(
                session.assistant or "assistant", placeholder=self.t("name"), id="assistant"
            )
            yield Input(
                session.documents or "",
                placeholder=self.t("knowledge folder (optional)"),
                id="assistant-docs",
            )
        yield Input(
            session.system_prompt or "",
            placeholder=self.t("instructions of the assistant"),
            id="assistant-instructions",
        )

    def start(self) -> None:
        name = self.query_one("#assistant", Input).value.strip() or "assistant"
        instructions = self.query_one("#assistant-instructions", Input).value.strip()
        documents = self.query_one("#assistant-docs", Input).value.strip()
        if not instructions:
            self.notify(self.t("write the assistant's instructions"), severity="warning")
            return
        self.session.assistant, self.session.system_prompt = name, instructions
        self.run_screen.busy(True)
        self.prepare_assistant(name, instructions, documents)

    @work(thread=True, exit_on_error=False, exclusive=True, group="run")
    def prepare_assistant(self, name: str, instructions: str, documents: str) -> None:
        """Save the profile (replacing one of that name), then index its knowledge."""
        from advisor.app.assistants import AssistantDraft, create_assistant
        from advisor.app.routes import RouteSpec, build_route

        call = self.app.call_from_thread
        screen = self.run_screen
        draft = AssistantDraft(
            name=name,
            instructions=instructions,
            knowledge=[Path(documents)] if documents else [],
            backend=self.advisor.backend_name,
            model=self.session.model,
        )
        create_assistant(draft, self.advisor.settings, overwrite=True)
        spec = RouteSpec(route="custom_assistant", assistant=name)
        route = build_route(spec, self.advisor.settings, self.advisor.backend)
        report = route.prepare(self.progress, screen.cancel_event)
        found = report.details
        # The route's details are keyed for JSON ("files", "chunks", "kb"): said in words here.
        details = (
            self.t(
                "knowledge base {kb}: {files} files, {chunks} chunks",
                kb=found["kb"],
                files=found["files"],
                chunks=found["chunks"],
            )
            if {"kb", "files", "chunks"} <= found.keys()
            else self.t("instructions only")
        )
        call(
            screen.log_line,
            self.t("assistant {name} saved and ready ({details})", name=name, details=details),
        )
        for warning in report.warnings_in(self.session.language):
            call(screen.log_line, self.t("warning: {warning}", warning=warning))
        call(screen.finished, self.t("assistant {name} ready: chat with it (F6)", name=name))
