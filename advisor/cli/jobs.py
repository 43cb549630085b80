"""``advisor jobs list|show|events|checkpoints|cancel|resume|wait``: jobs of every backend.

Jobs are listed from the local job store, where every backend records its jobs;
operations on one job go to the backend that owns it (see
:mod:`advisor.app.jobs`), so local and remote jobs are handled alike.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING

import typer

from advisor.cli import context
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json, progress_bar

if TYPE_CHECKING:
    from advisor.app.jobs import Jobs, JobUpdate
    from backends.jobs import FineTuneJob, JobEvent

jobs_app = typer.Typer(
    help="Fine-tuning jobs of every backend: list, inspect, follow, cancel, resume.",
    no_args_is_help=True,
)
JOB_ID = typer.Argument(..., help="The job id (see `advisor jobs list`).", show_default=False)


def _jobs() -> Jobs:
    from advisor.app.jobs import Jobs

    return Jobs(context.settings(), context.backend)


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _status(job: FineTuneJob) -> str:
    from advisor.app.text import job_status_text

    return job_status_text(job.status, context.lang())


def describe(job: FineTuneJob) -> list[str]:
    """Human lines for one job."""
    t = context.t
    hp = job.hyperparameters.model_dump(exclude_none=True)
    lines = [
        f"{job.id}  {_status(job)}",
        "  " + t("jobs.backend", backend=job.backend, method=job.method, model=job.model),
        "  " + t("jobs.times", created=_when(job.created_at), finished=_when(job.finished_at)),
        "  " + t("jobs.hyperparameters", values=", ".join(f"{k}={v}" for k, v in hp.items())),
        "  " + t("jobs.training_file", path=job.training_file),
    ]
    if job.validation_file:
        lines.append("  " + t("jobs.validation_file", path=job.validation_file))
    if job.trained_tokens:
        lines.append("  " + t("jobs.trained_tokens", tokens=job.trained_tokens))
    if job.fine_tuned_model:
        lines.append("  " + t("jobs.fine_tuned_model", model=job.fine_tuned_model))
    if job.metadata.get("deployment"):  # Azure: the name that answers (advisor tune deploy)
        lines.append("  " + t("jobs.deployed", name=job.metadata["deployment"]))
    if job.error:
        where = " " + t("jobs.line", line=job.error.line) if job.error.line else ""
        message = job.error.localized(context.lang())
        error = t("jobs.error", code=job.error.code, where=where, message=message)
        lines.append("  " + error)
    from advisor.app.jobs import timing_line

    timing = timing_line(job, context.lang())
    if timing is not None:
        lines.append("  " + t("jobs.time", timing=timing))
    return lines


def _event_line(event: JobEvent) -> str:
    from advisor.app.job_events import event_text, level_text

    lang = context.lang()
    stamp = datetime.fromtimestamp(event.created_at).strftime("%H:%M:%S")
    level = "" if event.level == "info" else f"{level_text(event.level, lang)} "
    return f"{stamp} {level}{event_text(event, lang)}"


def follow(
    job: FineTuneJob,
    *,
    show_progress: bool,
    interval_s: float = 1.0,
    timeout_s: float | None = None,
) -> FineTuneJob:
    """Poll until the job ends; in text mode, a progress bar with the loss on stderr.

    Ctrl+C stops waiting, not the job (it says how to cancel it).
    """
    bar = _Bar(job) if show_progress else None
    try:
        for update in _jobs().follow(job.id, interval_s=interval_s, timeout_s=timeout_s):
            job = update.job
            if bar is not None:
                bar.update(update)
        return job
    except KeyboardInterrupt:
        echo(context.t("jobs.stopped_waiting", id=job.id), err=True)
        raise typer.Exit(130) from None
    finally:
        if bar is not None:
            bar.close()


class _Bar:
    """A rich progress bar on stderr: steps done of all, with the latest loss and reward."""

    def __init__(self, job: FineTuneJob) -> None:
        from rich.console import Console

        self.console = Console(file=sys.stderr)
        self.progress = progress_bar(console=self.console)
        self.progress.__enter__()
        self.label = f"{job.method} {job.id[-8:]}"
        self.task = self.progress.add_task(self.label, total=None)

    def update(self, update: JobUpdate) -> None:
        for event, point in update.points:
            if event.type == "metrics" and point is not None and point.step is not None:
                figures = [f"{k.split('_')[0]} {v:.4g}" for k, v in point.figures().items()]
                description = self.label + (" - " + ", ".join(figures) if figures else "")
                self.progress.update(
                    self.task,
                    completed=point.step,
                    total=point.total_steps,
                    description=description,
                )
            else:
                self.progress.console.print(_event_line(event))

    def close(self) -> None:
        self.progress.__exit__(None, None, None)


@jobs_app.command("list")
def list_jobs(
    backend: str | None = typer.Option(None, "--backend", "-b", help="Only this backend's jobs."),
    limit: int = typer.Option(20, min=1, help="How many of the newest jobs."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Recent fine-tuning jobs of every backend, newest first."""
    refreshed = _jobs().list(limit=limit, backend=backend)
    if fmt is OutputFormat.json:
        print_json(refreshed)
        return
    if not refreshed:
        echo(context.t("jobs.none"))
        return
    from rich.cells import cell_len

    for job in refreshed:
        model = job.fine_tuned_model or "-"
        status = _status(job)  # padded by display width: Japanese statuses are double-width
        echo(
            f"{job.id}  {status}{' ' * max(1, 17 - cell_len(status))}{job.backend:<6} "
            f"{job.method:<4} {_when(job.created_at)}  {model}"
        )


