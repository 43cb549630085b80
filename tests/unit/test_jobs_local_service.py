"""LocalFineTuning without training: validation, dead workers, cancel and resume rules."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from advisor.app.job_events import event_text
from advisor.errors import DataFileError, GraderError, JobError, UserInputError
from backends.jobs import FineTuneJob, JobRequest
from backends.local import locks
from backends.local import service as service_module
from backends.local.files import JobFiles, process_alive
from backends.local.service import LocalFineTuning
from tests.conftest import FIXTURES
from tests.jobs_fixture import make_job

JOBS = FIXTURES / "jobs"


@pytest.fixture
def service(settings) -> LocalFineTuning:
    return LocalFineTuning(settings, wait_for_stop_s=2)


def stored_job(service: LocalFineTuning, status: str) -> FineTuneJob:
    job = make_job(status=status, training_file=str(JOBS / "sft_small.jsonl"))
    service.store.save_job(job)
    return job


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_an_invalid_file_fails_at_validation_with_the_line_and_starts_nothing(service, settings):
    request = JobRequest(method="sft", training_file=str(JOBS / "sft_invalid.jsonl"))
    with pytest.raises(DataFileError) as raised:
        service.create(request)
    assert raised.value.line == 2
    [job] = service.list()
    assert job.status == "failed"
    assert job.error is not None and job.error.line == 2
    assert job.error.code == "invalid_json"
    messages = [e.message for e in service.events(job.id)]
    assert any("line 2" in m for m in messages)
    # What `jobs show` and the job log print later, in the reader's language too.
    assert job.error.message.startswith("sft_invalid.jsonl: ")
    assert job.error.message == (
        "sft_invalid.jsonl: invalid JSON: unexpected end of data (3 error(s))"
    )
    assert job.error.localized("ja") == (
        "sft_invalid.jsonl: JSON として読めません: unexpected end of data（エラー 3 件）"
    )
    logged = {e.message: event_text(e, "ja") for e in service.events(job.id)}
    assert logged["sft_invalid.jsonl, line 3: the example has no assistant message to learn"] == (
        "sft_invalid.jsonl の 3 行目: 学習するアシスタントのメッセージがありません"
    )
    files = JobFiles.of(settings, job.id)
    assert not files.pid.exists() and not files.request.exists()
    with pytest.raises(JobError, match="never started"):
        service.resume(job.id)


def test_rft_needs_a_valid_grader_and_base_models_only(service):
    with pytest.raises(UserInputError, match="grader"):
        service.create(JobRequest(method="rft", training_file=str(JOBS / "rft_small.jsonl")))
    with pytest.raises(GraderError):
        service.create(
            JobRequest(
                method="rft", training_file=str(JOBS / "rft_small.jsonl"), grader={"type": "nope"}
            )
        )
    with pytest.raises(UserInputError, match="base model"):
        service.create(
            JobRequest(
                method="sft",
                training_file=str(JOBS / "sft_small.jsonl"),
                model="local:ft:x:y:ftjob-1",
            )
        )


def test_missing_file_is_reported(service, tmp_path):
    with pytest.raises(DataFileError, match="not found"):
        service.create(JobRequest(method="sft", training_file=str(tmp_path / "nope.jsonl")))


def test_a_dead_worker_is_noticed_and_the_job_can_be_resumed(service, settings, monkeypatch):
    job = stored_job(service, "running")
    files = JobFiles.of(settings, job.id)
    files.write_pid(dead_pid())
    found = service.retrieve(job.id)
    assert found.status == "failed"
    assert found.error is not None and found.error.code == "worker_exited"
    spawned: list[tuple[str, bool]] = []

    def spawn(job_id: str, resume: bool, lock: int) -> None:
        locks.release(lock)
        spawned.append((job_id, resume))

    monkeypatch.setattr(service, "_spawn", spawn)
    files.write_request(JobRequest(method="sft", training_file=job.training_file), merge=False)
    resumed = service.resume(job.id)
    assert resumed.status == "queued" and resumed.error is None
    assert spawned == [(job.id, True)]


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads process states from /proc")
def test_a_finished_worker_is_reaped_when_its_job_is_read(service, settings, monkeypatch):
    # The lock decides liveness; the child used to be left a zombie until the parent exited.
    job = stored_job(service, "succeeded")
    files = JobFiles.of(settings, job.id)
    worker = subprocess.Popen(["true"])
    monkeypatch.setitem(service_module._children, worker.pid, worker)
    files.write_pid(worker.pid)
    locks.lock_path(files.root).touch()
    deadline = time.monotonic() + 10
    while _state(worker.pid) != "Z" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _state(worker.pid) == "Z"
    assert service.retrieve(job.id).status == "succeeded"
    assert service_module._children.get(worker.pid) is None
    assert not os.path.exists(f"/proc/{worker.pid}")


def test_cancel_without_a_live_worker_marks_the_job_cancelled(service, settings):
    job = stored_job(service, "paused")
    JobFiles.of(settings, job.id).write_pid(dead_pid())
    cancelled = service.cancel(job.id)
    assert cancelled.status == "cancelled" and cancelled.finished_at is not None
    assert service.cancel(job.id).status == "cancelled"  # idempotent
    assert not JobFiles.of(settings, job.id).cancel.exists()


def test_succeeded_jobs_cannot_be_resumed(service):
    job = stored_job(service, "succeeded")
    with pytest.raises(JobError, match="already succeeded"):
        service.resume(job.id)


def test_pausing_a_job_whose_worker_is_gone_reports_the_failure(service):
    job = stored_job(service, "queued")  # queued, but no worker process recorded
    assert service.pause(job.id).status == "failed"


def test_process_alive():
    import os

    assert process_alive(os.getpid())
    assert not process_alive(dead_pid())


def test_request_file_round_trips(settings):
    files = JobFiles.of(settings, "ftjob-x")
    request = JobRequest(
        method="rft", training_file="/a.jsonl", grader={"type": "regex", "pattern": "x"}
    )
    files.write_request(request, merge=True)
    loaded, merge = files.read_request()
    assert loaded == request and merge is True
    assert json.loads(files.request.read_text())["merge"] is True


def test_a_suffix_that_cannot_be_part_of_a_model_id_is_refused_before_training(
    settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    request = JobRequest(method="sft", training_file=str(tmp_path / "t.jsonl"), suffix="../x")
    with pytest.raises(UserInputError, match="suffix"):
        LocalFineTuning(settings).create(request)


def test_a_continued_job_needs_its_parents_adapter(service, settings, tmp_path):
    from backends.jobs import PARENT_JOB_KEY
    from backends.local.trainer import continue_adapter

    request = JobRequest(
        method="dpo",
        training_file=str(JOBS / "sft_small.jsonl"),
        metadata={PARENT_JOB_KEY: "ftjob-missing"},
    )
    with pytest.raises(UserInputError, match="cannot continue from job ftjob-missing"):
        service.create(request)
    assert service.list() == []  # refused before a job was recorded
    with pytest.raises(JobError, match="left no adapter"):
        continue_adapter(object(), tmp_path / "ftjob-missing")


def test_the_worker_is_started_with_the_training_wait_policy(service, settings, monkeypatch):
    # A training step's many small operations wake the second thread each time; the worker
    # spins briefly instead of sleeping (advisor.threads.training_environment).
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    monkeypatch.setattr("advisor.threads._own_wait_policy", {"PASSIVE"})
    started: list[dict[str, str]] = []

    class Started:
        pid = dead_pid()

        def __init__(self, *args, env, **kwargs) -> None:
            started.append(env)

    monkeypatch.setattr(service_module.subprocess, "Popen", Started)
    job = stored_job(service, "queued")
    files = JobFiles.of(settings, job.id)
    files.root.mkdir(parents=True, exist_ok=True)
    lock = locks.try_lock(files.root)
    assert lock is not None
    service._spawn(job.id, resume=False, lock=lock)
    service_module._children.pop(Started.pid, None)
    [env] = started
    assert env["OMP_WAIT_POLICY"] == "ACTIVE" and env["GOMP_SPINCOUNT"] == "30000"
    assert env["ADVISOR_DATA_DIR"] == str(settings.data_dir)
