"""The calibration cache and the estimate arithmetic (pure: no model, no torch)."""

from __future__ import annotations

import json

import pytest

from advisor.data import calibration as cal
from advisor.data.calibration import (
    Calibration,
    CalibrationFile,
    EmbeddingRate,
    GenerationRate,
    MachineKey,
    TrainingRate,
)
from advisor.settings import Settings

KEY = MachineKey(cpu="Test CPU 9000", cores=2, torch="2.5.0")


def rate(seq_len: int, per_token: float = 0.01, startup: float = 20.0) -> TrainingRate:
    return TrainingRate(
        seq_len=seq_len,
        batch=4,
        steps=3,
        seconds_per_step=per_token * 4 * seq_len,
        seconds_per_token=per_token,
        startup_seconds=startup,
    )


def entry(
    *rates: TrainingRate, model: str = "m", key: MachineKey = KEY, at: str = "2026-11-30T05:00:00Z"
) -> Calibration:
    return Calibration(
        machine=key,
        model=model,
        device="cpu",
        dtype="float32",
        threads=2,
        measured_at=at,
        training=list(rates),
    )


def test_training_seconds_is_startup_plus_tokens_times_cost() -> None:
    # 20 s start-up + 3,000 tokens x 0.01 s = 50 s
    assert cal.training_seconds(rate(256), 3_000) == pytest.approx(50.0)


def test_answer_and_indexing_seconds() -> None:
    generation = GenerationRate(tokens_per_second=8.0, batch=8, max_tokens=32, seconds_per_batch=32)
    # 10 requests x 40 tokens / 8 tokens/s
    assert cal.answer_seconds(generation, 10, 40) == pytest.approx(50.0)
    embedding = EmbeddingRate(chunks_per_second=4.0, chunk_tokens=200, model="local:x")
    assert cal.indexing_seconds(embedding, 10) == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("tokens", "bucket"),
    [(1, 64), (64, 64), (100, 128), (130, 128), (190, 256), (512, 512), (10**6, 2048)],
)
def test_seq_bucket(tokens: float, bucket: int) -> None:
    assert cal.seq_bucket(tokens) == bucket


def test_training_at_prefers_the_bucket_then_the_nearest() -> None:
    found = entry(rate(64, 0.005), rate(256, 0.01), rate(1024, 0.03))
    assert found.training_at(200).seq_len == 256  # exact bucket
    # Bucket 128 missing: 64 and 256 are as near; the longer is the cautious one.
    assert found.training_at(100).seq_len == 256
    assert found.training_at(900).seq_len == 1024  # bucket 1024 exact
    assert entry().training_at(100) is None


def test_find_matches_machine_model_and_device_only() -> None:
    other_torch = KEY.model_copy(update={"torch": "2.6.0"})
    other_cores = KEY.model_copy(update={"cores": 4})
    cache = CalibrationFile(
        entries=[entry(rate(64), key=other_torch), entry(rate(64), key=other_cores)]
    )
    assert cal.find(cache, KEY, "m") is None  # a new torch or another core count: re-measure
    cache = CalibrationFile(entries=[*cache.entries, entry(rate(64))])
    assert cal.find(cache, KEY, "m") == cache.entries[-1]
    assert cal.find(cache, KEY, "other-model") is None
    assert cal.find(cache, KEY, "m", "cuda") is None
    assert cal.find(cache, KEY, "m", "cpu") == cache.entries[-1]


def test_merge_keeps_other_buckets_and_unmeasured_figures() -> None:
    generation = GenerationRate(tokens_per_second=8.0, batch=8, max_tokens=32, seconds_per_batch=32)
    first = entry(rate(64, 0.005)).model_copy(update={"generations": [generation]})
    cache = cal.merge(CalibrationFile(), first)
    second = entry(rate(256, 0.01), rate(64, 0.004), at="2026-11-30T06:00:00Z")
    merged = cal.merge(cache, second)
    assert len(merged.entries) == 1
    only = merged.entries[0]
    assert [r.seq_len for r in only.training] == [64, 256]
    assert only.training[0].seconds_per_token == 0.004  # re-measured bucket replaced
    assert only.generations == [generation]  # not re-measured: kept


def test_store_and_read_round_trip_and_invalidation(settings: Settings) -> None:
    settings.local.model = "m"
    stored = cal.store(settings, entry(rate(128), key=cal.machine_key()))
    path = settings.data_dir / cal.CACHE_NAME
    assert path.is_file()
    assert cal.cached_calibration(settings) == stored
    assert cal.cached_calibration(settings, "local") == stored  # "local" is local.model
    settings.local.device = "cuda"
    assert cal.cached_calibration(settings) is None  # measured on the CPU
    settings.local.device = "auto"
    # Another format version, or a damaged file, reads as empty: measured again.
    path.write_text(path.read_text().replace('"version": 1', '"version": 999'))
    assert cal.cached_calibration(settings) is None
    path.write_text("{not json")
    assert cal.read_cache(settings) == CalibrationFile()


