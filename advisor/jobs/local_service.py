"""Fine-tuning on this machine: jobs in the job store, training in a worker process.

``create`` validates the files with the data toolkit (an invalid file ends the
job as ``failed`` with the line-level errors, and nothing trains), records the
job and starts ``python -m advisor.jobs.worker JOB_ID`` detached.  Every other
method reads or writes the store and the job's control files, so any process
(the CLI, the TUI, a test) can follow and steer any job.  A worker that died
without recording an end (killed, out of memory, machine restart) is noticed
on the next ``retrieve`` and the job is marked failed; ``resume`` continues it
from its last checkpoint.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from advisor.errors import DataFileError, JobError, UserInputError
from advisor.jobs.files import JobFiles, process_alive
from advisor.jobs.launch import worker_command
from advisor.jobs.store import JobStore, new_id
from advisor.jobs.trainer import emit
from advisor.settings import Settings
from backends.base import FineTuningService
from backends.jobs import (
    CANCELLED,
    FAILED,
    PARENT_JOB_KEY,
    PAUSED,
    QUEUED,
    SUCCEEDED,
    TERMINAL_STATUSES,
    VALIDATING_FILES,
    Checkpoint,
    FineTuneJob,
    JobErrorInfo,
    JobEvent,
    JobPreview,
    JobRequest,
)

BACKEND = "local"
MERGE_KEY = "merge"  # request.metadata["merge"] == "true" also exports merged weights
_children: dict[int, subprocess.Popen[bytes]] = {}  # reaped here, so they never linger as zombies


def validate_request_files(request: JobRequest, work_dir: Path) -> list[tuple[str, Any]]:
    """Run the data toolkit on the training (and validation) file.

    Returns (path, report) pairs for files that failed.  The grader is written
    to ``work_dir/grader.json`` because the toolkit checks the ``item.<field>``
    references of a grader file against every line.

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
            raise DataFileError("file not found", path=path, hint="check the path")
        report = validate_file(path, request.method, grader=grader_file)
        if not report.ok:
            failed.append((path, report))
    return failed


