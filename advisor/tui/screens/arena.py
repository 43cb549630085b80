"""Arena: two targets answer the same prompt side by side; vote blind, votes become DPO pairs.

The panes are labelled A and B only; which target is behind each is drawn per
prompt (:mod:`advisor.app.arena_votes`) and shown once the vote is in.  Votes
go to a pairs file per pair of targets under the data folder, with its session
beside it, so leaving the screen and coming back resumes the tally.  All the
work is :class:`advisor.app.arena.Arena`'s, the same as ``advisor arena``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Select, Static

from advisor.app.chat import ChatChoices, chat_targets
from advisor.tui.i18n import relabel_select, tr
from advisor.tui.screens.base import AdvisorScreen

if TYPE_CHECKING:
    from advisor.app.arena import Arena
    from advisor.app.arena_votes import ArenaRound, Vote

PROMPT_HINT = "Type a prompt and press enter (ctrl+o: open a prompts file)"
WAITING = "Both targets are answering… (f8 cancels)"
VOTE_HINT = "Which answer is better? a, b, t (tie) or s (both bad)"
# A vote as the status line says it (the footer's words): "tie" and "skip" are the JSON's.
VOTES = {"A": "A better", "B": "B better", "tie": "Tie", "skip": "Both bad"}


class ArenaPane(Vertical):
    """One blind answer: its label (A or B, the target once revealed) and its text."""

    def __init__(self, label: str) -> None:
        super().__init__(id=f"pane-{label.lower()}", classes="arena-pane")
        self.label = label

    def compose(self) -> ComposeResult:
        yield Static(self.label, classes="arena-label", markup=False)
        with VerticalScroll(classes="arena-scroll"):
            yield Static("", classes="arena-answer", markup=False)

    def show(self, text: str, title: str | None = None) -> None:
        self.query_one(".arena-label", Static).update(title or self.label)
        self.query_one(".arena-answer", Static).update(text)


class ArenaScreen(AdvisorScreen):
    DEFAULT_CSS = """
    #arena-bar { height: auto; }
    #arena-bar Select { width: 1fr; }
    #arena-bar SelectCurrent Static#label { text-wrap: nowrap; text-overflow: ellipsis; }
    #arena-bar .field-label { width: auto; margin: 1 1 0 0; }
    #arena-panes { height: 1fr; }
    .arena-pane { width: 1fr; border: round $primary; }
    .arena-label { text-style: bold; }
    #arena-status, #arena-tally { color: $text-muted; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("a", "vote('A')", "A better"),
        Binding("b", "vote('B')", "B better"),
        Binding("t", "vote('tie')", "Tie"),
        Binding("s", "vote('skip')", "Both bad"),
        Binding("ctrl+o", "open_prompts", "Open"),
        Binding("f8", "cancel", "Cancel", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.arena: Arena | None = None
        self.round: ArenaRound | None = None
        self.queue: list[str] = []
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        lang = self.session.language
        options = self._options()
        second = options[1][1] if len(options) > 1 else options[0][1]
        yield Header()
        with Horizontal(id="arena-bar"):
            yield Static(tr("Compare", lang), classes="field-label", id="label-1")
            yield Select(options, allow_blank=False, value=options[0][1], id="target-1")
            yield Static(tr("with", lang), classes="field-label", id="label-2")
            yield Select(options, allow_blank=False, value=second, id="target-2")
        yield Input(placeholder=tr(PROMPT_HINT, lang), id="prompt")
        with Horizontal(id="arena-panes"):
            yield ArenaPane("A")
            yield ArenaPane("B")
        yield Static("", id="arena-status", markup=False)
        yield Static("", id="arena-tally", markup=False)
        yield Footer()

    def _options(self) -> list[tuple[str, str]]:
        return [(t.label, t.value) for t in chat_targets(self.choices(), [], self.session.language)]

    def on_mount(self) -> None:
        self.sub_title = self.t("arena")
        self.query_one("#prompt", Input).focus()
        self._open_arena()

    def language_changed(self) -> None:
        lang = self.session.language
        self.query_one("#label-1", Static).update(tr("Compare", lang))
        self.query_one("#label-2", Static).update(tr("with", lang))
        self.query_one("#prompt", Input).placeholder = tr(PROMPT_HINT, lang)
        for n in (1, 2):  # the same targets: the tally stays
            relabel_select(self.query_one(f"#target-{n}", Select), self._options())
        if self.round is None:
            self._status(tr(PROMPT_HINT, lang))
        else:
            self._status(f"{self.round.prompt}\n{tr(VOTE_HINT, lang)}")
        self._show_tally()

    def choices(self) -> ChatChoices:
        return self.session.chat_choices()

    # --- the two targets -----------------------------------------------------------

    def targets(self) -> list[str]:
        from advisor.app.arena import chat_arena_target

        choices = self.choices()
        return [
            chat_arena_target(str(self.query_one(f"#target-{n}", Select).value), choices)
            for n in (1, 2)
        ]

    @on(Select.Changed)
    def _targets_changed(self) -> None:
        if self.is_mounted:
            self._open_arena()

    def _open_arena(self) -> None:
        """The arena of the chosen targets, resumed from its pairs file if there is one."""
        from advisor.app.arena import Arena, TargetDefaults, default_pairs
        from advisor.errors import AdvisorError

        session, settings = self.session, self.advisor.settings
        targets = self.targets()
        defaults = TargetDefaults(
            backend=session.backend, model=session.model, instructions=session.system_prompt
        )
        try:
            self.arena = Arena.open(
                targets, default_pairs(settings, targets), settings, self.advisor.backend,
                defaults=defaults,
            )  # fmt: skip
        except AdvisorError as exc:
            self.arena = None
            self._status(str(exc))
            return
        self.round = None
        self._show_panes()
        self._status(tr(PROMPT_HINT, session.language))
        self._show_tally()

    # --- prompts and answers -------------------------------------------------------

    @on(Input.Submitted, "#prompt")
    def submitted(self, event: Input.Submitted) -> None:
        prompt = event.value.strip()
        if prompt:
            event.input.value = ""
            self.queue.insert(0, prompt)
            self._next()

    def action_open_prompts(self) -> None:
        from advisor.tui.widgets.dialogs import PathDialog

        dialog = PathDialog(tr("Open a prompts file", self.session.language))
        self.app.push_screen(dialog, self._prompts_chosen)

    def _prompts_chosen(self, path: Path | None) -> None:
        from advisor.app.arena import read_prompts
        from advisor.errors import AdvisorError

        if path is None or self.arena is None:
            return
        try:
            self.queue.extend(self.arena.todo(read_prompts(path)))
        except AdvisorError as exc:
            self.advisor.show_error(exc)
            return
        self._next()

    def _next(self) -> None:
        """Ask the next queued prompt, unless a round waits for its vote or answers run."""
        if self.arena is None or self.round is not None or not self.queue:
            return
        if any(w.is_running for w in self.workers if w.group == "arena"):
            return
        self._cancel = threading.Event()
        self._busy(True)
        self.answer(self.queue.pop(0))

    def _busy(self, busy: bool) -> None:
        """Answering shows the loading indicator; the prompt box waits until the vote is in."""
        self.query_one("#arena-panes").loading = busy
        prompt = self.query_one("#prompt", Input)
        prompt.disabled = busy or self.round is not None
        if busy:
            self._status(tr(WAITING, self.session.language))
        elif not prompt.disabled:
            prompt.focus()

    @work(thread=True, exit_on_error=False, exclusive=True, group="arena")
    def answer(self, prompt: str) -> None:
        from backends.types import GenerationParams

        assert self.arena is not None
        params = GenerationParams(max_tokens=self.advisor.settings.local.max_new_tokens)
        from advisor.errors import CancelledError

        try:
            found = self.arena.answer(prompt, params, self._cancel)
        except CancelledError:
            self.app.call_from_thread(self._cancelled)
            return
        except BaseException:
            self.app.call_from_thread(self._busy, False)
            raise
        self.app.call_from_thread(self._answered, found)

    def _answered(self, found: ArenaRound) -> None:
        if self.arena is None or all(r is not found for r in self.arena.session.rounds):
            self._busy(False)  # the targets changed while answering: a stale round
            return
        self.round = found  # before _busy: the prompt box stays off until the vote
        self._busy(False)
        self._show_panes()
        self._status(f"{found.prompt}\n{tr(VOTE_HINT, self.session.language)}")
        self.set_focus(None)  # a, b, t, s vote instead of typing

    def action_cancel(self) -> None:
        self._cancel.set()
        self.queue.clear()

    def _cancelled(self) -> None:
        self._busy(False)
        self._status(tr("Cancelled.", self.session.language))

    # --- votes ---------------------------------------------------------------------

    def action_vote(self, vote: Vote) -> None:
        if self.arena is None or self.round is None:
            return
        result = self.arena.vote(self.round, vote)
        lang = self.session.language
        self._show_panes(result.revealed)
        said = tr("Voted {vote}.", lang).format(vote=tr(VOTES.get(vote, vote), lang))
        if result.pair_written:
            said += " " + tr("pair saved to {path}", lang).format(path=self.arena.pairs)
        self._status(said)
        self.round = None
        self._show_tally()
        self._busy(False)
        self._next()

    def _show_panes(self, revealed: dict[str, str] | None = None) -> None:
        found = self.round
        for label in ("A", "B"):
            pane = self.query_one(f"#pane-{label.lower()}", ArenaPane)
            title = f"{label} · {revealed[label]}" if revealed else None
            pane.show(found.answer(label) if found else "", title)

    def _show_tally(self) -> None:
        from advisor.app.arena_tally import tally

        if self.arena is None:
            return
        result = tally(self.arena.session)
        lang = self.session.language
        parts = [
            f"{s.target} {s.wins}{tr('W', lang)} {s.losses}{tr('L', lang)}" for s in result.scores
        ]
        parts.append(f"{tr('ties', lang)} {result.scores[0].ties}")
        if result.share_a is not None:
            low, high = result.interval
            parts.append(f"{result.targets[0]} {result.share_a:.0%} ({low:.0%}-{high:.0%})")
        self.query_one("#arena-tally", Static).update(" · ".join(parts))

    def _status(self, text: str) -> None:
        self.query_one("#arena-status", Static).update(text)
