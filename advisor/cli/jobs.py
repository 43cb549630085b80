"""``advisor jobs list|show|events|checkpoints|cancel|resume|wait``: jobs of every backend.

Jobs are listed from the local job store, where every backend records its jobs;
operations on one job go to the backend that owns it
(``get_backend(job.backend).fine_tuning()``), so local and remote jobs are
handled alike.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from advisor.cli import context
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json, progress_bar

if TYPE_CHECKING:
    from backends.base import FineTuningService
    from backends.jobs import FineTuneJob, JobEvent

jobs_app = typer.Typer(
    help="Fine-tuning jobs of every backend: list, inspect, follow, cancel, resume.",
    no_args_is_help=True,
)
JOB_ID = typer.Argument(..., help="The job id (see `advisor jobs list`).", show_default=False)


def _store() -> Any:
    from backends.job_store import JobStore

    return JobStore(context.settings().jobs_db)


def service_for(job_id: str) -> tuple[FineTuningService, FineTuneJob]:
    """The owning backend's service and the stored job.

    Raises:
        JobNotFoundError: no such job.
    """
    job = _store().get_job(job_id)
    return context.backend(job.backend).fine_tuning(), job


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def describe(job: FineTuneJob) -> list[str]:
    """Human lines for one job."""
    hp = job.hyperparameters.model_dump(exclude_none=True)
    lines = [
        f"{job.id}  {job.status}",
        f"  backend {job.backend}, method {job.method}, base model {job.model}",
        f"  created {_when(job.created_at)}, finished {_when(job.finished_at)}",
        "  hyperparameters " + ", ".join(f"{k}={v}" for k, v in hp.items()),
        f"  training file {job.training_file}",
    ]
    if job.validation_file:
        lines.append(f"  validation file {job.validation_file}")
    if job.trained_tokens:
        lines.append(f"  trained tokens {job.trained_tokens}")
    if job.fine_tuned_model:
        lines.append(f"  fine-tuned model {job.fine_tuned_model}")
    if job.error:
        where = f" (line {job.error.line})" if job.error.line else ""
        lines.append(f"  error {job.error.code}{where}: {job.error.message}")
    return lines


def _event_line(event: JobEvent) -> str:
    stamp = datetime.fromtimestamp(event.created_at).strftime("%H:%M:%S")
    level = "" if event.level == "info" else f"{event.level.upper()} "
    return f"{stamp} {level}{event.message}"


def follow(
    service: FineTuningService,
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
    last: str | None = None
    began = time.monotonic()
    try:
        while True:
            job = service.retrieve(job.id)
            events = service.events(job.id, after=last)
            if events:
                last = events[-1].id
            if bar is not None:
                bar.update(events)
            if job.is_terminal or job.status == "paused":
                return job
            if timeout_s is not None and time.monotonic() - began > timeout_s:
                return job
            time.sleep(interval_s)
    except KeyboardInterrupt:
        echo(
            f"Stopped waiting; the job goes on. Cancel it with: advisor jobs cancel {job.id}",
            err=True,
        )
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

    def update(self, events: list[JobEvent]) -> None:
        for event in events:
            data = event.data or {}
            if event.type == "metrics" and "step" in data:
                figures = [
                    f"{k.split('_')[0]} {data[k]:.4g}"
                    for k in ("loss", "eval_loss", "reward_mean")
                    if k in data
                ]
                description = self.label + (" - " + ", ".join(figures) if figures else "")
                self.progress.update(
                    self.task,
                    completed=data["step"],
                    total=data.get("total_steps"),
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
    jobs = _store().list_jobs(limit=limit, backend=backend)
    refreshed = []
    for job in jobs:
        # Local workers can die unnoticed; asking their service refreshes the state cheaply.
        if not job.is_terminal and job.backend in ("local", "fake"):
            job = context.backend(job.backend).fine_tuning().retrieve(job.id)
        refreshed.append(job)
    if fmt is OutputFormat.json:
        print_json(refreshed)
        return
    if not refreshed:
        echo("No jobs yet. Create one with: advisor tune create --method sft --train FILE")
        return
    for job in refreshed:
        model = job.fine_tuned_model or "-"
        echo(
            f"{job.id}  {job.status:<16} {job.backend:<6} {job.method:<4} "
            f"{_when(job.created_at)}  {model}"
        )


@jobs_app.command("show")
def show(job_id: str = JOB_ID, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """One job's state, hyperparameters, result or error."""
    service, _ = service_for(job_id)
    job = service.retrieve(job_id)
    if fmt is OutputFormat.json:
        print_json(job)
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
    service, _ = service_for(job_id)
    found = service.events(job_id, after=after)
    if fmt is OutputFormat.json:
        print_json(found)
        return
    for event in found:
        echo(_event_line(event))


@jobs_app.command("checkpoints")
def checkpoints(job_id: str = JOB_ID, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """The job's saved checkpoints, oldest first."""
    service, _ = service_for(job_id)
    found = service.checkpoints(job_id)
    if fmt is OutputFormat.json:
        print_json(found)
        return
    if not found:
        echo("No checkpoints yet.")
    for checkpoint in found:
        figures = ", ".join(f"{k} {v:.4g}" for k, v in checkpoint.metrics.items())
        echo(f"step {checkpoint.step:>5}  {figures}  {checkpoint.location}")


@jobs_app.command("cancel")
def cancel(job_id: str = JOB_ID, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Stop a job gracefully (it keeps its checkpoints; `resume` continues it)."""
    service, _ = service_for(job_id)
    job = service.cancel(job_id)
    if fmt is OutputFormat.json:
        print_json(job)
        return
    echo(f"{job.id}  {job.status}")


@jobs_app.command("resume")
def resume(
    job_id: str = JOB_ID,
    wait: bool = typer.Option(False, "--wait", help="Follow the job until it ends."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Continue a cancelled, paused or crashed job from its last checkpoint."""
    service, _ = service_for(job_id)
    job = service.resume(job_id)
    if wait:
        job = follow(service, job, show_progress=fmt is OutputFormat.text)
    if fmt is OutputFormat.json:
        print_json(job)
    else:
        echo(f"{job.id}  {job.status}")
    _exit_for(job, waited=wait)


@jobs_app.command("wait")
def wait(
    job_id: str = JOB_ID,
    timeout: float | None = typer.Option(None, min=0, help="Give up waiting after S seconds."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Follow a job until it ends, with a live progress bar and the loss (text mode)."""
    service, job = service_for(job_id)
    job = follow(service, job, show_progress=fmt is OutputFormat.text, timeout_s=timeout)
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
