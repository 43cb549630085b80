"""Fine-tuning as one template over the job store (public: plugins may subclass it).

:class:`StoredFineTuning` owns what every fine-tuning service does the same way:
listing, events and checkpoints come from the job store (``advisor jobs`` sees
every backend's jobs there), and training files are validated by the data
toolkit before anything is uploaded or trained.  A service supplies only what
differs: :meth:`~StoredFineTuning.create` (start a job),
:meth:`~StoredFineTuning.poll` (its current state), :meth:`cancel` and
:meth:`resume`; a remote service also overrides the ``_sync_*`` hooks to copy
the provider's jobs, events and checkpoints into the store first.
"""

from __future__ import annotations

import abc
import builtins
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import DataFileError
from backends.base import FineTuningService
from backends.job_store import JobStore
from backends.jobs import Checkpoint, FineTuneJob, JobEvent, JobRequest

if TYPE_CHECKING:
    from advisor.settings import Settings


def invalid_files(request: JobRequest, work_dir: Path) -> builtins.list[tuple[str, Any]]:
    """Validate the training (and validation) file; (path, report) of each that failed.

    The grader is written to ``work_dir/grader.json``: the toolkit checks the
    ``item.<field>`` references of a grader file against every line.

    Raises:
        DataFileError: a file does not exist or cannot be read.
    """
    from advisor.data.validate import validate_file

    grader_file: Path | None = None
    if request.grader:
        work_dir.mkdir(parents=True, exist_ok=True)
        grader_file = work_dir / "grader.json"
        grader_file.write_text(json.dumps(request.grader, indent=2))
    failed = []
    for path in filter(None, (request.training_file, request.validation_file)):
        if not Path(path).is_file():
            raise DataFileError.from_catalog(
                "core.jobs.file_not_found", hint_key="core.jobs.file_not_found_hint", path=path
            )
        report = validate_file(path, request.method, grader=grader_file)
        if not report.ok:
            failed.append((path, report))
    return failed


def refusal(path: str, report: Any, *, method: str, note: str = "") -> DataFileError:
    """The error for a file that failed validation: its first error, line and the fix.

    English as raised; the CLI shows it in Japanese on request (the issue's own text).
    """
    from advisor.data.refusal import refused
    from advisor.data.texts import say

    hint = say("refusal.run", path=path, method=method)
    return refused(path, list(report.errors), hint=hint, note=note)


class StoredFineTuning(FineTuningService):
    """A fine-tuning service whose jobs live in the :class:`JobStore` (see module doc)."""

    def __init__(self, settings: Settings, backend: str) -> None:
        self.settings = settings
        self.backend_name = backend
        self.store = JobStore(settings.jobs_db)

    @property
    def name(self) -> str:
        return self.backend_name

    # --- what each service supplies ---------------------------------------------------

    @abc.abstractmethod
    def poll(self, job_id: str) -> FineTuneJob:
        """The job's current state: refreshed from a provider or a worker, and stored."""

    def retrieve(self, job_id: str) -> FineTuneJob:
        return self.poll(job_id)

    def _sync_jobs(self, limit: int) -> None:
        """Copy the provider's recent jobs into the store (remote services)."""

    def _sync_events(self, job_id: str) -> str:
        """Copy the job's new events into the store; the id the store keeps them under."""
        self.store.get_job(job_id)  # JobNotFoundError for unknown ids
        return job_id

    def _sync_checkpoints(self, job_id: str) -> str:
        """Copy the job's checkpoints into the store; the id the store keeps them under."""
        self.store.get_job(job_id)
        return job_id

    # --- the same for every service ---------------------------------------------------

    def list(self, *, limit: int = 20) -> builtins.list[FineTuneJob]:
        self._sync_jobs(limit)
        return self.store.list_jobs(limit=limit, backend=self.name)

    def events(self, job_id: str, *, after: str | None = None) -> builtins.list[JobEvent]:
        return self.store.events(self._sync_events(job_id), after=after)

    def checkpoints(self, job_id: str) -> builtins.list[Checkpoint]:
        return self.store.checkpoints(self._sync_checkpoints(job_id))

    def estimate_metadata(self, request: JobRequest) -> dict[str, str]:
        """The preview's time estimate as job metadata; nothing when it cannot be made.

        An estimate never stops a job: a file the preview cannot read is reported
        by validation, with its line numbers, right after.
        """
        from advisor.errors import AdvisorError

        try:
            preview = self.preview(request)
        except (AdvisorError, OSError, ValueError):
            return {}
        return preview.estimate_metadata() if preview is not None else {}

    def validate_files(self, request: JobRequest, work_dir: Path, *, note: str = "") -> None:
        """Validate before anything is uploaded or trained; DataFileError for the first bad file."""
        failed = invalid_files(request, work_dir)
        if failed:
            path, report = failed[0]
            raise refusal(path, report, method=request.method, note=note)
