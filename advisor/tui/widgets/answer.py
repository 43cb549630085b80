"""The interview's answer widgets, safe at key-repeat speed.

A person holding PgDn, or typing ``150`` and Enter in one burst, sends keys
faster than a question is replaced.  Two things went wrong (issue 19): a
RadioSet left before its first refresh raised ``ValueError`` from its own
``pressed_index``, and keys that reached the answer widget after it had
submitted were typed into a widget about to be removed.  So an answer widget
*retires* once it has answered: the keys it still receives go to its
:class:`KeyStash`, which replays them to whatever has focus once the next
question is shown.
"""

from __future__ import annotations

from typing import Any, Protocol

from textual import events
from textual.message import Message
from textual.widgets import Input, RadioSet


class KeyStash(Protocol):
    """Where a retired answer widget leaves the keys it still receives (the interview)."""

    def stash_key(self, event: events.Key) -> None: ...


def _stash(widget: Any, event: events.Key, answer_keys: tuple[str, ...]) -> bool:
    """Keep ``event`` for the next question if ``widget`` has already answered.

    The key that answers retires the widget here, when it arrives, and goes on
    to its binding; the keys behind it are already queued to this widget, so
    they must be caught here too, not when the binding runs.
    """
    if not widget.retired:
        widget.retired = event.key in answer_keys
        return False
    event.stop()
    event.prevent_default()
    stash = widget.screen
    if hasattr(stash, "stash_key"):
        stash.stash_key(event)
    return True


class AnswerChoices(RadioSet):
    """Enter on the option already chosen confirms it (plain RadioSet ignores that)."""

    retired = False

    class Confirmed(Message):
        def __init__(self, choices: AnswerChoices, index: int) -> None:
            super().__init__()
            self.choices = choices
            self.index = index

        @property
        def control(self) -> AnswerChoices:
            return self.choices

    def __init__(self, *buttons: Any, values: list[Any], **kwargs: Any) -> None:
        super().__init__(*buttons, **kwargs)
        self.values = values  # the answer behind each button, kept with the widget

    def on_mount(self) -> None:
        # Start the highlight on the current answer, not on the first option.
        # RadioSet's own ``_on_mount`` runs after this handler and puts it on the
        # first, so the correction is queued: ``call_later`` puts it in this
        # widget's queue ahead of any key forwarded to it once it has mounted
        # (a key replayed from the stash). ``call_after_refresh`` was too late:
        # an arrow key moved from the first option and Enter chose the wrong one.
        self.call_later(self._highlight_answer)

    @property
    def chosen(self) -> int:
        """The index of the pressed button, or -1 (also while being removed)."""
        pressed = self.pressed_button
        return self._nodes.index(pressed) if pressed in self._nodes else -1

    def _highlight_answer(self) -> None:
        # The question may already have been left (key repeat): nothing to highlight then.
        if self.is_attached and self.chosen >= 0:
            self._selected = self.chosen

    async def _on_key(self, event: events.Key) -> None:
        if not _stash(self, event, ("enter", "space")):
            await super()._on_key(event)

    def action_toggle_button(self) -> None:
        if self._selected is not None and self._selected == self.chosen:
            self.post_message(self.Confirmed(self, self._selected))
            return
        super().action_toggle_button()


class AnswerInput(Input):
    """The count answer: an integer Input that hands later keys on once submitted."""

    retired = False

    async def _on_key(self, event: events.Key) -> None:
        # Enter retires it; the interview un-retires it if it refuses the value.
        if not _stash(self, event, ("enter",)):
            await super()._on_key(event)
