"""Chat: talk to the prepared route or a fine-tuned model; RAG answers show sources."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Input, Select, Static

from advisor.tui import core
from advisor.tui.screens.base import AdvisorScreen


class ChatTurn(Static):
    """One turn of the conversation."""


class ChatScreen(AdvisorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+l", "clear", "Clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.history: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="chat-bar"):
            yield Static("Talk to", classes="field-label")
            yield Select(core.chat_targets(self.session), allow_blank=False, id="target")
        yield VerticalScroll(id="conversation")
        yield Input(placeholder="Ask a question and press enter", id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "chat"
        self.query_one("#prompt", Input).focus()

    def action_clear(self) -> None:
        self.history.clear()
        self.query_one("#conversation").remove_children()

    @on(Input.Submitted, "#prompt")
    def submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        event.input.value = ""
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.mount(ChatTurn(question, classes="user", markup=False))
        reply = ChatTurn("…", classes="assistant", markup=False)
        conversation.mount(reply)
        conversation.scroll_end(animate=False)
        target = str(self.query_one("#target", Select).value)
        self.ask(target, question, reply)

    @work(thread=True, exit_on_error=False, exclusive=True, group="chat")
    def ask(self, target: str, question: str, reply: ChatTurn) -> None:
        """Stream the answer into ``reply``; RAG routes answer whole, with sources."""
        call = self.app.call_from_thread
        text = ""
        sources: list[str] = []
        for chunk, found in core.chat_answer(self.advisor, target, self.history, question):
            text += chunk
            sources = found or sources
            call(reply.update, text or "…")
        if sources:
            call(self._show_sources, sources)
        self.history.append((question, text))

    def _show_sources(self, sources: list[str]) -> None:
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.mount(
            ChatTurn("sources:\n" + "\n".join(sources), classes="sources", markup=False)
        )
        conversation.scroll_end(animate=False)
