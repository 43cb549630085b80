"""The fine-tuning panel: start a job after its preview, follow it with a live chart,
cancel, resume or pick another job.  Every operation goes to the job's own backend
(:class:`advisor.app.jobs.Jobs`), whichever backend is selected now."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.widgets import Input, ProgressBar, RichLog, Static
from textual.worker import get_current_worker

from advisor import messages
from advisor.app.job_events import event_text
from advisor.app.text import job_status_text
from advisor.errors import JobError, UserInputError
from advisor.ids import METHODS
from advisor.tui.i18n import tr
from advisor.tui.screens.run.panel import RunPanel
from advisor.tui.widgets.charts import MetricChart
from advisor.tui.widgets.dialogs import ConfirmDialog, PickDialog

if TYPE_CHECKING:
    from advisor.app.jobs import Jobs, JobUpdate
    from backends.jobs import JobPreview, JobRequest

TRAINING_ROUTES = METHODS  # a fine-tuning route is named after its method


def preview_lines(
    method: str, backend: str, train: Path, preview: JobPreview | None, lang: str = "en"
) -> list[str]:
    """What the confirmation dialog says about a job before it is created."""

    def t(text: str, **values: object) -> str:
        return tr(text, lang).format(**values)

    lines = [
        t(
            "{method} on {backend}, training file {name}",
            method=method.upper(),
            backend=backend,
            name=train.name,
        )
    ]
    if preview is None:
        return lines
    lines.append(t("{count} examples", count=preview.examples))
    if preview.billed_tokens is not None:
        lines.append(t("{count} billed tokens", count=f"{preview.billed_tokens:,}"))
    if preview.estimated_cost_usd is not None:
        prices = (
            " " + t("(prices of {date})", date=preview.price_date) if preview.price_date else ""
        )
        lines.append(t("about {amount}", amount=f"${preview.estimated_cost_usd:.2f}") + prices)
    if preview.estimated_seconds is not None:
        duration = messages.duration_text(preview.estimated_seconds, lang)
        lines.append(t("about {amount}", amount=duration))
    return lines + preview.notes_in(lang)


class TunePanel(RunPanel):
    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.job_id: str | None = None

    def compose(self) -> ComposeResult:
        yield Input(self.session.data_file or "", placeholder=self.t("training file"), id="train")
        yield Static(id="job-status", markup=False)
        yield MetricChart(id="chart")

    @property
    def jobs(self) -> Jobs:
        from advisor.app.jobs import Jobs

        return Jobs(self.advisor.settings, self.advisor.backend)

    # --- starting ------------------------------------------------------------------------

    def start(self) -> None:
        train = self.query_one("#train", Input).value.strip()
        if not train:
            self.notify(
                self.t("type the training file (check it on the Data screen)"), severity="warning"
            )
            return
        path = Path(train).expanduser()
        if not path.is_file():
            # The CLI's sentence without its hint, which names the --train option.
            self.advisor.show_error(UserInputError.from_catalog("tune.no_train", path=str(path)))
            return
        self.session.data_file = train
        self.preview_job(self.run_screen.route, path)

    @work(thread=True, exit_on_error=False, exclusive=True, group="run")
    def preview_job(self, method: str, train: Path) -> None:
        from backends.jobs import JobRequest

        request = JobRequest(
            method=method,  # one of TRAINING_ROUTES
            training_file=str(train),
            model=self.session.model,
            suffix=self.session.scenario or None,
            metadata={"source": "tui"},
        )
        backend = self.advisor.backend_name
        preview = self.jobs.preview(backend, request)
        lines = preview_lines(method, backend, train, preview, self.session.language)

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.run_screen.busy(True)
                self.create_job(request)

        self.app.call_from_thread(
            self.app.push_screen,
            ConfirmDialog(self.t("Start fine-tuning?"), "\n".join(lines)),
            confirmed,
        )

    @work(thread=True, exit_on_error=False, exclusive=True, group="run")
    def create_job(self, request: JobRequest) -> None:
        job = self.jobs.submit(self.advisor.backend_name, request)
        self.app.call_from_thread(self.show_job, job.id, self.t("job {id} created", id=job.id))

    def show_job(self, job_id: str, message: str | None = None) -> None:
        """Make ``job_id`` the panel's job and follow it."""
        self.job_id = job_id
        if job_id not in self.session.job_ids:
            self.session.job_ids.append(job_id)
        self.query_one("#chart", MetricChart).reset()
        if message:
            self.run_screen.log_line(message)
        self.follow(job_id)

    # --- following -----------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, exclusive=True, group="follow")
    def follow(self, job_id: str) -> None:
        """Poll the job until it ends (or the screen goes away), through its own backend."""
        from advisor.tui.screens import run

        call = self.app.call_from_thread
        worker = get_current_worker()
        # Every follow replays the job's events from the start: the chart starts empty.
        call(self.query_one("#chart", MetricChart).reset)
        call(self.screen.query_one("#run-log", RichLog).clear)
        updates = self.jobs.follow(
            job_id, interval_s=run.POLL_SECONDS, stop=lambda: worker.is_cancelled
        )
        for update in updates:
            call(self.job_update, update)

    def job_update(self, update: JobUpdate) -> None:
        job, screen = update.job, self.run_screen
        lang = self.session.language
        chart = self.query_one("#chart", MetricChart)
        bar = screen.query_one("#run-progress", ProgressBar)
        for event, point in update.points:
            if point is not None and point.step is not None and point.total_steps is not None:
                bar.update(total=point.total_steps, progress=point.step)
            headline = point.headline(reward=job.method == "rft") if point else None
            if headline is not None:
                if chart.metric != headline[0]:
                    chart.set_metric(headline[0])
                chart.add(headline[1], point.step if point else None)
            if event.type != "metrics":
                # The tag is keyed bracketed ("[error]"): a bare "info" could relabel a widget.
                tag = tr(f"[{event.level}]", lang)
                screen.log_line(f"{tag} {event_text(event, lang)}")
        status = (
            self.t("job {id}: {status}", id=job.id, status=job_status_text(job.status, lang))
            + f" · {job.method} · {job.model}"
        )
        if job.fine_tuned_model:
            status += f" → {job.fine_tuned_model}"
        from advisor.app.jobs import timing_line

        timing = timing_line(job, lang)
        status += f" · {timing}" if timing else ""
        self.query_one("#job-status", Static).update(status)
        screen.busy(not update.settled, resumable=job.status in ("cancelled", "failed", "paused"))
        if job.status == "succeeded" and job.fine_tuned_model:
            self.session.fine_tuned_model = job.fine_tuned_model
            self.notify(self.t("fine-tuned model ready: {model}", model=job.fine_tuned_model))
        elif job.status == "failed":
            lang = self.session.language
            message = job.error.localized(lang) if job.error else self.t("the job failed")
            self.advisor.show_error(JobError(message), title=self.t("Job {id} failed", id=job.id))

    # --- control -------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="control")
    def control_job(self, action: str, job_id: str) -> None:
        jobs = self.jobs
        job = jobs.cancel(job_id) if action == "cancel" else jobs.resume(job_id)
        call = self.app.call_from_thread
        call(
            self.run_screen.log_line,
            self.t(
                "{action}: job {id} is {status}",
                action=self.t(action),
                id=job.id,
                status=job_status_text(job.status, self.session.language),
            ),
        )
        # Following again replaces the current follower (same exclusive group), so the
        # new state shows at once instead of at the next poll.
        call(self.follow, job_id)

    @work(thread=True, exit_on_error=False, group="control")
    def list_jobs(self) -> None:
        jobs = self.jobs.list(limit=30)
        lang = self.session.language
        options = [
            (j.id, f"{j.id}  {job_status_text(j.status, lang)}  {j.method} {j.model}") for j in jobs
        ]
        self.app.call_from_thread(
            self.app.push_screen, PickDialog(self.t("Fine-tuning jobs"), options), self._job_picked
        )

    def _job_picked(self, job_id: str | None) -> None:
        if job_id:
            self.show_job(job_id)