class LocalFineTuning(FineTuningService):
    """LoRA fine-tuning with TRL in a worker process; see the module docstring."""

    def __init__(self, settings: Settings, *, wait_for_stop_s: float = 60.0) -> None:
        self.settings = settings
        self.store = JobStore(settings.jobs_db)
        self.wait_for_stop_s = wait_for_stop_s

    # --- creation -----------------------------------------------------------------

    def preview(self, request: JobRequest) -> JobPreview | None:
        from advisor.data.stats import compute_stats

        model = request.model or self.settings.local.model
        stats = compute_stats(
            request.training_file, request.method, model=model, settings=self.settings
        )
        return JobPreview(
            examples=stats.examples,
            billed_tokens=stats.billed_tokens,
            estimated_cost_usd=0.0,
            estimated_seconds=stats.local.estimated_training_seconds,
            notes=[
                f"Trains a LoRA adapter of {model} on this machine; no data leaves it.",
                f"Time estimate: {stats.local.source}.",
            ],
        )

    def create(self, request: JobRequest) -> FineTuneJob:
        if request.method == "rft" and not request.grader:
            raise UserInputError("an RFT job needs a grader", hint="pass --grader FILE")
        if request.grader:
            from advisor.graders import check_runnable, load_grader

            # Fails now, not in the worker: a bad grader, or a code grader without its sandbox.
            check_runnable(load_grader(request.grader, settings=self.settings))
        model = request.model or self.settings.local.model
        if model.startswith("local:"):
            raise UserInputError(
                f"cannot fine-tune {model!r}: local jobs start from a base model",
                hint="pass --model with a base model such as smollm2-135m-instruct",
            )
        parent = request.metadata.get(PARENT_JOB_KEY)
        if parent and not (self.settings.adapters_dir / parent / "adapter_config.json").is_file():
            raise UserInputError(
                f"cannot continue from job {parent}: it left no adapter",
                hint="continue from a local job that succeeded (see `advisor jobs list`)",
            )
        job = FineTuneJob(
            id=new_id("ftjob"),
            backend=BACKEND,
            method=request.method,
            model=model,
            status=VALIDATING_FILES,
            hyperparameters=request.hyperparameters,
            training_file=str(Path(request.training_file).resolve()),
            validation_file=(
                str(Path(request.validation_file).resolve()) if request.validation_file else None
            ),
            suffix=request.suffix,
            seed=request.seed,
            metadata=request.metadata,
        )
        request = request.model_copy(
            update={"training_file": job.training_file, "validation_file": job.validation_file}
        )
        self.store.save_job(job)
        emit(self.store, job.id, f"Created fine-tuning job: {job.id}")
        emit(self.store, job.id, "Validating training file: " + job.training_file)
        files = JobFiles.of(self.settings, job.id)
        try:
            failed = validate_request_files(request, files.root)
        except DataFileError as exc:
            self._mark_failed(job, "invalid_file", exc.message, exc.line)
            raise
        if failed:
            self._fail_validation(job, failed)
        files.write_request(request, merge=request.metadata.get(MERGE_KEY) == "true")
        emit(self.store, job.id, "Files validated; starting the training process")
        self._spawn(job.id, resume=False)
        # Queued only now that a worker pid is recorded: before that, another process
        # asking retrieve() would take the job for one whose worker died.
        job = self.store.get_job(job.id)
        if job.status == VALIDATING_FILES:
            job.status = QUEUED
            self.store.save_job(job)
        return job

    def _fail_validation(self, job: FineTuneJob, failed: builtins.list[tuple[str, Any]]) -> None:
        path, report = failed[0]
        # Line-level errors first: they are the ones a person can go and fix.
        errors = sorted(report.errors, key=lambda e: (e.line is None, e.line or 0))
        for error in errors[:20]:
            where = f", line {error.line}" if error.line else ""
            emit(
                self.store,
                job.id,
                f"{Path(path).name}{where}: {error.message}",
                level="error",
                data={"line": error.line, "code": error.code},
            )
        first = errors[0] if errors else None
        message = first.message if first else "the file failed validation"
        self._mark_failed(
            job,
            first.code if first else "invalid_file",
            f"{Path(path).name}: {message} ({len(errors)} error(s))",
            first.line if first else None,
        )
        raise DataFileError(
            message,
            path=path,
            line=first.line if first else None,
            hint=f"fix the file ({len(errors)} error(s); see `advisor data validate {path}`)",
        )

    def _mark_failed(self, job: FineTuneJob, code: str, message: str, line: int | None) -> None:
        job.status = FAILED
        job.finished_at = time.time()
        job.error = JobErrorInfo(code=code, message=message, line=line)
        self.store.save_job(job)

    def _spawn(self, job_id: str, *, resume: bool) -> None:
        files = JobFiles.of(self.settings, job_id)
        files.root.mkdir(parents=True, exist_ok=True)
        command = worker_command(job_id, resume=resume)
        env = {
            **os.environ,
            "ADVISOR_DATA_DIR": str(self.settings.data_dir),
            "ADVISOR_CACHE_DIR": str(self.settings.cache_dir),
        }
        with open(files.log, "ab") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # Ctrl+C in the terminal does not reach the worker
            )
        _children[process.pid] = process
        files.write_pid(process.pid)

    # --- reading --------------------------------------------------------------------

    def _alive(self, job_id: str) -> bool:
        pid = JobFiles.of(self.settings, job_id).read_pid()
        if pid is None:
            return False
        child = _children.get(pid)
        if child is not None:
            return child.poll() is None
        return process_alive(pid)

    def retrieve(self, job_id: str) -> FineTuneJob:
        job = self.store.get_job(job_id)
        settled = job.status in TERMINAL_STATUSES or job.status in (PAUSED, VALIDATING_FILES)
        if settled or self._alive(job_id):
            return job
        job = self.store.get_job(job_id)  # it may have ended between the two reads
        if job.status in TERMINAL_STATUSES or job.status == PAUSED:
            return job
        job.status = FAILED
        job.finished_at = time.time()
        job.error = JobErrorInfo(
            code="worker_exited",
            message="the training process stopped unexpectedly; "
            f"continue with `advisor jobs resume {job_id}`",
        )
        self.store.save_job(job)
        emit(self.store, job_id, "The training process stopped unexpectedly", level="error")
        return job

    def list(self, *, limit: int = 20) -> builtins.list[FineTuneJob]:
        return self.store.list_jobs(limit=limit, backend=BACKEND)

    def events(self, job_id: str, *, after: str | None = None) -> builtins.list[JobEvent]:
        self.store.get_job(job_id)  # JobNotFoundError for unknown ids
        return self.store.events(job_id, after=after)

    def checkpoints(self, job_id: str) -> builtins.list[Checkpoint]:
        self.store.get_job(job_id)
        return self.store.checkpoints(job_id)

    # --- control --------------------------------------------------------------------

    def _wait_for_worker(self, job_id: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._alive(job_id):
                return True
            time.sleep(0.2)
        return False

    def cancel(self, job_id: str) -> FineTuneJob:
        job = self.retrieve(job_id)
        if job.is_terminal:
            return job
        files = JobFiles.of(self.settings, job_id)
        files.root.mkdir(parents=True, exist_ok=True)
        files.cancel.touch()
        emit(self.store, job_id, "Cancellation requested")
        if self._alive(job_id) and not self._wait_for_worker(job_id, self.wait_for_stop_s):
            self._kill(job_id)  # it did not stop at a step boundary in time
        job = self.store.get_job(job_id)
        if not job.is_terminal:
            job.status = CANCELLED
            job.finished_at = time.time()
            self.store.save_job(job)
            emit(self.store, job_id, "Job cancelled")
        files.clear_controls()
        return job

    def _kill(self, job_id: str) -> None:
        pid = JobFiles.of(self.settings, job_id).read_pid()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(os.getpgid(pid), signal.SIGKILL)  # the worker leads its own session
        child = _children.get(pid)
        if child is not None:
            child.wait(timeout=10)

    def pause(self, job_id: str) -> FineTuneJob:
        job = self.retrieve(job_id)
        if job.is_terminal or job.status == PAUSED:
            return job
        if not self._alive(job_id):
            raise JobError(f"job {job_id} is not running", hint="nothing to pause")
        files = JobFiles.of(self.settings, job_id)
        files.pause.touch()
        emit(self.store, job_id, "Pause requested: saving a checkpoint")
        self._wait_for_worker(job_id, self.wait_for_stop_s)
        return self.store.get_job(job_id)

    def resume(self, job_id: str) -> FineTuneJob:
        job = self.retrieve(job_id)
        if job.status == SUCCEEDED:
            raise JobError(f"job {job_id} has already succeeded", hint="nothing to resume")
        if self._alive(job_id):
            return job
        files = JobFiles.of(self.settings, job_id)
        if not files.request.is_file():
            raise JobError(
                f"job {job_id} never started training (its files failed validation)",
                hint="fix the file and create a new job",
            )
        files.clear_controls()
        job.status = QUEUED
        job.error = None
        job.finished_at = None
        self.store.save_job(job)
        emit(self.store, job_id, "Resume requested")
        self._spawn(job_id, resume=True)
        return job