@jobs_app.command("show")
def show(job_id: str = JOB_ID, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """One job's state, hyperparameters, result or error, and estimated versus actual time."""
    from advisor.app.jobs import job_details

    job = _jobs().retrieve(job_id)
    if fmt is OutputFormat.json:
        print_json(job_details(job))
        return
    for line in describe(job):
        echo(line)


@jobs_app.command("events")
def events(
    job_id: str = JOB_ID,
    after: str | None = typer.Option(None, help="Only events after this event id."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """The job's log and metrics, oldest first."""
    service, _ = _jobs().service_for(job_id)
    found = service.events(job_id, after=after)
    if fmt is OutputFormat.json:
        print_json(found)
        return
    for event in found:
        echo(_event_line(event))


@jobs_app.command("checkpoints")
def checkpoints(job_id: str = JOB_ID, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """The job's saved checkpoints, oldest first."""
    service, _ = _jobs().service_for(job_id)
    found = service.checkpoints(job_id)
    if fmt is OutputFormat.json:
        print_json(found)
        return
    if not found:
        echo(context.t("jobs.no_checkpoints"))
    for checkpoint in found:
        figures = ", ".join(f"{k} {v:.4g}" for k, v in checkpoint.metrics.items())
        step = context.t("jobs.step", step=f"{checkpoint.step:>5}")
        echo(f"{step}  {figures}  {checkpoint.location}")


@jobs_app.command("cancel")
def cancel(job_id: str = JOB_ID, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Stop a job gracefully (it keeps its checkpoints; `resume` continues it)."""
    job = _jobs().cancel(job_id)
    if fmt is OutputFormat.json:
        print_json(job)
        return
    echo(f"{job.id}  {_status(job)}")


@jobs_app.command("resume")
def resume(
    job_id: str = JOB_ID,
    wait: bool = typer.Option(False, "--wait", help="Follow the job until it ends."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Continue a cancelled, paused or crashed job from its last checkpoint."""
    jobs = _jobs()
    job = jobs.resume(job_id)
    if fmt is OutputFormat.text and jobs.resume_ignored(job):
        echo(context.t("jobs.resume_ignored", id=job_id), err=True)
    if wait:
        job = follow(job, show_progress=fmt is OutputFormat.text)
    if fmt is OutputFormat.json:
        print_json(job)
    else:
        echo(f"{job.id}  {_status(job)}")
    _exit_for(job, waited=wait)


@jobs_app.command("wait")
def wait(
    job_id: str = JOB_ID,
    timeout: float | None = typer.Option(None, min=0, help="Give up waiting after S seconds."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Follow a job until it ends, with a live progress bar and the loss (text mode)."""
    job = follow(_jobs().stored(job_id), show_progress=fmt is OutputFormat.text, timeout_s=timeout)
    if fmt is OutputFormat.json:
        print_json(job)
    else:
        for line in describe(job):
            echo(line)
    _exit_for(job, waited=True)


def _exit_for(job: FineTuneJob, *, waited: bool) -> None:
    """Exit 1 when a followed job did not succeed: the command ran but the job failed."""
    if waited and job.is_terminal and job.status != "succeeded":
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
