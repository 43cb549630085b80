"""A running local job saved in the test's own job store (tests share this set-up)."""

from __future__ import annotations

from advisor.settings import load_settings
from backends.job_store import JobStore
from backends.jobs import FineTuneJob
from tests.jobs_fixture import make_job


def running_job(job_id: str) -> tuple[JobStore, FineTuneJob]:
    """The job store of the test's data dir and a running local SFT job saved in it."""
    store = JobStore(load_settings().jobs_db)
    job = make_job(id=job_id, training_file="t")
    store.save_job(job)
    return store, job
