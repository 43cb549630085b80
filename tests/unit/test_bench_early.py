"""Training jobs start before any route answers (advisor/bench/early.py): the job trains
while the other routes answer, a stopped run cancels it, and a job that cannot be created
fails its route once."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import ClassVar

import pytest

from advisor.bench.runner import BenchOptions, run_bench
from advisor.bench.scenario import load_scenario
from advisor.errors import CancelledError, JobError
from advisor.settings import Settings
from backends.base import FineTuningService
from backends.jobs import FineTuneJob, JobRequest
from backends.types import ChatMessage, ChatResult, GenerationParams
from tests.unit.test_bench_runner import TINY, InstantTuning, RemoteFake

OPTIONS = BenchOptions(routes=["system_prompt", "sft"], repeats=1)


class LoggedTuning(InstantTuning):
    log: ClassVar[list[str]] = []

    def create(self, request: JobRequest) -> FineTuneJob:
        LoggedTuning.log.append("create")
        return super().create(request)


class Answering(RemoteFake):
    """A remote fake that calls :meth:`on_answer` before each answer."""

    def on_answer(self) -> None:
        raise NotImplementedError

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> ChatResult:
        self.on_answer()
        return super().chat(messages, model=model, params=params)


class Logged(Answering):
    """Answers and job submissions in the order they happen."""

    def on_answer(self) -> None:
        LoggedTuning.log.append("answer")

    def fine_tuning(self) -> FineTuningService:
        return LoggedTuning(self.settings)


def test_the_job_is_submitted_before_the_first_answer(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LoggedTuning, "log", [])
    results = run_bench(load_scenario(TINY), Logged(settings), settings, OPTIONS)
    assert LoggedTuning.log[0] == "create" and LoggedTuning.log.count("create") == 1
    sft = results.routes["sft"]
    assert sft.status == "ok", sft.error
    assert not sft.preparation.reused  # this run's own job, though it had finished by then
    assert sft.preparation.notes == []


class RunningTuning(InstantTuning):
    """Jobs that keep running until cancelled."""

    cancelled: ClassVar[list[str]] = []

    def create(self, request: JobRequest) -> FineTuneJob:
        job = (
            super()
            .create(request)
            .model_copy(update={"status": "running", "finished_at": None, "fine_tuned_model": None})
        )
        self.store.save_job(job)
        return job

    def cancel(self, job_id: str) -> FineTuneJob:
        RunningTuning.cancelled.append(job_id)
        job = self.retrieve(job_id).model_copy(update={"status": "cancelled"})
        self.store.save_job(job)
        return job


class StoppedWhileAnswering(Answering):
    stop = threading.Event()

    def on_answer(self) -> None:
        StoppedWhileAnswering.stop.set()  # the person pressed cancel during the first route

    def fine_tuning(self) -> FineTuningService:
        return RunningTuning(self.settings)


def test_a_stopped_run_cancels_the_job_it_started(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RunningTuning, "cancelled", [])
    monkeypatch.setattr(StoppedWhileAnswering, "stop", threading.Event())
    backend = StoppedWhileAnswering(settings)
    with pytest.raises(CancelledError):
        run_bench(
            load_scenario(TINY), backend, settings, OPTIONS, cancel=StoppedWhileAnswering.stop
        )
    [job_id] = RunningTuning.cancelled
    assert backend.fine_tuning().retrieve(job_id).status == "cancelled"


class RefusingTuning(InstantTuning):
    attempts: ClassVar[int] = 0

    def create(self, request: JobRequest) -> FineTuneJob:
        RefusingTuning.attempts += 1
        raise JobError.from_catalog("core.bench.parent_job_unknown")


class Refusing(RemoteFake):
    def fine_tuning(self) -> FineTuningService:
        return RefusingTuning(self.settings)


def test_a_job_that_cannot_be_created_fails_its_routes_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sft`` and ``sft+rag`` share one job: refused once, both routes fail, one attempt."""
    monkeypatch.setattr(RefusingTuning, "attempts", 0)
    options = BenchOptions(routes=["system_prompt", "sft", "sft+rag"], repeats=1)
    results = run_bench(load_scenario(TINY), Refusing(settings), settings, options)
    assert results.routes["system_prompt"].status == "ok"  # the other routes still run
    for route in ("sft", "sft+rag"):
        failed = results.routes[route]
        assert failed.status == "failed" and failed.error is not None and failed.error_ja
    assert RefusingTuning.attempts == 1