def test_machine_key_needs_no_torch_import(tmp_path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Test CPU 9000\n")
    assert cal.cpu_model(cpuinfo) == "Test CPU 9000"
    key = cal.machine_key()
    assert key.cores >= 1 and key.torch


def test_a_labelled_token_costs_one_plus_the_ratio_of_a_prompt_token() -> None:
    # Calibrated at 0.0116 s/token with 80% of tokens labelled and a ratio of 0.2:
    # a prompt token costs 0.0116 / (1 + 0.2 x 0.8) = 0.01 s, a labelled one 0.012 s.
    shaped = rate(256, per_token=0.0116).model_copy(
        update={"labelled_share": 0.8, "labelled_cost_ratio": 0.2}
    )
    assert cal.step_seconds(shaped, 1_000, labelled=0) == pytest.approx(10.0)
    assert cal.step_seconds(shaped, 1_000, labelled=1_000) == pytest.approx(12.0)
    assert cal.step_seconds(shaped, 1_000, labelled=800) == pytest.approx(11.6)  # its own shape
    # 20 s start-up + (1,000 x 0.01 + 50 x 0.002) x load factor 2
    assert cal.training_seconds(shaped, 1_000, 2.0, labelled=50) == pytest.approx(20 + 2 * 10.1)
    # No labelled count: every token at the calibrated figure, as before.
    assert cal.step_seconds(shaped, 1_000) == pytest.approx(11.6)


def test_entries_without_the_shape_fields_read_and_keep_todays_arithmetic(
    settings: Settings,
) -> None:
    old = {
        "version": cal.FORMAT_VERSION,
        "entries": [
            {
                "machine": KEY.model_dump(),
                "model": "m",
                "device": "cpu",
                "dtype": "float32",
                "threads": 1,
                "measured_at": "2026-11-30T11:01:23Z",
                "training": [
                    {
                        "seq_len": 256,
                        "batch": 4,
                        "steps": 2,
                        "seconds_per_step": 54.852,
                        "seconds_per_token": 0.05356640535449131,
                        "startup_seconds": 21.11,
                    }
                ],
            }
        ],
    }
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / cal.CACHE_NAME).write_text(json.dumps(old), encoding="utf-8")
    found = cal.find(cal.read_cache(settings), KEY, "m")
    assert found is not None
    old_rate = found.training[0]
    assert old_rate.labelled_share is None and old_rate.labelled_cost_ratio is None
    expected = 21.11 + 49_714 * 0.05356640535449131
    assert cal.training_seconds(old_rate, 49_714, labelled=1_892) == pytest.approx(expected)


def test_the_ratio_is_fitted_from_two_shapes_and_clamped() -> None:
    # CPU seconds per step measured on SmolLM2 (docs/performance.md): 18.98 s for
    # 1,024 tokens with 867 labelled, 16.87 s with 55 labelled.
    ratio = cal.labelled_cost_ratio((18.98, 1024, 867), (16.87, 1024, 55))
    assert ratio == pytest.approx(0.159, abs=0.001)
    # by hand: a = 0.01 s, b = 0.002 s -> 0.2
    assert cal.labelled_cost_ratio((1.0 * 12, 1000, 1000), (10.0, 1000, 0)) == pytest.approx(0.2)
    # A prompt-heavy run that came out slower (noise) means no extra cost, not a negative one.
    assert cal.labelled_cost_ratio((10.0, 1000, 900), (11.0, 1000, 50)) == 0.0
    assert cal.labelled_cost_ratio((10.0, 1000, 500), (10.0, 1000, 500)) is None  # same shape


def test_each_engine_keeps_its_own_answering_speed() -> None:
    # An onnx run's plan used the torch engine's decode rate (issue 19): several times too slow.
    torch_rate = GenerationRate(tokens_per_second=5.0, batch=8, max_tokens=32, seconds_per_batch=51)
    onnx_rate = torch_rate.model_copy(update={"engine": "onnx-fp32", "tokens_per_second": 22.0})
    cache = cal.merge(
        CalibrationFile(), entry(rate(64)).model_copy(update={"generations": [torch_rate]})
    )
    later = entry(at="2026-11-30T06:00:00Z").model_copy(update={"generations": [onnx_rate]})
    (only,) = cal.merge(cache, later).entries
    assert only.generation_for("torch") == torch_rate
    assert only.generation_for("onnx-fp32") == onnx_rate
    assert only.generation_for("onnx-int4") is None
    assert cal.engine_of("") == "torch" and cal.engine_of("onnx-int4") == "onnx-int4"


def test_an_entry_written_before_engines_reads_as_torch() -> None:
    old = entry(rate(64)).model_dump(mode="json", exclude={"generations"})
    old["generation"] = {
        "tokens_per_second": 5.0,
        "batch": 8,
        "max_tokens": 32,
        "seconds_per_batch": 51,
    }
    found = cal.Calibration.model_validate(old)
    assert [g.engine for g in found.generations] == ["torch"]
    assert found.generation_for("torch") is not None
    old["generation"] = None
    assert cal.Calibration.model_validate(old).generations == []
