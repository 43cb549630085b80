"""The RAG panel: index a folder of documents into a knowledge base."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input

from advisor import messages
from advisor.tui.screens.run.panel import RunPanel

if TYPE_CHECKING:
    from advisor.rag.models import Skipped


class RagPanel(RunPanel):
    def compose(self) -> ComposeResult:
        session = self.session
        with Horizontal(classes="row"):
            yield Input(
                session.documents or "", placeholder=self.t("documents folder"), id="documents"
            )
            yield Input(session.knowledge_base or "kb", placeholder=self.t("name"), id="kb")

    def start(self) -> None:
        documents = self.query_one("#documents", Input).value.strip()
        name = self.query_one("#kb", Input).value.strip() or "kb"
        if not documents:
            self.notify(self.t("type the folder of documents to index"), severity="warning")
            return
        self.session.documents, self.session.knowledge_base = documents, name
        self.run_screen.busy(True)
        self.build_index(name, Path(documents).expanduser())

    @work(thread=True, exit_on_error=False, exclusive=True, group="run")
    def build_index(self, name: str, documents: Path) -> None:
        from advisor.rag import KnowledgeBase

        call = self.app.call_from_thread
        screen = self.run_screen
        kb = KnowledgeBase(name, self.advisor.settings)
        report = kb.index([documents], progress=self.progress, cancel=screen.cancel_event)
        call(
            screen.log_line,
            self.t(
                "{kb}: {files} files, {chunks} chunks ({changes}) in {seconds} s",
                kb=report.kb,
                files=report.files,
                chunks=report.chunks,
                changes=f"+{report.added} ~{report.updated} ={report.unchanged} -{report.deleted}",
                seconds=f"{report.seconds:.1f}",
            ),
        )
        for skipped in report.skipped:
            call(screen.log_line, self.skip_line(skipped))
        call(screen.finished, self.t("knowledge base {name} ready: chat with it (F6)", name=name))

    def skip_line(self, skipped: Skipped) -> str:
        """``skipped a.bin: unsupported file type``: the reason in the session's language
        when it comes from the catalog (as ``advisor rag index`` prints it)."""
        reason = skipped.said()
        if isinstance(reason, messages.Localized):
            reason = reason.localized(self.session.language)
        return self.t("skipped {path}: {reason}", path=skipped.path, reason=reason)
