"""Interview: the advisor's catalog, one question at a time, in English or Japanese."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    RadioButton,
    RadioSet,
    Static,
)

from advisor.errors import AdvisorError
from advisor.tui.i18n import tr
from advisor.tui.screens.base import AdvisorScreen
from advisor.tui.widgets.answer import AnswerChoices, AnswerInput

if TYPE_CHECKING:
    from advisor.criteria.catalog import Catalog, Question


class InterviewScreen(AdvisorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Home"),
        # Priority: paging runs before the next key is delivered, so a burst of
        # PgDn (key repeat) pages one question per key and loses nothing after it.
        Binding("pagedown", "next", "Next", key_display="PgDn", priority=True),
        Binding("pageup", "previous", "Prev", key_display="PgUp", priority=True),
        Binding("f4", "skip", "Skip (default)", priority=True),
        Binding("ctrl+r", "results", "Results"),
    ]

    def __init__(self, start: int = 0) -> None:
        super().__init__()
        self.index = start
        self.catalog: Catalog | None = None
        self._switching = False
        self._stashed: list[tuple[str, str | None]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="interview"):
            with Horizontal(id="interview-progress"):
                yield Label(id="position")
                yield ProgressBar(show_eta=False, show_percentage=False, id="progress")
            with VerticalScroll(id="question-box"):
                yield Static(id="question-text", markup=False)
                yield Static(id="question-help", markup=False)
                yield Vertical(id="answer")
                yield KeyHolder(id="key-holder")
            with Horizontal(classes="buttons"):
                yield Button("◀ Back", id="prev")
                yield Button("Skip (default)", id="skip")
                yield Button("Next ▶", variant="primary", id="next")
        yield Footer()

    async def on_mount(self) -> None:
        self.sub_title = self.t("interview")
        try:
            from advisor.criteria import load_catalog

            self.catalog = load_catalog()
        except (AdvisorError, ImportError) as exc:
            self.advisor.show_error(exc, title=self.t("The advisor's catalog cannot be loaded"))
            return
        self.query_one("#progress", ProgressBar).update(total=len(self.catalog.questions))
        await self.show_question()

    # --- rendering ---------------------------------------------------------------------

    @property
    def question(self) -> Question | None:
        if self.catalog is None:
            return None
        return self.catalog.questions[self.index]

    def language_changed(self) -> None:
        if self.catalog is not None:
            self.call_later(self.show_question)

    async def show_question(self) -> None:
        catalog, question = self.catalog, self.question
        if catalog is None or question is None:
            return
        lang = self.session.language
        total = len(catalog.questions)
        answered = question.id in self.session.answers
        self.query_one("#position", Label).update(
            f"{self.index + 1}/{total} · {question.label.get(lang)} · "
            + tr("answered" if answered else "default applies", lang)
        )
        for button_id, label in (
            ("#prev", "◀ Back"),
            ("#skip", "Skip (default)"),
            ("#next", "Next ▶"),
        ):
            button = self.query_one(button_id, Button)
            if str(button.label) != tr(label, lang):
                button.label = tr(label, lang)
                button.refresh(layout=True)  # a longer label needs a wider button
        self.query_one("#progress", ProgressBar).update(progress=self.index + 1)
        self.query_one("#question-text", Static).update(question.text.get(lang))
        default = question.label_of(question.default, lang, catalog.messages)
        said = (
            f"（{catalog.msg('default', lang)}：{default}）"
            if lang == "ja"
            else (f"({catalog.msg('default', lang)}: {default})")
        )
        self.query_one("#question-help", Static).update(f"{question.help.get(lang)}\n{said}")
        value = self.session.answers.get(question.id, question.default)
        box = self.query_one("#answer", Vertical)
        # Keys typed while the answer widget is replaced wait in the holder.
        self._switching = True
        holder = self.query_one(KeyHolder)
        holder.can_focus = True  # only now: Tab never stops on it
        self.set_focus(holder)
        try:
            await box.remove_children()
            widget = self._answer_widget(question, value, lang)
            await box.mount(widget)
            self.query_one("#prev", Button).disabled = self.index == 0
            self.set_focus(widget)
        finally:
            self._switching = False
            holder.can_focus = False
        self._replay_keys()

    def stash_key(self, event: events.Key) -> None:
        """Keep a key that reached a retired widget (or the holder) for the question shown next.

        Replayed when that question is shown, or by :meth:`_unretire` when the
        answer is refused; replaying sooner would send it back to the old widget.
        """
        self._stashed.append((event.key, event.character))

    def _replay_keys(self) -> None:
        keys, self._stashed = self._stashed, []
        for key, character in keys:
            event = events.Key(key, character)
            # As the terminal driver does: sent by the app, so that it bubbles back up
            # to the app's bindings (a message stops bubbling at its sender).
            event.set_sender(self.app)
            self.app.post_message(event)

    def _unretire(self) -> None:
        """The answer was refused: its widget takes keys again, the stashed ones first."""
        for widget in self.query(".answer-radio, .answer-input"):
            widget.retired = False  # type: ignore[attr-defined]
        self._replay_keys()

    def _answer_widget(self, question: Question, value: Any, lang: str):
        assert self.catalog is not None
        if question.type in ("count",):
            return AnswerInput(str(value), type="integer", classes="answer-input")
        options: list[tuple[Any, str]]
        if question.type == "yes_no":
            options = [(True, self.catalog.msg("yes", lang)), (False, self.catalog.msg("no", lang))]
        elif question.type == "choice":
            options = [(c.value, c.label.get(lang)) for c in question.choices]
        else:  # scale
            low, high = question.min or 0, question.max or 0
            options = [(n, str(n)) for n in range(low, high + 1)]
        return AnswerChoices(
            *[RadioButton(label, value=v == value) for v, label in options],
            values=[v for v, _ in options],
            classes="answer-radio",
        )

    # --- answering ---------------------------------------------------------------------

    def _read_answer(self) -> tuple[bool, Any]:
        """(ok, value) from the answer widget; a bad count is reported, not stored."""
        question = self.question
        assert question is not None
        for radio in self.query(".answer-radio").results(AnswerChoices):
            index = radio.chosen
            return (index >= 0, radio.values[index] if index >= 0 else None)
        for box in self.query(".answer-input").results(Input):
            text = box.value.strip()
            if not text.isdigit():
                self.notify(self.t("type a whole number of 0 or more"), severity="error")
                return False, None
            return True, int(text)
        return False, None

    def _store(self) -> bool:
        question = self.question
        if question is None:
            return False
        ok, value = self._read_answer()
        if not ok:
            return False
        self.session.answers[question.id] = value
        return True

    @on(RadioSet.Changed, ".answer-radio")
    async def radio_changed(self, event: RadioSet.Changed) -> None:
        # Choosing an option is an answer: store it and move on (keyboard-first).
        question, radio = self.question, event.radio_set
        if question is None or not radio.has_focus or not isinstance(radio, AnswerChoices):
            self._unretire()
            return
        value = radio.values[event.index]
        if self.session.answers.get(question.id, object()) == value:
            self._unretire()
            return
        self.session.answers[question.id] = value
        await self.action_next(store=False)

    @on(AnswerChoices.Confirmed, ".answer-radio")
    async def radio_confirmed(self, event: AnswerChoices.Confirmed) -> None:
        question = self.question
        if question is not None:
            self.session.answers[question.id] = event.choices.values[event.index]
            await self.action_next(store=False)

    @on(Input.Submitted, ".answer-input")
    async def input_submitted(self) -> None:
        await self.action_next()

    @on(Button.Pressed, "#next")
    async def next_pressed(self) -> None:
        await self.action_next()

    @on(Button.Pressed, "#prev")
    async def prev_pressed(self) -> None:
        await self.action_previous()

    @on(Button.Pressed, "#skip")
    async def skip_pressed(self) -> None:
        await self.action_skip()

    async def action_next(self, store: bool = True) -> None:
        if self.catalog is None or (store and not self._store()):
            self._unretire()
            return
        if self.index + 1 >= len(self.catalog.questions):
            self.action_results()
            return
        self.index += 1
        await self.show_question()

    async def action_previous(self) -> None:
        if self.index > 0:
            self.index -= 1
            await self.show_question()

    async def action_skip(self) -> None:
        """Leave the question unanswered: the catalog's default applies."""
        question = self.question
        if question is None or self.catalog is None:
            return
        self.session.answers.pop(question.id, None)
        if self.index + 1 >= len(self.catalog.questions):
            self.action_results()
            return
        self.index += 1
        await self.show_question()

    def action_results(self) -> None:
        self.go("results")


class KeyHolder(Widget, can_focus=False):
    """Holds focus while a question is replaced; the keys it receives wait for the next one."""

    DEFAULT_CSS = "KeyHolder { height: 0; }"

    async def _on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        screen = self.screen
        if isinstance(screen, InterviewScreen):
            screen.stash_key(event)
