"""Planning before spending compute: the detectable difference and the time per route."""

from __future__ import annotations

from typing import ClassVar

import pytest

from advisor.bench.plan import detectable_difference, plan_bench, render_plan
from advisor.bench.runner import BenchOptions, run_bench
from advisor.bench.scenario import load_scenario
from advisor.data import calibration as cal
from advisor.data.calibration import TrainingRun
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

    store_calibration(settings, backend.default_model)
    routes = {r.route: r for r in plan_bench(scenario, backend, settings, options).routes}
    sft = routes["sft"]
    assert sft.preparation_seconds is not None and sft.preparation_seconds > 0
    assert "calibrated on this machine" in sft.preparation_basis
    assert "100 tokens/s" in sft.preparation_basis
    rag = routes["rag"]
    assert rag.preparation_seconds is not None and "chunks/s" in rag.preparation_basis
    answers = routes["system_prompt"]
    # 10 requests x (the references' length, capped at max_tokens) / 10 tokens/s
    assert answers.answer_seconds is not None and answers.answer_seconds > 0
    assert "10.0 tokens/s (calibrated" in answers.answer_basis

    # Once the job has run, the plan knows it is reused.
    run_bench(scenario, backend, settings, BenchOptions(routes=["sft"], repeats=1))
    sft = {r.route: r for r in plan_bench(scenario, backend, settings, options).routes}["sft"]
    assert sft.preparation_seconds == 0.0 and "reuses finished job" in sft.preparation_basis


def store_calibration(settings: Settings, model: str) -> None:
    """A calibration of ``model`` on this machine: 100 training tokens/s, 10 answer tokens/s."""
    rate = cal.TrainingRate(
        seq_len=64,
        batch=4,
        steps=3,
        seconds_per_step=2.56,
        seconds_per_token=0.01,
        startup_seconds=5.0,
    )
    cal.store(
        settings,
        cal.Calibration(
            machine=cal.machine_key(),
            model=model,
            device="cpu",
            dtype="float32",
            threads=2,
            measured_at="2026-11-30T00:00:00Z",
            training=[rate],
            generations=[
                cal.GenerationRate(
                    tokens_per_second=10.0, batch=8, max_tokens=32, seconds_per_batch=25.6
                )
            ],
            embedding=cal.EmbeddingRate(chunks_per_second=5.0, chunk_tokens=200, model="x"),
        ),
    )


class CalibratingTuning(InstantTuning):
    calibrations: ClassVar[int] = 0

    def calibrate(self, *, model: str | None, seq_len: int, batch: int, steps: int) -> TrainingRun:
        CalibratingTuning.calibrations += 1
        rate = cal.TrainingRate(
            seq_len=seq_len,
            batch=batch,
            steps=steps,
            seconds_per_step=0.1,
            seconds_per_token=0.1 / (batch * seq_len),
            startup_seconds=1.0,
        )
        return TrainingRun(rate=rate, device="cpu", dtype="float32", threads=1)


class Calibrating(LocalLike):
    def fine_tuning(self) -> FineTuningService:
        return CalibratingTuning(self.settings)


def test_the_plan_calibrates_once_unless_told_not_to(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.app.bench import BenchRequest, plan_benchmark

    monkeypatch.setattr(CalibratingTuning, "calibrations", 0)
    settings = settings.model_copy(  # the suite turns it off (tests/conftest.py)
        update={"local": settings.local.model_copy(update={"auto_calibrate": True})}
    )
    backend = Calibrating(settings)
    request = BenchRequest(scenario=str(TINY), routes="system_prompt,sft", calibrate=False)
    plan = plan_benchmark(request, settings, lambda name: backend)
    assert CalibratingTuning.calibrations == 0
    assert not (settings.data_dir / cal.CACHE_NAME).exists()
    assert {r.route: r for r in plan.estimate.routes}["sft"].preparation_seconds is None

    seen: list[str] = []
    request.calibrate = True
    plan = plan_benchmark(
        request, settings, lambda name: backend, lambda d, t, label: seen.append(label)
    )
    assert CalibratingTuning.calibrations == 1 and seen  # progress was shown
    assert (settings.data_dir / cal.CACHE_NAME).is_file()
    routes = {r.route: r for r in plan.estimate.routes}
    assert routes["sft"].preparation_seconds is not None
    assert routes["system_prompt"].answer_seconds is not None
    plan_benchmark(request, settings, lambda name: backend)
    assert CalibratingTuning.calibrations == 1  # cached: not measured again


def test_auto_calibrate_off_keeps_the_cached_figures_and_measures_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.app.bench import BenchRequest, plan_benchmark

    monkeypatch.setattr(CalibratingTuning, "calibrations", 0)
    assert settings.local.auto_calibrate is False  # ADVISOR_LOCAL__AUTO_CALIBRATE=false
    request = BenchRequest(scenario=str(TINY), routes="system_prompt,sft")
    plan_benchmark(request, settings, lambda name: Calibrating(settings))
    assert CalibratingTuning.calibrations == 0
    assert not (settings.data_dir / cal.CACHE_NAME).exists()


def test_plan_counts_the_tokens_the_trainer_sees_at_the_bench_max_length(
    settings: Settings,
) -> None:
    from advisor.bench.prepare import TrainingSettings
    from advisor.data.stats import compute_stats

    scenario = load_scenario(TINY)
    backend = LocalLike(settings)
    store_calibration(settings, backend.default_model)
    training = TrainingSettings(n_epochs=2, extra={"max_length": 48})
    options = BenchOptions(routes=["sft"], repeats=1, training=training)
    sft = {r.route: r for r in plan_bench(scenario, backend, settings, options).routes}["sft"]
    path = scenario.training_file("sft")
    assert path is not None
    seen = compute_stats(path, "sft", model="local", settings=settings, epochs=2, max_length=48)
    trained = seen.local.trained_tokens
    assert trained is not None and trained < seen.billed_tokens  # truncated at 48
    assert sft.preparation_seconds == pytest.approx(5.0 + trained * 0.01, abs=0.1)
    assert f"{trained:,} tokens" in sft.preparation_basis
