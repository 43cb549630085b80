"""Fine-tuning on this machine: jobs in the job store, training in a worker process.

``create`` validates the files with the data toolkit (an invalid file ends the
job as ``failed`` with the line-level errors, and nothing trains), records the
job and starts ``python -m backends.local.worker JOB_ID`` detached.  Every other
method reads or writes the store and the job's control files, so any process
(the CLI, the TUI, a test) can follow and steer any job.  A worker that died
without recording an end (killed, out of memory, machine restart) is noticed
on the next ``retrieve`` and the job is marked failed; ``resume`` continues it
from its last checkpoint.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor import messages
from advisor.data.calibration import TrainingRun
from advisor.errors import DataFileError, JobError, UserInputError
from advisor.ids import safe_name
from advisor.settings import Settings
from advisor.threads import training_environment
from backends.finetuning import StoredFineTuning, invalid_files
from backends.job_store import new_id
from backends.jobs import (
    CANCELLED,
    FAILED,
    PARENT_JOB_KEY,
    PAUSED,
    QUEUED,
    SUCCEEDED,
    TERMINAL_STATUSES,
    VALIDATING_FILES,
    FineTuneJob,
    JobErrorInfo,
    JobPreview,
    JobRequest,
    method_settings,
    said_event,
    said_notes,
)
from backends.local import locks
from backends.local.files import JobFiles, process_alive
from backends.local.launch import worker_command
from backends.local.trainer import emit

if TYPE_CHECKING:
    from collections.abc import Iterator

    from advisor.data.validate import Issue
    from backends.base import CalibrationAdapter

BACKEND = "local"
MERGE_KEY = "merge"  # request.metadata["merge"] == "true" also exports merged weights
KILL_WAIT_S = 10.0  # after SIGKILL, how long cancel waits for the worker's lock to go
_children: dict[int, subprocess.Popen[bytes]] = {}  # reaped here, so they never linger as zombies


def reap_children() -> None:
    """Collect the exit status of every finished worker this process started.

    Liveness is decided by the job's lock, not by the child, so without this a
    worker that ended stayed a zombie (``<defunct>``) until the parent exited:
    a bench that trains several routes collected one per job.
    """
    for pid, child in list(_children.items()):
        if child.poll() is not None:
            del _children[pid]


class LocalFineTuning(StoredFineTuning):
    """LoRA fine-tuning with TRL in a worker process; see the module docstring."""

    def __init__(self, settings: Settings, *, wait_for_stop_s: float = 60.0) -> None:
        super().__init__(settings, BACKEND)
        self.wait_for_stop_s = wait_for_stop_s

    # --- creation -----------------------------------------------------------------

    def preview(self, request: JobRequest) -> JobPreview | None:
        from advisor.data.stats import compute_stats

        model = request.model or self.settings.local.model
        epochs = request.hyperparameters.n_epochs  # --epochs 1 must not preview 3
        max_length = (request.hyperparameters.model_extra or {}).get("max_length")
        stats = compute_stats(
            request.training_file,
            request.method,
            # counted and timed as this local model (its tokenizer, template, calibration)
            model=model if model.startswith("local") else f"local:{model}",
            settings=self.settings,
            epochs=epochs if isinstance(epochs, int) else None,
            max_length=int(max_length) if max_length else None,  # the trainer truncates there
        )
        source = stats.local.source
        return JobPreview(
            examples=stats.examples,
            billed_tokens=stats.billed_tokens,
            estimated_cost_usd=0.0,
            estimated_seconds=stats.local.estimated_training_seconds,
            estimate_basis="calibrated" if stats.local.calibrated else "uncalibrated",
            load_factor=stats.local.load_factor,
            **said_notes(
                messages.Localized("core.tune.note_local", {"model": model}),
                messages.Localized(
                    "core.tune.note_time", {"source": stats.local.source_said or source}
                ),
            ),
        )

    def calibrate(self, *, model: str | None, seq_len: int, batch: int, steps: int) -> TrainingRun:
        from backends.local.calibrate import calibrate_training

        chosen = model or self.settings.local.model
        return calibrate_training(
            self.settings, model=chosen, seq_len=seq_len, batch=batch, steps=steps
        )

    @contextlib.contextmanager
    def calibration_adapter(self, model: str | None) -> Iterator[CalibrationAdapter | None]:
        from backends.local.calibrate import calibration_adapter

        with calibration_adapter(self.settings, model or self.settings.local.model) as adapter:
            yield adapter

    def create(self, request: JobRequest) -> FineTuneJob:
        method_settings(request)  # an RFT job needs a grader
        if request.grader:
            from advisor.graders import check_runnable, load_grader

            # Fails now, not in the worker: a bad grader, or a code grader without its sandbox.
            check_runnable(load_grader(request.grader, settings=self.settings))
        if request.suffix is not None and not safe_name(request.suffix):
            # The suffix becomes part of the model id; refuse it now, not after training.
            raise UserInputError.from_catalog(
                "core.local.bad_suffix",
                hint_key="core.local.bad_suffix_hint",
                suffix=repr(request.suffix),
            )
        model = request.model or self.settings.local.model
        if model.startswith("local:"):
            raise UserInputError.from_catalog(
                "core.local.not_a_base_model",
                hint_key="core.local.not_a_base_model_hint",
                model=repr(model),
            )
        parent = request.metadata.get(PARENT_JOB_KEY)
        if parent and not (self.settings.adapters_dir / parent / "adapter_config.json").is_file():
            raise UserInputError.from_catalog(
                "core.local.parent_no_adapter",
                hint_key="core.local.parent_no_adapter_hint",
                job=parent,
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
            metadata={**request.metadata, **self.estimate_metadata(request)},
        )
        request = request.model_copy(
            update={"training_file": job.training_file, "validation_file": job.validation_file}
        )
        self.store.save_job(job)
        emit(self.store, job.id, said_event("created", id=job.id))
        emit(self.store, job.id, said_event("validating", file=job.training_file))
        files = JobFiles.of(self.settings, job.id)
        try:
            failed = invalid_files(request, files.root)
        except DataFileError as exc:
            self._mark_failed(job, JobErrorInfo.of("invalid_file", exc, exc.line))
            raise
        if failed:
            self._fail_validation(job, failed)
        files.write_request(request, merge=request.metadata.get(MERGE_KEY) == "true")
        emit(self.store, job.id, said_event("validated"))
        lock = locks.try_lock(files.root)
        if lock is not None:  # None: a worker started by hand already runs this new job
            self._spawn(job.id, resume=False, lock=lock)
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
        name = Path(path).name
        for error in errors[:20]:
            where = f", line {error.line}" if error.line else ""
            japanese = error.message_in("ja")
            emit(
                self.store,
                job.id,
                f"{name}{where}: {error.message}",
                level="error",
                data={"line": error.line, "code": error.code},
                # Stored whole: the issue's own sentence has a Japanese text too.
                message_ja=messages.text(
                    "core.job_event.file_line", "ja", file=name, line=error.line, message=japanese
                )
                if error.line
                else f"{name}: {japanese}",
                sentence=_issue_sentence(name, error),
            )
        first = errors[0] if errors else None
        summary = {
            lang: messages.text(
                "core.local.validation_summary",
                lang,
                file=name,
                message=first.message_in(lang)
                if first
                else messages.text("core.local.validation_failed", lang),
                count=len(errors),
            )
            for lang in ("en", "ja")
        }
        self._mark_failed(
            job,
            JobErrorInfo(
                code=first.code if first else "invalid_file",
                message=summary["en"],
                line=first.line if first else None,
                message_ja=summary["ja"],
                sentence=_summary_sentence(name, first, len(errors)),
            ),
        )
        from advisor.data.refusal import refused
        from advisor.data.texts import say

        hint = say("refusal.fix", count=len(errors), path=path)
        raise refused(path, errors, hint=hint, count_more=False)

    def _mark_failed(self, job: FineTuneJob, error: JobErrorInfo) -> None:
        job.status = FAILED
        job.finished_at = time.time()
        job.error = error
        self.store.save_job(job)

    def _spawn(self, job_id: str, *, resume: bool, lock: int) -> None:
        """Start the worker and hand it the job's lock (``lock``, held by the caller)."""
        files = JobFiles.of(self.settings, job_id)
        command = worker_command(job_id, resume=resume)
        env = {
            **training_environment(os.environ),
            "ADVISOR_DATA_DIR": str(self.settings.data_dir),
            "ADVISOR_CACHE_DIR": str(self.settings.cache_dir),
            locks.INHERITED_ENV: "1",
        }
        try:
            with open(files.log, "ab") as log:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    pass_fds=(lock,),  # the worker keeps the lock for its lifetime
                    start_new_session=True,  # Ctrl+C in the terminal does not reach the worker
                )
            _children[process.pid] = process
            files.write_pid(process.pid)  # recorded while the lock is held: cancel kills it
        finally:
            locks.release(lock)

    # --- reading --------------------------------------------------------------------

    def _alive(self, job_id: str) -> bool:
        files = JobFiles.of(self.settings, job_id)
        if locks.lock_path(files.root).exists():  # the lock is the truth; pids get reused
            return locks.is_locked(files.root)
        pid = files.read_pid()
        if pid is None:
            return False
        child = _children.get(pid)
        if child is not None:
            return child.poll() is None
        return process_alive(pid)

    def poll(self, job_id: str) -> FineTuneJob:
        reap_children()
        job = self.store.get_job(job_id)
        settled = job.status in TERMINAL_STATUSES or job.status in (PAUSED, VALIDATING_FILES)
        if settled or self._alive(job_id):
            return job
        job = self.store.get_job(job_id)  # it may have ended between the two reads
        if job.status in TERMINAL_STATUSES or job.status == PAUSED:
            return job
        job.status = FAILED
        job.finished_at = time.time()
        job.error = JobErrorInfo.said("worker_exited", "core.local.worker_exited", job_id=job_id)
        self.store.save_job(job)
        emit(self.store, job_id, said_event("stopped"), level="error")
        return job

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
        emit(self.store, job_id, said_event("cancel_requested"))
        if self._alive(job_id) and not self._wait_for_worker(job_id, self.wait_for_stop_s):
            self._kill(job_id)  # it did not stop at a step boundary in time
            if not self._wait_for_worker(job_id, KILL_WAIT_S):
                raise JobError.from_catalog(
                    "core.local.worker_survives_kill",
                    hint_key="core.local.worker_survives_kill_hint",
                    job=job_id,
                    pid=files.read_pid(),
                )
        job = self.store.get_job(job_id)
        if not job.is_terminal:
            job.status = CANCELLED
            job.finished_at = time.time()
            self.store.save_job(job)
            emit(self.store, job_id, said_event("cancelled"))
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
            raise JobError.from_catalog(
                "core.local.not_running", hint_key="core.local.not_running_hint", job=job_id
            )
        files = JobFiles.of(self.settings, job_id)
        files.pause.touch()
        emit(self.store, job_id, said_event("pause_requested"))
        self._wait_for_worker(job_id, self.wait_for_stop_s)
        return self.store.get_job(job_id)

    def resume(self, job_id: str) -> FineTuneJob:
        with locks.launching(JobFiles.of(self.settings, job_id).root):
            return self._resume(job_id)

    def _resume(self, job_id: str) -> FineTuneJob:
        job = self.retrieve(job_id)
        if job.status == SUCCEEDED:
            raise JobError.from_catalog(
                "core.local.already_succeeded",
                hint_key="core.local.already_succeeded_hint",
                job=job_id,
            )
        if self._alive(job_id):
            emit(self.store, job_id, said_event("resume_ignored"))
            return job
        files = JobFiles.of(self.settings, job_id)
        if not files.request.is_file():
            raise JobError.from_catalog(
                "core.local.never_started", hint_key="core.local.never_started_hint", job=job_id
            )
        lock = locks.try_lock(files.root)
        if lock is None:  # another `jobs resume` started the worker a moment ago
            emit(self.store, job_id, said_event("resume_ignored"))
            return self.store.get_job(job_id)
        try:
            files.clear_controls()
            job.status = QUEUED
            job.error = None
            job.finished_at = None
            self.store.save_job(job)
            emit(self.store, job_id, said_event("resume_requested"))
        except BaseException:
            locks.release(lock)
            raise
        self._spawn(job_id, resume=True, lock=lock)
        return job


# The validation failure's sentences, stored with the event and the job's error so they
# are read in the reader's language: only when the issue's own sentence is a catalog text
# (an issue without one is plain English, kept in ``message_ja`` as it is).


def _issue_sentence(name: str, issue: Issue) -> messages.StoredSentence | None:
    """``file, line N: message`` (or ``file: message``) of one issue, as stored."""
    if issue.text is None:
        return None
    if issue.line:
        values = {"file": name, "line": issue.line, "message": issue.text}
        return messages.StoredSentence.of(messages.Localized("core.job_event.file_line", values))
    where = messages.Localized("core.where_path", {"path": name})
    located = messages.Localized("core.located", {"where": where, "message": issue.text})
    return messages.StoredSentence.of(located)


def _summary_sentence(name: str, first: Issue | None, count: int) -> messages.StoredSentence | None:
    """The job's error: the file, its first issue's sentence and the number of errors."""
    if first is None:
        message: Any = messages.Localized("core.local.validation_failed")
    elif first.text is not None:
        message = first.text
    else:
        return None
    values = {"file": name, "message": message, "count": count}
    return messages.StoredSentence.of(messages.Localized("core.local.validation_summary", values))
