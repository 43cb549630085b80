"""A calibration's answering figure is per batch size (``local.batch_size`` went 8 -> 32).

Before: a figure cached at batch 8 kept being used under 32, so the bench plan said
"(calibrated, batch 8)" and overestimated answering time by about 1.6x.
"""

from __future__ import annotations

import pytest

from advisor.app import calibration as app_calibration
from advisor.app.calibration import ensure_calibrated, missing
from advisor.bench.plan import plan_bench
from advisor.bench.runner import BenchOptions
from advisor.bench.scenario import load_scenario
from advisor.data import calibration as cal
from advisor.data.calibration import Calibration, CalibrationFile, GenerationRate, TrainingRate
from advisor.settings import Settings
from tests.unit.test_bench_plan import TINY, LocalLike


def answering(batch: int, tokens_per_second: float = 10.0, engine: str = "torch") -> GenerationRate:
    return GenerationRate(
        engine=engine,
        tokens_per_second=tokens_per_second,
        batch=batch,
        max_tokens=32,
        seconds_per_batch=batch * 32 / tokens_per_second,
        prompt_tokens_per_second=50.0,
        prompt_tokens=400,
    )


def calibration(*generations: GenerationRate, at: str = "2026-11-30T00:00:00Z") -> Calibration:
    training = TrainingRate(
        seq_len=256,
        batch=4,
        steps=2,
        seconds_per_step=4.0,
        seconds_per_token=0.004,
        startup_seconds=10.0,
    )
    return Calibration(
        machine=cal.machine_key(),
        model="m",
        device="cpu",
        dtype="float32",
        threads=2,
        measured_at=at,
        training=[training],
        generations=list(generations),
    )


def test_a_figure_at_another_batch_asks_for_answering_only() -> None:
    found = calibration(answering(8))
    needed = missing(found, 256, generation=True, embedding=False, answer_batch=32)
    assert needed is not None
    assert needed.generation and not needed.training and not needed.embedding
    same = missing(found, 256, generation=True, embedding=False, answer_batch=8)
    assert same is None
    measured = calibration(answering(8), answering(32))
    assert missing(measured, 256, generation=True, embedding=False, answer_batch=32) is None
    assert missing(found, 256, generation=False, embedding=False, answer_batch=32) is None


def test_figures_at_two_batches_sit_side_by_side() -> None:
    first = cal.merge(CalibrationFile(), calibration(answering(8, 10.0)))
    later = calibration(answering(32, 16.5), at="2026-11-30T06:00:00Z")
    (only,) = cal.merge(first, later).entries
    assert [g.batch for g in only.generations] == [8, 32]
    assert only.generation_for("torch", 8) == answering(8, 10.0)
    assert only.generation_for("torch", 32) == answering(32, 16.5)
    assert only.generation_for("torch") == answering(32, 16.5)  # no batch: the newest
    assert only.generation_for("torch", 24) == answering(32, 16.5)  # the nearest measured
    assert only.generation_for("torch", 4) == answering(8, 10.0)
    assert only.generation_for("onnx-fp32", 32) is None
    # measured again at 8: replaces that figure only, and is now the newest
    again = calibration(answering(8, 11.0), at="2026-11-30T07:00:00Z")
    (after,) = cal.merge(cal.merge(first, later), again).entries
    assert after.generations == [answering(32, 16.5), answering(8, 11.0)]
    assert after.generation_for("torch") == answering(8, 11.0)


def test_only_the_newest_batches_of_each_engine_are_kept() -> None:
    cache = CalibrationFile()
    for hour, batch in enumerate((1, 2, 4, 8, 16, 32)):
        cache = cal.merge(cache, calibration(answering(batch), at=f"2026-11-30T0{hour}:00:00Z"))
    onnx = calibration(answering(32, engine="onnx-int8"), at="2026-11-30T07:00:00Z")
    (only,) = cal.merge(cache, onnx).entries
    torch_batches = [g.batch for g in only.generations if g.engine == "torch"]
    assert torch_batches == [4, 8, 16, 32][-cal.MAX_BATCHES_PER_ENGINE :]
    assert [g.batch for g in only.generations if g.engine == "onnx-int8"] == [32]
    # measured again at a size it keeps: replaced, and now the newest
    (after,) = cal.merge(cache, calibration(answering(4, 12.0))).entries
    assert [g.batch for g in after.generations] == [8, 16, 32, 4]


@pytest.fixture
def cached_at_8(settings: Settings) -> LocalLike:
    """A local backend whose calibration was cached at batch 8, now set to answer 32 at once."""
    backend = LocalLike(settings)
    stored = calibration(answering(8)).model_copy(update={"model": backend.default_model})
    cal.store(settings, stored)
    settings.local.auto_calibrate = True
    settings.local.batch_size = 32
    return backend


def test_ensure_calibrated_measures_answering_at_the_new_batch(
    settings: Settings, cached_at_8: LocalLike, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = cal.cached_calibration(settings, cached_at_8.default_model)
    found = ensure_calibrated(settings, cached_at_8, seq_len=256, generation=True)
    assert found is not None and before is not None
    assert sorted(g.batch for g in found.generations) == [8, 32]
    assert found.training == before.training  # training was not measured again

    def measured_again(*_args: object) -> Calibration:
        raise AssertionError("nothing is missing now")

    monkeypatch.setattr(app_calibration, "calibrate", measured_again)
    assert ensure_calibrated(settings, cached_at_8, seq_len=256, generation=True) == found


def test_the_plan_uses_the_figure_at_the_bench_batch(settings: Settings) -> None:
    backend = LocalLike(settings)
    both = calibration(answering(32, 16.0), answering(8, 10.0))  # 32 first: not the newest
    cal.store(settings, both.model_copy(update={"model": backend.default_model}))
    settings.local.batch_size = 32
    options = BenchOptions(routes=["system_prompt"], repeats=1, max_tokens=64)
    route = plan_bench(load_scenario(TINY), backend, settings, options).routes[0]
    assert "16.0 tokens/s (calibrated, batch 32)" in route.answer_basis, route.answer_basis
    settings.local.batch_size = 8
    route = plan_bench(load_scenario(TINY), backend, settings, options).routes[0]
    assert "10.0 tokens/s (calibrated, batch 8)" in route.answer_basis, route.answer_basis
