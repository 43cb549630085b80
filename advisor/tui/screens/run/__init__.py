"""Run: prepare the chosen route. Build a RAG index, or train and watch a fine-tuning job.

The screen holds what every route shares (the route, backend and model bar, the
progress bar, the buttons and the log); each area is a panel of its own module:
:mod:`.prompt`, :mod:`.rag`, :mod:`.assistant` and :mod:`.tune` (job control).
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Header,
    Input,
    ProgressBar,
    RichLog,
    Select,
)
from textual.worker import Worker

from advisor.data.texts import label_in
from advisor.registry import backend_names
from advisor.tui.screens.base import AdvisorScreen
from advisor.tui.screens.run.assistant import AssistantPanel
from advisor.tui.screens.run.panel import RunPanel
from advisor.tui.screens.run.prompt import PromptPanel
from advisor.tui.screens.run.rag import RagPanel
from advisor.tui.screens.run.tune import TRAINING_ROUTES, TunePanel

ROUTES = [
    ("System prompt", "system_prompt"),
    ("RAG", "rag"),
    ("Custom assistant", "custom_assistant"),
    ("Fine-tune: SFT", "sft"),
    ("Fine-tune: DPO", "dpo"),
    ("Fine-tune: RFT", "rft"),
]
PANELS = {
    "system_prompt": "panel-prompt",
    "custom_assistant": "panel-assistant",
    "rag": "panel-rag",
}
POLL_SECONDS = 0.5  # how often a followed job is polled (read at each follow)


def metric_of(data: dict[str, Any] | None, *, reward: bool = False) -> tuple[str, float] | None:
    """The loss (or, for RFT, the reward) in a metrics event, if any."""
    from advisor.app.metrics import MetricPoint

    point = MetricPoint.from_data(data)
    return point.headline(reward=reward) if point is not None else None


class RunScreen(AdvisorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", show=False),  # the footer is full at 80 columns
        Binding("f5", "start", "Start"),
        Binding("f8", "cancel", "Cancel"),
        Binding("f9", "resume", "Resume"),
        Binding("ctrl+l", "jobs", "Jobs"),
        Binding("f6", "chat", "Chat ▶"),
        Binding("f7", "compare", "Bench ▶"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cancel_event = threading.Event()

    def compose(self) -> ComposeResult:
        session = self.session
        route = session.route if session.route in {v for _, v in ROUTES} else "system_prompt"
        yield Header()
        with Vertical(id="run"):
            with Horizontal(id="run-bar"):
                yield Select(
                    [(self.t(label), value) for label, value in ROUTES],
                    value=route,
                    allow_blank=False,
                    id="route",
                )
                yield Select(
                    [(n, n) for n in backend_names()],
                    value=self.advisor.backend_name,
                    allow_blank=False,
                    id="run-backend",
                )
                yield Input(
                    session.model or "", placeholder=self.t("default model"), id="run-model"
                )
            with ContentSwitcher(initial=PANELS.get(route, "panel-tune"), id="panels"):
                yield PromptPanel(id="panel-prompt")
                yield AssistantPanel(id="panel-assistant")
                yield RagPanel(id="panel-rag")
                yield TunePanel(id="panel-tune")
            yield ProgressBar(show_eta=False, id="run-progress")
            with Horizontal(classes="buttons"):
                yield Button(self.t(self._start_label(route)), variant="primary", id="start")
                yield Button(self.t("Cancel"), variant="error", id="cancel", disabled=True)
                yield Button(self.t("Resume"), id="resume", disabled=True)
            yield RichLog(id="run-log", wrap=True, markup=False, max_lines=500)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.t("run")
        self.query_one("#run-progress", ProgressBar).update(total=100, progress=0)
        last = self.session.job_ids[-1] if self.session.job_ids else None
        self.tune.job_id = last
        if last and self.route in TRAINING_ROUTES:
            self.tune.follow(last)

    @property
    def route(self) -> str:
        return str(self.query_one("#route", Select).value)

    @property
    def tune(self) -> TunePanel:
        return self.query_one(TunePanel)

    @property
    def job_id(self) -> str | None:
        return self.tune.job_id

    def panel(self) -> RunPanel:
        return self.query_one(f"#{PANELS.get(self.route, 'panel-tune')}", RunPanel)

    @on(Select.Changed, "#route")
    def route_changed(self, event: Select.Changed) -> None:
        route = str(event.value)
        self.session.route = route
        self.query_one("#panels", ContentSwitcher).current = PANELS.get(route, "panel-tune")
        self.query_one("#start", Button).label = self.t(self._start_label(route))

    @staticmethod
    def _start_label(route: str) -> str:
        if route == "rag":
            return "Build index"
        return "Start job" if route in TRAINING_ROUTES else "Prepare"

    def _apply_choices(self) -> None:
        session = self.session
        backend = str(self.query_one("#run-backend", Select).value)
        session.backend = None if backend == self.advisor.settings.backend else backend
        session.model = self.query_one("#run-model", Input).value.strip() or None
        session.system_prompt = self.query_one("#instructions", Input).value.strip() or (
            session.system_prompt
        )

    # --- what the panels report to ------------------------------------------------------

    def log_line(self, text: str) -> None:
        self.query_one("#run-log", RichLog).write(text)

    def busy(self, busy: bool, *, resumable: bool = False) -> None:
        self.query_one("#start", Button).disabled = busy
        self.query_one("#cancel", Button).disabled = not busy
        self.query_one("#resume", Button).disabled = not resumable

    def show_progress(self, done: int, total: int, label: str) -> None:
        self.query_one("#run-progress", ProgressBar).update(total=total or None, progress=done)
        if label:
            self.sub_title = f"{self.t('run')} · {label_in(label, self.session.language)}"

    def finished(self, message: str) -> None:
        self.busy(False)
        self.sub_title = self.t("run")
        self.query_one("#run-progress", ProgressBar).update(total=100, progress=100)
        self.notify(message)

    def worker_failed(self, worker: Worker, error: BaseException) -> None:
        self.busy(False, resumable=self.job_id is not None)
        self.log_line(self.t("failed: {error}", error=error))
        super().worker_failed(worker, error)

    # --- actions -------------------------------------------------------------------------

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        self._apply_choices()
        self.cancel_event = threading.Event()
        self.panel().start()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.cancel_event.set()
        if self.route in TRAINING_ROUTES and self.job_id:
            self.tune.control_job("cancel", self.job_id)

    @on(Button.Pressed, "#resume")
    def action_resume(self) -> None:
        if self.job_id:
            self.tune.control_job("resume", self.job_id)

    def language_changed(self) -> None:
        from advisor.tui.widgets.charts import MetricChart

        self.query_one(MetricChart).redraw_caption()  # a sentence around the metric's figures

    def action_jobs(self) -> None:
        self.tune.list_jobs()

    def action_chat(self) -> None:
        self.go("chat")

    def action_compare(self) -> None:
        self.go("compare")
