"""What every wizard screen shares: the app's state, error display and navigation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from textual.app import App

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


class AdvisorScreen(WizardNode, Screen):
    """A screen of the wizard; escape goes back to the previous one."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

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
