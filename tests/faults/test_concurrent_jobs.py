"""One worker per job (issue 18): concurrent resumes start one worker; cancel stops it.

The workers here are stubs that hold the lock they inherit and ignore the
cancel file (the worst case: a worker stuck between steps), so the tests cost
no model load; the real worker's own refusal is checked with the real module.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from advisor.settings import Settings
from backends.jobs import FineTuneJob, JobRequest
from backends.local import locks
from backends.local import service as local_service_module
from backends.local.files import JobFiles, process_alive
from backends.local.service import LocalFineTuning
from tests.conftest import FIXTURES
from tests.jobs_fixture import make_job

# Records its pid, then sleeps through SIGTERM and the cancel file.
STUB = (
    "import os, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "open(sys.argv[1], 'a').write(f'{os.getpid()}\\n'); time.sleep(120)"
)


def stored_failed_job(settings: Settings) -> FineTuneJob:
    service = LocalFineTuning(settings)
    job = make_job(
        id="ftjob-race", status="failed", training_file=str(FIXTURES / "jobs" / "sft_small.jsonl")
    )
    service.store.save_job(job)
    request = JobRequest(method="sft", training_file=job.training_file)
    JobFiles.of(settings, job.id).write_request(request, merge=False)
    return job


def _resume(settings: Settings, job_id: str, barrier: object, results: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    job = LocalFineTuning(settings).resume(job_id)
    results.put(job.status)  # type: ignore[attr-defined]


def started_pids(log: Path, *, at_least: int = 1, settle_s: float = 1.5) -> list[int]:
    """The pids the stubs recorded: once ``at_least`` have, and ``settle_s`` more for extras.

    Waiting for the expected ones (not a fixed time) keeps a loaded machine from
    failing the test; the settle time still catches a second worker started by a race.
    """

    def recorded() -> list[int]:
        return [int(x) for x in log.read_text().split()] if log.exists() else []

    deadline = time.monotonic() + 60
    while len(recorded()) < at_least and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(settle_s)
    return recorded()


def eventually(condition: Callable[[], bool], within_s: float = 30.0) -> bool:
    """Whether ``condition()`` holds within ``within_s`` (a killed process dies a moment later)."""
    deadline = time.monotonic() + within_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


@pytest.fixture
def stub_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "started.txt"
    command = [sys.executable, "-c", STUB, str(log)]
    monkeypatch.setattr(local_service_module, "worker_command", lambda *a, **k: command)
    return log


def test_four_concurrent_resumes_start_exactly_one_worker_and_cancel_stops_it(
    settings: Settings, stub_worker: Path
) -> None:
    job = stored_failed_job(settings)
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(4), context.Queue()
    runs = [
        context.Process(target=_resume, args=(settings, job.id, barrier, results)) for _ in range(4)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(30)
        assert run.exitcode == 0
    statuses = sorted(results.get(timeout=5) for _ in runs)
    pids = started_pids(stub_worker, settle_s=3.0)
    try:
        assert len(pids) == 1, f"{len(pids)} workers started for one job"
        assert all(s in ("queued", "running") for s in statuses), statuses
        service = LocalFineTuning(settings, wait_for_stop_s=1)
        assert service.retrieve(job.id).status == "queued"  # the lock says the worker lives
        cancelled = service.cancel(job.id)
        assert cancelled.status == "cancelled"
        assert not any(process_alive(pid) for pid in pids), "a worker survived the cancel"
        assert not locks.is_locked(JobFiles.of(settings, job.id).root)
    finally:
        for pid in pids:
            if process_alive(pid):
                os.kill(pid, 9)


def test_a_resume_after_the_worker_died_starts_a_new_one(
    settings: Settings, stub_worker: Path
) -> None:
    job = stored_failed_job(settings)
    service = LocalFineTuning(settings, wait_for_stop_s=1)
    service.resume(job.id)
    [first] = started_pids(stub_worker)
    os.kill(first, 9)  # a crash: the kernel drops the lock with the process
    assert eventually(lambda: service.retrieve(job.id).status == "failed")
    assert service.resume(job.id).status == "queued"
    pids = started_pids(stub_worker, at_least=2)
    try:
        assert len(pids) == 2 and process_alive(pids[1])
    finally:
        service.cancel(job.id)
    assert not process_alive(pids[1])


def test_a_worker_started_by_hand_exits_when_the_job_already_has_one(settings: Settings) -> None:
    job = stored_failed_job(settings)
    root = JobFiles.of(settings, job.id).root
    held = locks.try_lock(root)
    assert held is not None
    try:
        env = {**os.environ, "ADVISOR_DATA_DIR": str(settings.data_dir)}
        env.pop(locks.INHERITED_ENV, None)
        done = subprocess.run(
            [sys.executable, "-m", "backends.local.worker", job.id, "--resume"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    finally:
        locks.release(held)
    assert done.returncode == 0, done.stderr
    assert "already has a running worker" in done.stderr
    assert LocalFineTuning(settings).store.get_job(job.id).status == "failed"  # untouched


def test_only_rank_0_of_a_hand_started_accelerate_worker_takes_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(locks.INHERITED_ENV, raising=False)
    monkeypatch.setenv("RANK", "0")
    held = locks.acquire_for_worker(tmp_path)
    assert isinstance(held, int) and not isinstance(held, bool)
    try:
        assert locks.acquire_for_worker(tmp_path) is None  # a second rank 0: refused
        monkeypatch.setenv("RANK", "3")
        assert locks.acquire_for_worker(tmp_path) is True  # other ranks train under rank 0
    finally:
        locks.release(held)
    assert not locks.is_locked(tmp_path)


def test_jobs_resume_on_a_running_job_says_so_and_exits_0(
    settings: Settings, stub_worker: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from advisor.cli.app import main

    job = stored_failed_job(settings)

    def resume(*extra: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_info:
            main(["jobs", "resume", job.id, *extra])
        out, err = capsys.readouterr()
        return int(exit_info.value.code or 0), out, err

    try:
        assert resume() == (0, f"{job.id}  queued\n", "")
        code, out, err = resume()
        assert (code, out) == (0, f"{job.id}  queued\n")
        assert err == f"{job.id} already has a running worker; no second one was started\n"
        code, out, err = resume("--format", "json")
        assert code == 0 and err == "" and '"status": "queued"' in out
        assert len(started_pids(stub_worker)) == 1
    finally:
        LocalFineTuning(settings, wait_for_stop_s=1).cancel(job.id)
