"""Submit and follow fine-tuning jobs, each through the backend that owns it.

A job records its backend in the job store; every operation on it (state,
events, cancel, resume) goes to that backend's service, whichever backend the
user has selected since.  Asking another service would be wrong: the local one,
for instance, marks a job it has no worker for as failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import Field

from advisor.app.backends import BackendSource, registry_source
from advisor.app.metrics import MetricPoint
from backends.jobs import FineTuneJob

if TYPE_CHECKING:
    from advisor.settings import Settings
    from backends.base import FineTuningService
    from backends.jobs import JobEvent, JobPreview, JobRequest

POLL_SECONDS = 1.0


class JobDetails(FineTuneJob):
    """What `advisor jobs show --format json` prints: the job, plus its timing."""

    estimated_seconds: float | None = Field(
        default=None, description="Wall time estimated at submission (job metadata)."
    )
    estimate_basis: str | None = Field(
        default=None, description="calibrated, uncalibrated or simulated."
    )
    estimate_load_factor: float | None = Field(
        default=None,
        description="The load correction in the estimate (advisor/data/contention.py); "
        "None: none applied.",
    )
    actual_seconds: float | None = Field(
        default=None, description="Submission to end, once the job has ended."
    )
    actual_over_estimate: float | None = None


def estimated_seconds(job: FineTuneJob) -> float | None:
    """The wall time estimated when the job was submitted (job metadata), if recorded."""
    from backends.jobs import ESTIMATED_SECONDS_KEY

    try:
        return float(job.metadata[ESTIMATED_SECONDS_KEY])
    except (KeyError, ValueError):
        return None


def estimate_load_factor(job: FineTuneJob) -> float | None:
    """The load correction recorded with the estimate, if one was applied."""
    from backends.jobs import ESTIMATE_LOAD_FACTOR_KEY

    try:
        return float(job.metadata[ESTIMATE_LOAD_FACTOR_KEY])
    except (KeyError, ValueError):
        return None


def actual_seconds(job: FineTuneJob) -> float | None:
    """Wall time from submission to the end; None until the job has ended."""
    if job.finished_at is None or not job.is_terminal:
        return None
    return round(max(0.0, job.finished_at - job.created_at), 1)


def job_details(job: FineTuneJob) -> JobDetails:
    """The job plus the estimate next to the actual time (keys added, none renamed)."""
    from backends.jobs import ESTIMATE_BASIS_KEY

    estimate, actual = estimated_seconds(job), actual_seconds(job)
    ratio = round(actual / estimate, 2) if estimate and actual is not None else None
    return JobDetails.model_validate(
        {
            **job.model_dump(),
            "estimated_seconds": estimate,
            "estimate_basis": job.metadata.get(ESTIMATE_BASIS_KEY),
            "estimate_load_factor": estimate_load_factor(job),
            "actual_seconds": actual,
            "actual_over_estimate": ratio,
        }
    )


def timing_line(job: FineTuneJob, lang: str = "en") -> str | None:
    """ "estimated X, actual Y" for humans; None when nothing was estimated."""
    from advisor import messages
    from advisor.messages import duration_text
    from backends.jobs import ESTIMATE_BASIS_KEY

    estimate = estimated_seconds(job)
    if estimate is None:
        return None
    basis = job.metadata.get(ESTIMATE_BASIS_KEY)
    if basis is not None:
        basis = messages.text_or_raw("core.jobs.basis.", basis, lang)
    factor = estimate_load_factor(job)
    if factor is not None:  # "calibrated, x1.6 for the load": the figure is not the bare rate
        calibrated = basis or messages.text("core.jobs.basis.calibrated", lang)
        basis = messages.text(
            "core.jobs.timing.load", lang, basis=calibrated, factor=f"{factor:.1f}"
        )
    line = messages.text("core.jobs.timing.estimated", lang, duration=duration_text(estimate, lang))
    if basis:
        line += messages.text("core.jobs.timing.basis", lang, basis=basis)
    actual = actual_seconds(job)
    if actual is not None:
        line += messages.text("core.jobs.timing.actual", lang, duration=duration_text(actual, lang))
    return line


@dataclass
class JobUpdate:
    """One poll of a followed job: its state and the events since the last poll."""

    job: FineTuneJob
    events: list[JobEvent]

    @property
    def points(self) -> list[tuple[JobEvent, MetricPoint | None]]:
        """Each event with the metric point it carries, if any."""
        return [(e, MetricPoint.from_event(e)) for e in self.events]

    @property
    def settled(self) -> bool:
        """Nothing more will happen without the user: ended, or paused."""
        return self.job.is_terminal or self.job.status == "paused"


class Jobs:
    """Fine-tuning jobs of every backend, routed to their own services."""

    def __init__(self, settings: Settings, backends: BackendSource | None = None) -> None:
        self.settings = settings
        self.backends = backends or registry_source(settings)

    def stored(self, job_id: str) -> FineTuneJob:
        """The job as the store has it.

        Raises:
            JobNotFoundError: no such job.
        """
        from backends.job_store import JobStore

        return JobStore(self.settings.jobs_db).get_job(job_id)

    def service_for(self, job_id: str) -> tuple[FineTuningService, FineTuneJob]:
        """The owning backend's service, and the stored job."""
        job = self.stored(job_id)
        return self.backends(job.backend).fine_tuning(), job

    def list(self, *, limit: int = 20, backend: str | None = None) -> list[FineTuneJob]:
        """Newest first; unfinished local jobs refreshed (their workers can die unnoticed)."""
        from backends.job_store import JobStore

        jobs = JobStore(self.settings.jobs_db).list_jobs(limit=limit, backend=backend)
        return [
            self.backends(j.backend).fine_tuning().retrieve(j.id)
            if not j.is_terminal and j.backend in ("local", "fake")
            else j
            for j in jobs
        ]

    # --- submitting ----------------------------------------------------------------------

    def preview(self, backend: str | None, request: JobRequest) -> JobPreview | None:
        return self.backends(backend).fine_tuning().preview(request)

    def submit(self, backend: str | None, request: JobRequest) -> FineTuneJob:
        return self.backends(backend).fine_tuning().create(request)

    # --- one job -------------------------------------------------------------------------

    def retrieve(self, job_id: str) -> FineTuneJob:
        service, _ = self.service_for(job_id)
        return service.retrieve(job_id)

    def cancel(self, job_id: str) -> FineTuneJob:
        service, _ = self.service_for(job_id)
        return service.cancel(job_id)

    def resume(self, job_id: str) -> FineTuneJob:
        service, _ = self.service_for(job_id)
        return service.resume(job_id)

    def resume_ignored(self, job: FineTuneJob) -> bool:
        """True when the last resume found a live worker and started none (local jobs)."""
        if job.backend != "local":
            return False
        service, _ = self.service_for(job.id)
        recent = service.events(job.id)[-1:]
        from backends.jobs import RESUME_IGNORED

        return bool(recent) and recent[0].message == RESUME_IGNORED

    def follow(
        self,
        job_id: str,
        *,
        interval_s: float = POLL_SECONDS,
        timeout_s: float | None = None,
        stop: Callable[[], bool] = lambda: False,
    ) -> Iterator[JobUpdate]:
        """Poll the job until it settles, times out or ``stop()`` says so; one update per poll.

        Every follow replays the job's events from the first.
        """
        service, _ = self.service_for(job_id)
        after: str | None = None
        began = time.monotonic()
        while not stop():
            job = service.retrieve(job_id)
            events = service.events(job_id, after=after)
            if events:
                after = events[-1].id
            update = JobUpdate(job, events)
            yield update
            if update.settled or (timeout_s is not None and time.monotonic() - began > timeout_s):
                return
            # Sleep in short slices so a stop request ends the loop promptly.
            deadline = time.monotonic() + interval_s
            while time.monotonic() < deadline and not stop():
                time.sleep(min(0.05, interval_s))
