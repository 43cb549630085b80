"""A running local job saved in the test's own job store (tests share this set-up)."""

from __future__ import annotations

from advisor.settings import load_settings
from backends.job_store import JobStore
from backends.jobs import FineTuneJob


def running_job(job_id: str) -> tuple[JobStore, FineTuneJob]:
    """The job store of the test's data dir and a running local SFT job saved in it."""
    store = JobStore(load_settings().jobs_db)
    job = FineTuneJob(
        id=job_id, backend="local", method="sft", model="m", status="running", training_file="t"
    )
    store.save_job(job)
    return store, job
