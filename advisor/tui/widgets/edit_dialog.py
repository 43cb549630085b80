"""A dialog to correct one example as JSON (the Review screen's e)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, TextArea


class EditDialog(ModalScreen[str | None]):
    """Edit ``text`` (an example as JSON); dismissed with the new text, or None."""

    DEFAULT_CSS = """
    EditDialog TextArea { height: 14; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "done", "Save", priority=True),
    ]

    def __init__(
        self, title: str, text: str, *, save: str = "Save", cancel: str = "Cancel"
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.text = text
        self.labels = (save, cancel)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield TextArea(self.text, language=None, id="edit-json")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.labels[0], variant="primary", id="done")
                yield Button(self.labels[1], id="cancel")

    def on_mount(self) -> None:
        self.query_one("#edit-json", TextArea).focus()

    @on(Button.Pressed, "#done")
    def action_done(self) -> None:
        self.dismiss(self.query_one("#edit-json", TextArea).text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
