"""Run: prepare the chosen route. Build a RAG index, or train and watch a fine-tuning job."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    RichLog,
    Select,
    Static,
)
from textual.worker import get_current_worker

from advisor.errors import DataFileError, JobError
from advisor.registry import backend_names
from advisor.tui.screens.base import AdvisorScreen
from advisor.tui.widgets.charts import MetricChart
from advisor.tui.widgets.dialogs import ConfirmDialog, PickDialog

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
LOSS_KEYS = ("loss", "train_loss")
REWARD_KEYS = ("reward_mean", "mean_reward", "reward", "score")
POLL_SECONDS = 0.5


def metric_of(data: dict[str, Any] | None, *, reward: bool = False) -> tuple[str, float] | None:
    """The loss (or, for RFT, the reward) in a metrics event, if any."""
    for key in (*REWARD_KEYS, *LOSS_KEYS) if reward else (*LOSS_KEYS, *REWARD_KEYS):
        value = (data or {}).get(key)
        if isinstance(value, int | float):
            return key, float(value)
    return None


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
        self.job_id: str | None = None

    def compose(self) -> ComposeResult:
        session = self.session
        route = (
            session.route if session.route in dict((v, k) for k, v in ROUTES) else "system_prompt"
        )
        yield Header()
        with Vertical(id="run"):
            with Horizontal(id="run-bar"):
                yield Select(ROUTES, value=route, allow_blank=False, id="route")
                yield Select(
                    [(n, n) for n in backend_names()],
                    value=self.advisor.backend_name,
                    allow_blank=False,
                    id="run-backend",
                )
                yield Input(session.model or "", placeholder="default model", id="run-model")
            with ContentSwitcher(initial=PANELS.get(route, "panel-tune"), id="panels"):
                with Vertical(id="panel-prompt"):
                    yield Label("Instructions (system prompt)", classes="field-label")
                    yield Input(session.system_prompt or "", id="instructions")
                with Vertical(id="panel-assistant"):
                    with Horizontal(classes="row"):
                        yield Input(
                            session.assistant or "assistant", placeholder="name", id="assistant"
                        )
                        yield Input(
                            session.documents or "",
                            placeholder="knowledge folder (optional)",
                            id="assistant-docs",
                        )
                    yield Input(
                        session.system_prompt or "",
                        placeholder="instructions of the assistant",
                        id="assistant-instructions",
                    )
                with Vertical(id="panel-rag"), Horizontal(classes="row"):
                    yield Input(
                        session.documents or "", placeholder="documents folder", id="documents"
                    )
                    yield Input(session.knowledge_base or "kb", placeholder="name", id="kb")
                with Vertical(id="panel-tune"):
                    yield Input(session.data_file or "", placeholder="training file", id="train")
                    yield Static(id="job-status", markup=False)
                    yield MetricChart(id="chart")
            yield ProgressBar(show_eta=False, id="run-progress")
            with Horizontal(classes="buttons"):
                yield Button("Start", variant="primary", id="start")
                yield Button("Cancel", variant="error", id="cancel", disabled=True)
                yield Button("Resume", id="resume", disabled=True)
            yield RichLog(id="run-log", wrap=True, markup=False, max_lines=500)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "run"
        self.query_one("#run-progress", ProgressBar).update(total=100, progress=0)
        self.job_id = self.session.job_ids[-1] if self.session.job_ids else None
        if self.job_id and self.route in ("sft", "dpo", "rft"):
            self.follow(self.job_id)

    @property
    def route(self) -> str:
        return str(self.query_one("#route", Select).value)

    @on(Select.Changed, "#route")
    def route_changed(self, event: Select.Changed) -> None:
        route = str(event.value)
        self.session.route = route
        self.query_one("#panels", ContentSwitcher).current = PANELS.get(route, "panel-tune")
        label = "Start job" if route in ("sft", "dpo", "rft") else "Prepare"
        self.query_one("#start", Button).label = "Build index" if route == "rag" else label

    def _apply_choices(self) -> None:
        session = self.session
        backend = str(self.query_one("#run-backend", Select).value)
        session.backend = None if backend == self.advisor.settings.backend else backend
        session.model = self.query_one("#run-model", Input).value.strip() or None
        session.system_prompt = self.query_one("#instructions", Input).value.strip() or (
            session.system_prompt
        )

    def log_line(self, text: str) -> None:
        self.query_one("#run-log", RichLog).write(text)

    def _busy(self, busy: bool, *, resumable: bool = False) -> None:
        self.query_one("#start", Button).disabled = busy
        self.query_one("#cancel", Button).disabled = not busy
        self.query_one("#resume", Button).disabled = not resumable

    # --- start ----------------------------------------------------------------------

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        self._apply_choices()
        route = self.route
        self.cancel_event = threading.Event()
        if route == "rag":
            documents = self.query_one("#documents", Input).value.strip()
            name = self.query_one("#kb", Input).value.strip() or "kb"
            if not documents:
                self.notify("type the folder of documents to index", severity="warning")
                return
            self.session.documents, self.session.knowledge_base = documents, name
            self._busy(True)
            self.build_index(name, Path(documents).expanduser())
        elif route in ("sft", "dpo", "rft"):
            train = self.query_one("#train", Input).value.strip()
            if not train:
                self.notify(
                    "type the training file (check it on the Data screen)", severity="warning"
                )
                return
            path = Path(train).expanduser()
            if not path.is_file():
                self.advisor.show_error(
                    DataFileError("training file not found", path=str(path), hint="check the path")
                )
                return
            self.session.data_file = train
            self.preview_job(route, path)
        elif route == "custom_assistant":
            name = self.query_one("#assistant", Input).value.strip() or "assistant"
            instructions = self.query_one("#assistant-instructions", Input).value.strip()
            documents = self.query_one("#assistant-docs", Input).value.strip()
            if not instructions:
                self.notify("write the assistant's instructions", severity="warning")
                return
            self.session.assistant, self.session.system_prompt = name, instructions
            self._busy(True)
            self.prepare_assistant(name, instructions, documents)
        else:
            self._busy(True)
            self.prepare_prompt(route)

    @work(thread=True, exit_on_error=False, exclusive=True, group="run")
    def prepare_prompt(self, route: str) -> None:
        from advisor.routes import SystemPromptRoute

        call = self.app.call_from_thread
        prepared = SystemPromptRoute(
            self.advisor.backend(), self.advisor.model_id, self.session.system_prompt or ""
        )
        report = prepared.prepare()
        call(self.log_line, f"{route} ready on {self.advisor.backend_name}/{prepared.model}")
        for warning in report.warnings:
            call(self.log_line, f"warning: {warning}")
        call(self._finished, "route ready: chat with it (F6) or compare (F7)")

    @work(thread=True, exit_on_error=False, exclusive=True, group="run")
    def prepare_assistant(self, name: str, instructions: str, documents: str) -> None:
        """Save the profile (replacing one of that name), then index its knowledge."""
        from advisor.routes import AssistantProfile, AssistantStore, CustomAssistantRoute

        call = self.app.call_from_thread
        profile = AssistantProfile(
            name=name,
            instructions=instructions,
            knowledge=[str(Path(documents).expanduser().resolve())] if documents else [],
            backend=self.advisor.backend_name,
            model=self.session.model,
        )
        AssistantStore(self.advisor.settings).save(profile, overwrite=True)
        route = CustomAssistantRoute(profile, self.advisor.settings, backend=self.advisor.backend())
        report = route.prepare(
            lambda done, total, label: call(self._progress, done, total, label), self.cancel_event
        )
        details = ", ".join(f"{k} {v}" for k, v in report.details.items())
        call(self.log_line, f"assistant {name} saved and ready ({details or 'instructions only'})")
        for warning in report.warnings:
            call(self.log_line, f"warning: {warning}")
        call(self._finished, f"assistant {name} ready: chat with it (F6)")

    @work(thread=True, exit_on_error=False, exclusive=True, group="run")
    def build_index(self, name: str, documents: Path) -> None:
        from advisor.rag import KnowledgeBase

        call = self.app.call_from_thread

        def progress(done: int, total: int, label: str) -> None:
            call(self._progress, done, total, label)

        kb = KnowledgeBase(name, self.advisor.settings)
        report = kb.index([documents], progress=progress, cancel=self.cancel_event)
        call(
            self.log_line,
            f"{report.kb}: {report.files} files, {report.chunks} chunks "
            f"(+{report.added} ~{report.updated} ={report.unchanged} -{report.deleted}) "
            f"in {report.seconds:.1f} s",
        )
        for skipped in report.skipped:
            call(self.log_line, f"skipped {skipped}")
        call(self._finished, f"knowledge base {name} ready: chat with it (F6)")

    def _progress(self, done: int, total: int, label: str) -> None:
        bar = self.query_one("#run-progress", ProgressBar)
        bar.update(total=total or None, progress=done)
        if label:
            self.sub_title = f"run · {label}"

    def _finished(self, message: str) -> None:
        self._busy(False)
        self.sub_title = "run"
        self.query_one("#run-progress", ProgressBar).update(total=100, progress=100)
        self.notify(message)

    def worker_failed(self, worker, error: BaseException) -> None:
        self._busy(False, resumable=self.job_id is not None)
        self.log_line(f"failed: {error}")
        super().worker_failed(worker, error)

    # --- fine-tuning ------------------------------------------------------------------

    def _request(self, method: str, train: Path) -> Any:
        from backends.jobs import JobRequest

        return JobRequest(
            method=method,
            training_file=str(train),
            model=self.session.model,
            suffix=self.session.scenario or None,
            metadata={"source": "tui"},
        )

    @work(thread=True, exit_on_error=False, exclusive=True, group="run")
    def preview_job(self, method: str, train: Path) -> None:
        service = self.advisor.backend().fine_tuning()
        request = self._request(method, train)
        preview = service.preview(request)
        lines = [f"{method.upper()} on {self.advisor.backend_name}, training file {train.name}"]
        if preview is not None:
            lines.append(f"{preview.examples} examples")
            if preview.billed_tokens is not None:
                lines.append(f"{preview.billed_tokens:,} billed tokens")
            if preview.estimated_cost_usd is not None:
                prices = f" (prices of {preview.price_date})" if preview.price_date else ""
                lines.append(f"about ${preview.estimated_cost_usd:.2f}{prices}")
            if preview.estimated_seconds is not None:
                lines.append(f"about {preview.estimated_seconds:.0f} s")
            lines += preview.notes

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._busy(True)
                self.create_job(request)

        self.app.call_from_thread(
            self.app.push_screen, ConfirmDialog("Start fine-tuning?", "\n".join(lines)), confirmed
        )

    @work(thread=True, exit_on_error=False, exclusive=True, group="run")
    def create_job(self, request: Any) -> None:
        job = self.advisor.backend().fine_tuning().create(request)
        self.app.call_from_thread(self._job_created, job.id)

    def _job_created(self, job_id: str) -> None:
        self.job_id = job_id
        if job_id not in self.session.job_ids:
            self.session.job_ids.append(job_id)
        self.query_one("#chart", MetricChart).reset()
        self.log_line(f"job {job_id} created")
        self.follow(job_id)

    @work(thread=True, exit_on_error=False, exclusive=True, group="follow")
    def follow(self, job_id: str) -> None:
        """Poll the job's state and events until it ends (or the screen goes away)."""
        service = self.advisor.backend().fine_tuning()
        call = self.app.call_from_thread
        worker = get_current_worker()
        after: str | None = None
        # Every follow replays the job's events from the start: the chart starts empty.
        call(self.query_one("#chart", MetricChart).reset)
        call(self.query_one("#run-log", RichLog).clear)
        while not worker.is_cancelled:
            job = service.retrieve(job_id)
            events = service.events(job_id, after=after)
            if events:
                after = events[-1].id
            call(self._job_update, job, events)
            if job.is_terminal or job.status == "paused":
                return
            # Sleep in short slices so leaving the screen stops the worker promptly.
            deadline = time.monotonic() + POLL_SECONDS
            while time.monotonic() < deadline and not worker.is_cancelled:
                time.sleep(0.05)

    def _job_update(self, job: Any, events: list[Any]) -> None:
        chart = self.query_one("#chart", MetricChart)
        bar = self.query_one("#run-progress", ProgressBar)
        for event in events:
            data = event.data or {}
            if isinstance(data.get("step"), int) and isinstance(data.get("total_steps"), int):
                bar.update(total=data["total_steps"], progress=data["step"])
            found = metric_of(event.data, reward=job.method == "rft")
            if found is not None:
                if chart.metric != found[0]:
                    chart.set_metric(found[0])
                step = data.get("step")
                chart.add(found[1], step if isinstance(step, int) else None)
            if event.type != "metrics":
                self.log_line(f"[{event.level}] {event.message}")
        status = f"job {job.id}: {job.status} · {job.method} · {job.model}"
        if job.fine_tuned_model:
            status += f" → {job.fine_tuned_model}"
        self.query_one("#job-status", Static).update(status)
        running = not job.is_terminal and job.status != "paused"
        self._busy(running, resumable=job.status in ("cancelled", "failed", "paused"))
        if job.status == "succeeded" and job.fine_tuned_model:
            self.session.fine_tuned_model = job.fine_tuned_model
            self.notify(f"fine-tuned model ready: {job.fine_tuned_model}")
        elif job.status == "failed":
            message = job.error.message if job.error else "the job failed"
            self.advisor.show_error(JobError(message), title=f"Job {job.id} failed")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.cancel_event.set()
        if self.route in ("sft", "dpo", "rft") and self.job_id:
            self.control_job("cancel", self.job_id)

    @on(Button.Pressed, "#resume")
    def action_resume(self) -> None:
        if self.job_id:
            self.control_job("resume", self.job_id)

    @work(thread=True, exit_on_error=False, group="control")
    def control_job(self, action: str, job_id: str) -> None:
        service = self.advisor.backend().fine_tuning()
        job = getattr(service, action)(job_id)
        self.app.call_from_thread(self.log_line, f"{action}: job {job.id} is {job.status}")
        # Following again replaces the current follower (same exclusive group), so the
        # new state shows at once instead of at the next poll.
        self.app.call_from_thread(self.follow, job_id)

    def action_jobs(self) -> None:
        self.list_jobs()

    @work(thread=True, exit_on_error=False, group="control")
    def list_jobs(self) -> None:
        jobs = self.advisor.backend().fine_tuning().list(limit=30)
        options = [(j.id, f"{j.id}  {j.status:<10} {j.method} {j.model}") for j in jobs]
        self.app.call_from_thread(
            self.app.push_screen, PickDialog("Fine-tuning jobs", options), self._job_picked
        )

    def _job_picked(self, job_id: str | None) -> None:
        if job_id:
            self.job_id = job_id
            if job_id not in self.session.job_ids:
                self.session.job_ids.append(job_id)
            self.query_one("#chart", MetricChart).reset()
            self.follow(job_id)

    def action_chat(self) -> None:
        self.go("chat")

    def action_compare(self) -> None:
        self.go("compare")
