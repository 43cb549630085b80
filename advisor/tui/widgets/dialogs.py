"""Modal dialogs: errors with their fix, a path prompt and a pick list."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from advisor.tui.i18n import tr


def _lang(screen: ModalScreen[Any]) -> str:
    return str(getattr(getattr(screen.app, "session", None), "language", "en"))


def _focus(screen: ModalScreen[Any], selector: str) -> None:
    """Focus the dialog's first control, if it is there.

    A dialog pushed while the app is closing (an error raised during shutdown) can be
    mounted after its children were removed; it must not raise a second error then.
    """
    for widget in screen.query(selector):
        widget.focus()
        return


def _t(screen: ModalScreen[Any], text: str, **values: object) -> str:
    """A dialog's own text in the session's language (strings.yaml)."""
    out = tr(text, _lang(screen))
    return out.format(**values) if values else out


class ErrorDialog(ModalScreen[None]):
    """One error sentence (it names the fix) and an OK button."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "dismiss_dialog", "OK", show=True),
    ]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.message, id="error-message", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_t(self, "OK"), variant="error", id="ok")

    def on_mount(self) -> None:
        _focus(self, "#ok")

    @on(Button.Pressed, "#ok")
    def action_dismiss_dialog(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question, e.g. the cost of a fine-tuning job before it starts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(self, title: str, message: str, *, yes: str = "Start") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.message = message
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.message, markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_t(self, self.yes), variant="primary", id="yes")
                yield Button(_t(self, "Cancel"), id="no")

    def on_mount(self) -> None:
        _focus(self, "#yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class PathDialog(ModalScreen[Path | None]):
    """Type a path or pick it in the tree; enter accepts, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        *,
        default: str = "",
        must_exist: bool = True,
        root: Path | None = None,
        suffixes: tuple[str, ...] = (),
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.default = default
        self.must_exist = must_exist
        self.root = root or Path.cwd()
        self.suffixes = suffixes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog path-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(self.default, placeholder=_t(self, "path/to/file"), id="path")
            tree = _FilteredTree(self.root, suffixes=self.suffixes, id="tree")
            yield tree
            with Horizontal(classes="dialog-buttons"):
                yield Button(_t(self, "OK"), variant="primary", id="ok")
                yield Button(_t(self, "Cancel"), id="cancel")

    def on_mount(self) -> None:
        _focus(self, "#path")

    @on(DirectoryTree.FileSelected)
    def file_selected(self, event: DirectoryTree.FileSelected) -> None:
        path_input = self.query_one("#path", Input)
        path_input.value = str(event.path)
        path_input.focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def accept(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.notify(_t(self, "type a path or pick a file"), severity="warning")
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.root / path
        if self.must_exist and not path.exists():
            self.notify(
                _t(self, "{path} does not exist: check the path", path=path), severity="error"
            )
            return
        self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class _FilteredTree(DirectoryTree):
    """Folders and files with the wanted suffixes, hidden files left out."""

    def __init__(self, path: Path, *, suffixes: tuple[str, ...], id: str | None = None) -> None:
        super().__init__(path, id=id)
        self.suffixes = suffixes

    def filter_paths(self, paths):
        return [
            p
            for p in paths
            if not p.name.startswith(".")
            and (p.is_dir() or not self.suffixes or p.name.endswith(self.suffixes))
        ]


class PickDialog(ModalScreen[str | None]):
    """Pick one of several options (scenarios, jobs, knowledge bases)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        """``options`` are (id, label) pairs; the id comes back."""
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.options:
                yield OptionList(*[Option(label, id=key) for key, label in self.options])
            else:
                yield Static(_t(self, "Nothing to choose yet."))
            with Horizontal(classes="dialog-buttons"):
                yield Button(_t(self, "Cancel"), id="cancel")

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[None]):
    """Read-only text (a training example, a sample answer) in a scrollable box."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "Close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll

        with Vertical(classes="dialog text-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll():
                yield Static(self.text, markup=False, id="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_t(self, "Close"), id="close")

    def on_mount(self) -> None:
        _focus(self, "#close")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
