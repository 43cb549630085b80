"""The interview's answer picker: a RadioSet where enter always means "this one"."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import RadioSet


class AnswerChoices(RadioSet):
    """Enter on the option already chosen confirms it (plain RadioSet ignores that)."""

    class Confirmed(Message):
        def __init__(self, choices: AnswerChoices, index: int) -> None:
            super().__init__()
            self.choices = choices
            self.index = index

        @property
        def control(self) -> AnswerChoices:
            return self.choices

    def on_mount(self) -> None:
        # Start the highlight on the current answer, not on the first option
        # (after RadioSet's own mount handler has put it on the first).
        self.call_after_refresh(self._highlight_answer)

    def _highlight_answer(self) -> None:
        if self.pressed_index >= 0:
            self._selected = self.pressed_index

    def action_toggle_button(self) -> None:
        if self._selected is not None and self._selected == self.pressed_index:
            self.post_message(self.Confirmed(self, self._selected))
            return
        super().action_toggle_button()
