"""The training worker: ``python -m backends.local.worker JOB_ID [--resume]``.

Started detached by :class:`~backends.local.service.LocalFineTuning`, so a
crash in training never takes the CLI or the TUI down, and the job survives the
process that created it.  All progress goes to the job store; stderr goes to
``worker.log`` in the job folder.  SIGTERM and SIGINT request a graceful stop
(the same as ``advisor jobs cancel``).  Under ``accelerate launch`` every rank
trains; only the main one writes job status.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from types import FrameType

from advisor import messages
from advisor.errors import AdvisorError
from advisor.ids import ModelRef
from advisor.settings import load_settings
from advisor.threads import use_thread_policy
from backends.job_store import JobStore
from backends.jobs import (
    CANCELLED,
    FAILED,
    PAUSED,
    RUNNING,
    SUCCEEDED,
    FineTuneJob,
    JobErrorInfo,
    said_event,
)
from backends.local import locks
from backends.local.files import JobFiles, process_alive
from backends.local.trainer import Controls, emit, train


def fine_tuned_id(job: FineTuneJob) -> str:
    """``local:ft:<base>:<suffix>:<job id>``; the suffix defaults to the method."""
    return str(ModelRef.local(job.model, job.suffix or job.method, job.id))


def last_checkpoint(store: JobStore, job_id: str) -> str | None:
    """The newest recorded checkpoint whose folder is complete on disk."""
    for checkpoint in reversed(store.checkpoints(job_id)):
        folder = Path(checkpoint.location)
        if (folder / "trainer_state.json").is_file():
            return str(folder)
    return None


def run(job_id: str, *, resume: bool) -> int:
    from accelerate import PartialState

    settings = load_settings()
    store = JobStore(settings.jobs_db)
    files = JobFiles.of(settings, job_id)
    is_main = PartialState().is_main_process
    stop = {"cancel": False}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop["cancel"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    controls = Controls(
        should_cancel=lambda: stop["cancel"] or files.cancel.exists(),
        should_pause=lambda: files.pause.exists(),
    )
    job = store.get_job(job_id)
    request, merge = files.read_request()
    if is_main:
        recorded = files.read_pid()
        if recorded is None or not process_alive(recorded):
            # Started by hand. Otherwise keep the pid the service recorded: under
            # accelerate that is the launcher, whose process group holds every rank.
            files.write_pid(os.getpid())
        job.status = RUNNING
        job.error = None
        store.save_job(job)
        emit(store, job_id, said_event("resumed" if resume else "started"))
    if controls.should_cancel():  # cancelled before the model was even loaded
        if is_main:
            _finish(store, files, job_id, CANCELLED, said_event("cancelled_before"))
        return 0
    resume_from = last_checkpoint(store, job_id) if resume else None
    if resume and resume_from is None and is_main:
        emit(store, job_id, said_event("no_checkpoint"), level="warn")
    try:
        outcome = train(
            job,
            request,
            settings,
            store,
            files.root,
            controls,
            resume_from=resume_from,
            merge=merge,
        )
    except BaseException as exc:
        if is_main:
            _fail(store, job_id, exc)
            files.pid.unlink(missing_ok=True)
        traceback.print_exc()
        return 1
    if not is_main:
        return 0
    job = store.get_job(job_id)
    job.trained_tokens = outcome.trained_tokens
    if outcome.status == "succeeded":
        job.status = SUCCEEDED
        job.fine_tuned_model = fine_tuned_id(job)
        job.finished_at = time.time()
        emit(store, job_id, said_event("model_created", model=job.fine_tuned_model))
        emit(store, job_id, said_event("completed"))
    elif outcome.status == "paused":
        job.status = PAUSED
        emit(store, job_id, said_event("paused_resume", step=outcome.steps))
    else:
        job.status = CANCELLED
        job.finished_at = time.time()
        emit(store, job_id, said_event("cancelled_at", step=outcome.steps))
    store.save_job(job)
    files.clear_controls()
    files.pid.unlink(missing_ok=True)
    return 0


def _finish(
    store: JobStore, files: JobFiles, job_id: str, status: str, message: messages.Localized
) -> None:
    job = store.get_job(job_id)
    job.status = status
    job.finished_at = time.time()
    store.save_job(job)
    emit(store, job_id, message)
    files.clear_controls()
    files.pid.unlink(missing_ok=True)


def _fail(store: JobStore, job_id: str, exc: BaseException) -> None:
    if isinstance(exc, AdvisorError):
        error = JobErrorInfo.of("invalid_request", exc)
    elif isinstance(exc, KeyboardInterrupt):
        error = JobErrorInfo.said("interrupted", "core.local.job_interrupted")
    else:  # a library's own words: there is no Japanese to store
        error = JobErrorInfo(code="training_failed", message=f"{type(exc).__name__}: {exc}")
    job = store.get_job(job_id)
    job.status = FAILED
    job.finished_at = time.time()
    job.error = error
    store.save_job(job)
    japanese = None
    if error.message_ja is not None:
        japanese = messages.text("core.job_event.failed", "ja", reason=error.message_ja)
    # The error's sentence nested in the event's; a library's words quoted as written. The
    # English stays the error's own (with its place and hint), as the job shows it.
    reason = error.sentence if error.sentence is not None else error.message
    sentence = messages.StoredSentence.of(said_event("failed", reason=reason))
    emit(
        store,
        job_id,
        f"Training failed: {error.message}",
        level="error",
        message_ja=japanese,
        sentence=sentence,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backends.local.worker")
    parser.add_argument("job_id")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    args = parser.parse_args(argv)
    if locks.acquire_for_worker(JobFiles.of(load_settings(), args.job_id).root) is None:
        # Held for this process's lifetime otherwise; the kernel drops it at exit.
        print(f"job {args.job_id} already has a running worker; this one exits", file=sys.stderr)
        return 0
    use_thread_policy(load_settings())  # before accelerate imports torch
    return run(args.job_id, resume=args.resume)


if __name__ == "__main__":
    sys.exit(main())
