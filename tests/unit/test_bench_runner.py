"""The bench runner's plumbing: remote concurrency, request errors, job reuse."""

from __future__ import annotations

import builtins
import time
from collections.abc import Sequence
from typing import Any, ClassVar

import pytest

from advisor.bench.prepare import TrainingSettings, training_key
from advisor.bench.runner import BenchOptions, available_routes, run_bench
from advisor.bench.scenario import load_scenario
from advisor.errors import RateLimitError
from advisor.settings import Settings
from backends.base import Capabilities, FineTuningService
from backends.fake import FakeBackend
from backends.job_store import JobStore, new_id
from backends.jobs import SUCCEEDED, Checkpoint, FineTuneJob, JobEvent, JobRequest
from backends.types import ChatMessage, ChatResult, GenerationParams
from tests.conftest import FIXTURES

TINY = FIXTURES / "bench" / "tiny"


class InstantTuning(FineTuningService):
    """Jobs that succeed at once, recorded in the job store like a real service."""

    created: ClassVar[int] = 0

    def __init__(self, settings: Settings) -> None:
        self.store = JobStore(settings.jobs_db)

    def create(self, request: JobRequest) -> FineTuneJob:
        InstantTuning.created += 1
        job = FineTuneJob(
            id=new_id("ftjob"),
            backend="remote-fake",
            method=request.method,
            model=request.model or "fake-model",
            status=SUCCEEDED,
            finished_at=time.time(),
            training_file=request.training_file,
            fine_tuned_model=f"ft:fake-model:bench:{InstantTuning.created}",
            trained_tokens=1234,
            metadata=request.metadata,
        )
        self.store.save_job(job)
        return job

    def retrieve(self, job_id: str) -> FineTuneJob:
        return self.store.get_job(job_id)

    def list(self, *, limit: int = 20) -> list[FineTuneJob]:
        return self.store.list_jobs(limit=limit)

    def events(self, job_id: str, *, after: str | None = None) -> builtins.list[JobEvent]:
        return []

    def checkpoints(self, job_id: str) -> builtins.list[Checkpoint]:
        return []

    def cancel(self, job_id: str) -> FineTuneJob:
        return self.retrieve(job_id)

    def resume(self, job_id: str) -> FineTuneJob:
        return self.retrieve(job_id)


class RemoteFake(FakeBackend):
    """A fake 'remote' backend: answered by the thread pool; Canada questions hit a 429."""

    name = "remote-fake"
    capabilities = Capabilities(
        supports_embeddings=True,
        supports_fine_tuning=True,
        fine_tuning_methods=("sft",),
        runs_locally=False,
    )

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> ChatResult:
        if "Canada" in (messages[-1].content or ""):
            raise RateLimitError("rate limited")
        return super().chat(messages, model=model, params=params)

    def chat_batch(self, conversations, *, model=None, params=None):  # type: ignore[no-untyped-def]
        # Remote requests go one by one through the pool, never as one big batch.
        assert len(conversations) == 1
        return [self.chat(conversations[0], model=model, params=params)]

    def fine_tuning(self) -> FineTuningService:
        return InstantTuning(self.settings)


