"""What every wizard screen shares: the app's state, error display and navigation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from textual import events, on
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from pathlib import Path

    from textual.app import App

    from advisor.errors import AdvisorError
    from advisor.tui.app import AdvisorApp
    from advisor.tui.session import Session


class _InTheApp(Protocol):
    @property
    def app(self) -> App[Any]: ...


class WizardNode:
    """The typed app and its session, for the wizard's screens and the Run screen's panels."""

    @property
    def advisor(self: _InTheApp) -> AdvisorApp:
        return cast("AdvisorApp", self.app)

    @property
    def session(self: _InTheApp) -> Session:
        return cast("AdvisorApp", self.app).session

    def t(self: _InTheApp, text: str, **values: Any) -> str:
        """``text`` (an English key of strings.yaml) in the session's language, filled."""
        from advisor.tui.i18n import tr

        out = tr(text, cast("AdvisorApp", self.app).session.language)
        return out.format(**values) if values else out


class AdvisorScreen(WizardNode, Screen):
    """A screen of the wizard; escape goes back to the previous one."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    @on(events.Mount)
    def _fit_and_translate_footer(self) -> None:
        # Footers must fit 80 columns (issue 19): compact spacing, and the command
        # palette (ctrl+p still opens it) is not advertised on every screen.
        from textual.widgets import Footer

        for footer in self.query(Footer):
            footer.compact = True
            footer.show_command_palette = False
        self.translate_footer()

    def translate_footer(self) -> None:
        """The footer's key labels in the session's language (F3)."""
        from advisor.tui.i18n import translate_bindings

        translate_bindings(self, self.session.language)
        self.refresh_bindings()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def go(self, name: str) -> None:
        """Open another screen on top of this one (escape comes back)."""
        from advisor.tui.screens import make_screen

        self.app.push_screen(make_screen(name))

    def language_changed(self) -> None:
        """Redraw texts that depend on the advisor's language (F3 toggles it)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Workers run with exit_on_error=False; their errors surface here, once.
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.worker_failed(event.worker, event.worker.error)

    def worker_failed(self, worker: Worker, error: BaseException) -> None:
        self.advisor.show_error(error)


def cannot_write(path: Path, exc: OSError) -> AdvisorError:
    """A file or folder the user chose that cannot be written: the path and the system's
    reason, not an "unexpected error" to report (a missing folder is the user's to fix)."""
    from advisor.errors import UserInputError

    return UserInputError.from_catalog("cannot_write", path=str(path), reason=exc.strerror)
