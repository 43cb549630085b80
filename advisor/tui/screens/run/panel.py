"""What every panel of the Run screen shares: the screen it reports to, and worker errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.containers import Vertical
from textual.worker import Worker, WorkerState

from advisor.tui.screens.base import WizardNode

if TYPE_CHECKING:
    from advisor.tui.screens.run import RunScreen


class RunPanel(WizardNode, Vertical):
    """One area of the Run screen (a route, or fine-tuning); its workers run here."""

    @property
    def run_screen(self) -> RunScreen:
        return cast("RunScreen", self.screen)

    def start(self) -> None:
        """Check the panel's inputs and start its work (F5)."""
        raise NotImplementedError

    def progress(self, done: int, total: int, label: str) -> None:
        """A ``progress(done, total, label)`` callback for worker threads."""
        self.app.call_from_thread(self.run_screen.show_progress, done, total, label)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker messages do not bubble: hand failures to the screen, which shows them once.
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.run_screen.worker_failed(event.worker, event.worker.error)
