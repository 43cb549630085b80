"""A dialog to correct one example as JSON (the Review screen's e)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, TextArea


class EditDialog(ModalScreen[str | None]):
    """Edit ``text`` (an example as JSON); dismissed with the new text, or None."""

    # The box takes what the dialog leaves: a fixed 14 rows pushed Save and Cancel out of
    # the dialog in a 24-row terminal.
    DEFAULT_CSS = """
    EditDialog .dialog { height: 90%; max-height: 32; }
    EditDialog TextArea { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "done", "Save", priority=True),
    ]

    def __init__(
        self,
        title: str,
        text: str,
        *,
        save: str = "Save",
        cancel: str = "Cancel",
        check: Callable[[str], object] | None = None,
    ) -> None:
        """``check`` raises an AdvisorError on a text that cannot be saved: the dialog
        stays open with the error, so the edit is not lost."""
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.text = text
        self.labels = (save, cancel)
        self.check = check

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
        from advisor.errors import AdvisorError

        text = self.query_one("#edit-json", TextArea).text
        if self.check is not None:
            try:
                self.check(text)
            except AdvisorError as exc:
                lang = str(getattr(getattr(self.app, "session", None), "language", "en"))
                self.notify(exc.localized(lang), severity="error", timeout=8)
                return
        self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
