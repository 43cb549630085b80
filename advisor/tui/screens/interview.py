"""Interview: the advisor's catalog, one question at a time, in English or Japanese."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
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
from advisor.tui.screens.base import AdvisorScreen
from advisor.tui.widgets.answer import AnswerChoices

if TYPE_CHECKING:
    from advisor.criteria.catalog import Catalog, Question


class InterviewScreen(AdvisorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Home"),
        Binding("pagedown", "next", "Next", key_display="PgDn"),
        Binding("pageup", "previous", "Prev", key_display="PgUp"),
        Binding("f4", "skip", "Skip (default)"),
        Binding("ctrl+r", "results", "Results"),
    ]

    def __init__(self, start: int = 0) -> None:
        super().__init__()
        self.index = start
        self.catalog: Catalog | None = None

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
            with Horizontal(classes="buttons"):
                yield Button("◀ Back", id="prev")
                yield Button("Skip (default)", id="skip")
                yield Button("Next ▶", variant="primary", id="next")
        yield Footer()

    async def on_mount(self) -> None:
        self.sub_title = "interview"
        try:
            from advisor.criteria import load_catalog

            self.catalog = load_catalog()
        except (AdvisorError, ImportError) as exc:
            self.advisor.show_error(exc, title="The advisor's catalog cannot be loaded")
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
            + ("answered" if answered else "default applies")
        )
        self.query_one("#progress", ProgressBar).update(progress=self.index + 1)
        self.query_one("#question-text", Static).update(question.text.get(lang))
        default = question.label_of(question.default, lang, catalog.messages)
        self.query_one("#question-help", Static).update(
            f"{question.help.get(lang)}\n({catalog.msg('default', lang)}: {default})"
        )
        value = self.session.answers.get(question.id, question.default)
        box = self.query_one("#answer", Vertical)
        await box.remove_children()
        widget = self._answer_widget(question, value, lang)
        await box.mount(widget)
        self.query_one("#prev", Button).disabled = self.index == 0
        widget.focus()

    def _answer_widget(self, question: Question, value: Any, lang: str):
        assert self.catalog is not None
        if question.type in ("count",):
            return Input(str(value), type="integer", classes="answer-input")
        options: list[tuple[Any, str]]
        if question.type == "yes_no":
            options = [(True, self.catalog.msg("yes", lang)), (False, self.catalog.msg("no", lang))]
        elif question.type == "choice":
            options = [(c.value, c.label.get(lang)) for c in question.choices]
        else:  # scale
            low, high = question.min or 0, question.max or 0
            options = [(n, str(n)) for n in range(low, high + 1)]
        self._options = [v for v, _ in options]
        return AnswerChoices(
            *[RadioButton(label, value=v == value) for v, label in options], classes="answer-radio"
        )

    # --- answering ---------------------------------------------------------------------

    def _read_answer(self) -> tuple[bool, Any]:
        """(ok, value) from the answer widget; a bad count is reported, not stored."""
        question = self.question
        assert question is not None
        for radio in self.query(".answer-radio").results(RadioSet):
            index = radio.pressed_index
            return (index >= 0, self._options[index] if index >= 0 else None)
        for box in self.query(".answer-input").results(Input):
            text = box.value.strip()
            if not text.isdigit():
                self.notify("type a whole number of 0 or more", severity="error")
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
        question = self.question
        if question is None or not event.radio_set.has_focus:
            return
        value = self._options[event.index]
        if self.session.answers.get(question.id, object()) == value:
            return
        self.session.answers[question.id] = value
        await self.action_next(store=False)

    @on(AnswerChoices.Confirmed, ".answer-radio")
    async def radio_confirmed(self, event: AnswerChoices.Confirmed) -> None:
        question = self.question
        if question is not None:
            self.session.answers[question.id] = self._options[event.index]
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
