"""Chat: talk to the prepared route, any knowledge base, or a fine-tuned model.

The conversation keeps its history (:class:`advisor.app.conversation.Conversation`);
RAG and assistant answers list their sources, each file once, relative to its
knowledge folder.  Until the first words arrive the reply says what it waits for:
a local model loads on the first question, which can take a minute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Input, Select, Static

from advisor.app.chat import ChatChoices, chat_targets
from advisor.tui.i18n import relabel_select
from advisor.tui.screens.base import AdvisorScreen

if TYPE_CHECKING:
    from advisor.app.conversation import Conversation

LOADING = "… preparing the route and loading the model (the first answer can take a minute)"


class ChatTurn(Static):
    """One turn of the conversation."""


class ChatScreen(AdvisorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+l", "clear", "Clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conversation: Conversation | None = None
        self.target: str | None = None
        self._offered = 0
        self._built: list[str] = []  # knowledge bases found by the worker

    def compose(self) -> ComposeResult:
        # Knowledge bases built elsewhere join the list once a worker has found them.
        targets = chat_targets(self.choices(), [], self.session.language)
        self._offered = len(targets)
        yield Header()
        with Horizontal(id="chat-bar"):
            yield Static(self.t("Talk to"), classes="field-label retr")
            yield Select([(t.label, t.value) for t in targets], allow_blank=False, id="target")
        yield VerticalScroll(id="conversation")
        yield Input(placeholder=self.t("Ask a question and press enter"), id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.t("chat")
        self.query_one("#prompt", Input).focus()
        self.find_knowledge_bases()

    def choices(self) -> ChatChoices:
        return self.session.chat_choices()

    @work(thread=True, exit_on_error=False, group="chat-targets")
    def find_knowledge_bases(self) -> None:
        """Offer every knowledge base, those built with ``advisor rag index`` too."""
        from advisor.app.routes import knowledge_bases
        from advisor.errors import AdvisorError

        try:
            names = knowledge_bases(self.advisor.settings)
        except AdvisorError:
            return  # a broken store must not keep the chat from working
        self.app.call_from_thread(self._offer, names)

    def _offer(self, names: list[str], *, relabel: bool = False) -> None:
        self._built = names
        targets = chat_targets(self.choices(), names, self.session.language)
        select: Select[str] = self.query_one("#target", Select)
        if len(targets) == self._offered and not relabel:
            return
        self._offered = len(targets)
        # The same target: the conversation goes on.
        relabel_select(select, [(t.label, t.value) for t in targets])

    def language_changed(self) -> None:
        self._offer(self._built, relabel=True)

    @property
    def history(self) -> list[tuple[str, str]]:
        return self.conversation.history if self.conversation is not None else []

    def action_clear(self) -> None:
        if self.conversation is not None:
            self.conversation.clear()
        self.query_one("#conversation").remove_children()

    @on(Select.Changed, "#target")
    def target_changed(self) -> None:
        self.conversation = None  # another route: a new conversation

    @on(Input.Submitted, "#prompt")
    def submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        event.input.value = ""
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.mount(ChatTurn(question, classes="user", markup=False))
        reply = ChatTurn(self.t(LOADING), classes="assistant", markup=False)
        conversation.mount(reply)
        conversation.scroll_end(animate=False)
        self.ask(str(self.query_one("#target", Select).value), question, reply)

    def _conversation(self, target: str) -> Conversation:
        from advisor.app.chat import target_spec
        from advisor.app.conversation import Conversation
        from advisor.app.routes import build_route
        from backends.types import GenerationParams

        if self.conversation is None or self.target != target:
            spec = target_spec(target, self.choices())
            route = build_route(spec, self.advisor.settings, self.advisor.backend)
            params = GenerationParams(max_tokens=self.advisor.settings.local.max_new_tokens)
            self.conversation, self.target = Conversation(route, params), target
        return self.conversation

    @work(thread=True, exit_on_error=False, exclusive=True, group="chat")
    def ask(self, target: str, question: str, reply: ChatTurn) -> None:
        """Stream the answer into ``reply``; routes with sources answer whole, then list them."""
        from advisor.app.ask import source_lines
        from advisor.app.chat import TARGET_FINE_TUNED, TARGET_MODEL, knowledge_roots

        call = self.app.call_from_thread
        conversation = self._conversation(target)
        if target in (TARGET_MODEL, TARGET_FINE_TUNED):  # no sources: stream the words
            text = ""
            for chunk in conversation.stream(question):
                text += chunk
                call(reply.update, text or self.t(LOADING))
            return
        answer = conversation.ask(question)
        call(reply.update, answer.text)
        roots = knowledge_roots(target, self.choices(), self.advisor.settings)
        lines = [line.label() for line in source_lines(answer.sources, roots)]
        if lines:
            call(self._show_sources, lines)

    def _show_sources(self, sources: list[str]) -> None:
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.mount(
            ChatTurn(
                self.t("sources:") + "\n" + "\n".join(sources), classes="sources", markup=False
            )
        )
        conversation.scroll_end(animate=False)