def test_remote_backend_uses_the_pool_counts_errors_and_reuses_jobs(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(InstantTuning, "created", 0)  # other test modules create jobs too
    scenario = load_scenario(TINY)
    backend = RemoteFake(settings)
    assert available_routes(scenario, backend) == ["system_prompt", "rag", "sft"]
    options = BenchOptions(routes=["system_prompt", "sft"], repeats=2)
    results = run_bench(scenario, backend, settings, options)

    prompt_route = results.routes["system_prompt"]
    assert prompt_route.metrics is not None
    assert prompt_route.metrics.errors == 2  # t4 (Canada) failed in both repeats
    assert prompt_route.metrics.n_prompts == 3
    assert [s.error for s in prompt_route.samples if s.prompt_id == "t4"] == ["rate limited"] * 2
    # No remote price for a fake model: cost unknown, not zero.
    assert prompt_route.metrics.cost_per_1k_usd is None

    sft = results.routes["sft"]
    assert sft.status == "ok", sft.error
    assert sft.model == "ft:fake-model:bench:1"
    assert not sft.preparation.reused and sft.preparation.trained_tokens == 1234
    again = run_bench(scenario, backend, settings, options)
    assert again.routes["sft"].preparation.reused
    assert again.routes["sft"].preparation.job_id == sft.preparation.job_id
    assert InstantTuning.created == 1

    # Different training settings make a different job.
    changed = BenchOptions(routes=["sft"], repeats=1, training=TrainingSettings(n_epochs=3))
    third = run_bench(scenario, backend, settings, changed)
    assert not third.routes["sft"].preparation.reused
    assert InstantTuning.created == 2


def test_training_key_depends_on_content_not_path(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = tmp_path / "a.jsonl"
    second = tmp_path / "b.jsonl"
    first.write_text('{"messages": []}\n')
    second.write_text('{"messages": []}\n')
    args: dict[str, Any] = {
        "method": "sft",
        "backend": "local",
        "model": "m",
        "hyperparameters": {},
        "grader": None,
    }
    assert training_key(training_file=first, **args) == training_key(training_file=second, **args)
    second.write_text('{"messages": [1]}\n')
    assert training_key(training_file=first, **args) != training_key(training_file=second, **args)


def test_skipped_routes_explain_why(settings: Settings) -> None:
    scenario = load_scenario(TINY)
    options = BenchOptions(routes=["system_prompt", "dpo", "sft>dpo"], repeats=1)
    results = run_bench(scenario, FakeBackend(settings), settings, options)
    assert results.routes["dpo"].status == "skipped"
    assert "dpo" in (results.routes["dpo"].error or "")
    # A chain needs every training file it trains on.
    assert results.routes["sft>dpo"].status == "skipped"
    assert "dpo training file" in (results.routes["sft>dpo"].error or "")
    assert results.verdict.best == "system_prompt"


def test_a_finished_training_ends_with_a_full_progress_bar(settings):
    from advisor.bench.prepare import _wait

    class LastEventOneStepShort(InstantTuning):
        def events(self, job_id: str, *, after: str | None = None) -> builtins.list[JobEvent]:
            data = {"step": 57, "total_steps": 58}
            return [JobEvent(id="ftevent-1", message="Step 57/58", type="metrics", data=data)]

    service = LastEventOneStepShort(settings)
    job = service.create(JobRequest(method="sft", training_file="train.jsonl"))
    seen: list[tuple[str, int, int]] = []
    _wait(service, job, "sft", lambda done, total, label: seen.append((label, done, total)), None)
    assert seen == [("sft: training (succeeded)", 58, 58)]


class TunedEngineFake(RemoteFake):
    """Answers of its fine-tuned models depend on a setting, as local.adapter_dtype's do."""

    tuned_engine: ClassVar[str] = "lora-a"

    def generation_engine_for(self, model: str | None) -> str:
        return self.tuned_engine if (model or "").startswith("ft:") else ""


def test_the_answer_cache_keys_on_each_models_engine(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = load_scenario(TINY)
    backend = TunedEngineFake(settings)
    options = BenchOptions(routes=["system_prompt", "sft"], repeats=1)
    first = run_bench(scenario, backend, settings, options)
    again = run_bench(scenario, backend, settings, options)
    assert again.cache.hits == first.cache.misses - again.cache.misses > 0  # all but errors
    monkeypatch.setattr(TunedEngineFake, "tuned_engine", "lora-b")
    third = run_bench(scenario, backend, settings, options)
    # The prompt route's answers are reused; the fine-tuned model's are answered again.
    prompt_only = BenchOptions(routes=["system_prompt"], repeats=1)
    assert third.cache.hits == run_bench(scenario, backend, settings, prompt_only).cache.hits > 0
    assert third.cache.hits < again.cache.hits
    assert run_bench(scenario, backend, settings, options).cache.hits == again.cache.hits
