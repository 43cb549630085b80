"""The job store: fine-tuning jobs, their events and checkpoints in SQLite.

WAL mode with ``synchronous=NORMAL`` keeps every committed write across a crash
of any process, and lets the CLI read while a worker process writes.  Each
method opens its own short transaction, so one store object may be shared by
threads, and several processes may use the same file.

Jobs are stored as their JSON form; the store never holds secrets (job objects
and events carry none by construction: keys live only in the environment).
"""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TypeVar

from advisor import storage
from advisor.errors import JobNotFoundError, StoreError
from backends.jobs import Checkpoint, FineTuneJob, JobEvent

LABEL = "job store"
_Body = TypeVar("_Body", FineTuneJob, JobEvent, Checkpoint)

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    backend TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at DESC);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (job_id, id)
);
CREATE TABLE IF NOT EXISTS checkpoints (
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    step INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (job_id, id)
);
"""


def new_id(prefix: str) -> str:
    """A random id in OpenAI's style, e.g. ``ftjob-3f2a...``."""
    return f"{prefix}-{uuid.uuid4().hex[:24]}"


class JobStore:
    """Jobs, events and checkpoints of every backend, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        storage.create(self.path, SCHEMA, label=LABEL, error=StoreError)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return storage.transaction(self.path, foreign_keys=True, label=LABEL, error=StoreError)

    def _parse(self, model: type[_Body], body: str) -> _Body:
        """A stored JSON body as its model; a body that does not parse is a damaged store."""
        try:
            return model.model_validate_json(body)
        except ValueError as exc:
            raise StoreError.from_catalog(
                "core.store.damaged",
                hint_key="core.store.damaged_hint",
                path=str(self.path),
                record=model.__name__,
            ) from exc

    # --- jobs ---------------------------------------------------------------------

    def save_job(self, job: FineTuneJob) -> None:
        """Insert or replace the job."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO jobs (id, backend, status, created_at, body) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body",
                (job.id, job.backend, job.status, job.created_at, job.model_dump_json()),
            )

    def get_job(self, job_id: str) -> FineTuneJob:
        """The job with that id.

        Raises:
            JobNotFoundError: no such job.
        """
        with self._connect() as db:
            row = db.execute("SELECT body FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFoundError.from_catalog(
                "core.store.no_job",
                hint_key="core.store.see_jobs",
                job=repr(job_id),
                path=str(self.path),
            )
        return self._parse(FineTuneJob, row[0])

    def list_jobs(self, *, limit: int = 20, backend: str | None = None) -> list[FineTuneJob]:
        """Newest first, optionally only one backend's."""
        query = "SELECT body FROM jobs"
        args: tuple[object, ...] = ()
        if backend:
            query += " WHERE backend = ?"
            args = (backend,)
        query += " ORDER BY created_at DESC LIMIT ?"
        with self._connect() as db:
            rows = db.execute(query, (*args, limit)).fetchall()
        return [self._parse(FineTuneJob, r[0]) for r in rows]

    def find_by_metadata(self, key: str, value: str) -> FineTuneJob | None:
        """The newest job whose metadata has ``key == value`` (idempotent creates)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT body FROM jobs WHERE json_extract(body, '$.metadata.' || ?) = ?"
                " ORDER BY created_at DESC LIMIT 1",
                (key, value),
            ).fetchone()
        return self._parse(FineTuneJob, row[0]) if row else None

    def delete_job(self, job_id: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    # --- events -------------------------------------------------------------------

    def add_event(self, job_id: str, event: JobEvent) -> None:
        """Append an event; an event id seen before is ignored (remote mirrors re-send)."""
        with self._connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO events (job_id, id, body) VALUES (?, ?, ?)",
                (job_id, event.id, event.model_dump_json()),
            )

    def events(self, job_id: str, *, after: str | None = None) -> list[JobEvent]:
        """Events in the order they were added; ``after`` skips up to that event id."""
        with self._connect() as db:
            start = 0
            if after is not None:
                row = db.execute(
                    "SELECT seq FROM events WHERE job_id = ? AND id = ?", (job_id, after)
                ).fetchone()
                start = row[0] if row else 0
            rows = db.execute(
                "SELECT body FROM events WHERE job_id = ? AND seq > ? ORDER BY seq",
                (job_id, start),
            ).fetchall()
        return [self._parse(JobEvent, r[0]) for r in rows]

    # --- checkpoints ----------------------------------------------------------------

    def add_checkpoint(self, job_id: str, checkpoint: Checkpoint) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO checkpoints (job_id, id, step, body) VALUES (?, ?, ?, ?)",
                (job_id, checkpoint.id, checkpoint.step, checkpoint.model_dump_json()),
            )

    def checkpoints(self, job_id: str) -> list[Checkpoint]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT body FROM checkpoints WHERE job_id = ? ORDER BY step", (job_id,)
            ).fetchall()
        return [self._parse(Checkpoint, r[0]) for r in rows]
