"""Planning before spending compute: the detectable difference and the time per route."""

from __future__ import annotations

import json

import pytest

from advisor.bench.plan import detectable_difference, plan_bench, render_plan
from advisor.bench.runner import BenchOptions, run_bench
from advisor.bench.scenario import load_scenario
from advisor.data.throughput import CACHE_NAME
from advisor.settings import Settings
from backends.base import Capabilities, FineTuningService
from backends.fake import FakeBackend
from tests.conftest import FIXTURES
from tests.unit.test_bench_runner import InstantTuning

TINY = FIXTURES / "bench" / "tiny"


def test_detectable_difference_by_hand() -> None:
    # (z(0.975) + z(0.8)) * sqrt(2 * 0.5 * 0.5 / n) = (1.959964 + 0.841621) * sqrt(0.5 / n)
    assert detectable_difference(50) == pytest.approx(2.801585 * 0.1, abs=1e-6)
    # alpha 0.01: (2.575829 + 0.841621) * sqrt(0.5 / 100) = 3.417450 * 0.0707107
    assert detectable_difference(100, alpha=0.01) == pytest.approx(0.241647, abs=1e-5)
    assert detectable_difference(1) == 1.0  # capped: a difference is at most 100 points
    with pytest.raises(ValueError):
        detectable_difference(0)


class LocalLike(FakeBackend):
    """Runs locally and trains at once: the plan estimates from measured throughput."""

    name = "local-like"
    capabilities = Capabilities(
        supports_embeddings=True,
        supports_fine_tuning=True,
        fine_tuning_methods=("sft",),
        runs_locally=True,
    )

    def fine_tuning(self) -> FineTuningService:
        return InstantTuning(self.settings)


def test_plan_estimates_from_measured_throughput_only(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(InstantTuning, "created", 0)  # restored after: other tests count jobs
    scenario = load_scenario(TINY)
    backend = LocalLike(settings)
    options = BenchOptions(routes=["system_prompt", "sft", "rag", "dpo"], repeats=2)
    plan = plan_bench(scenario, backend, settings, options)
    assert plan.n_prompts == 4 and plan.repeats == 2
    assert plan.detectable_difference == pytest.approx(detectable_difference(4), abs=1e-4)
    assert plan.detectable_difference_repeats == pytest.approx(detectable_difference(8), abs=1e-4)
    by_route = {r.route: r for r in plan.routes}
    assert by_route["system_prompt"].preparation_seconds == 0.0
    assert by_route["sft"].preparation_seconds is None  # nothing measured yet
    assert "unknown" in by_route["sft"].preparation_basis
    assert by_route["rag"].preparation == "index" and by_route["rag"].preparation_seconds is None
    assert not by_route["dpo"].runs and by_route["dpo"].skip_reason
    assert by_route["system_prompt"].requests == 4 * 2 + 2  # prompts x repeats + 2 paraphrases
    assert by_route["system_prompt"].answer_seconds is None and plan.total_seconds is None
    assert any("unknown" in line for line in render_plan(plan))

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / CACHE_NAME).write_text(
        json.dumps(
            {
                "tokens_per_second": 100.0,
                "device": "cpu, 2 threads",
                "model": settings.local.model,
                "measured_at": "2026-11-30",
                "batch": 4,
                "seq_len": 256,
            }
        )
    )
    sft = {r.route: r for r in plan_bench(scenario, backend, settings, options).routes}["sft"]
    assert sft.preparation_seconds is not None and sft.preparation_seconds > 0
    assert "100 tokens/s" in sft.preparation_basis

    # Once the job has run, the plan knows it is reused.
    run_bench(scenario, backend, settings, BenchOptions(routes=["sft"], repeats=1))
    sft = {r.route: r for r in plan_bench(scenario, backend, settings, options).routes}["sft"]
    assert sft.preparation_seconds == 0.0 and "reuses finished job" in sft.preparation_basis
