"""The calibration cache and the estimate arithmetic (pure: no model, no torch)."""

from __future__ import annotations

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
    first = entry(rate(64, 0.005)).model_copy(update={"generation": generation})
    cache = cal.merge(CalibrationFile(), first)
    second = entry(rate(256, 0.01), rate(64, 0.004), at="2026-11-30T06:00:00Z")
    merged = cal.merge(cache, second)
    assert len(merged.entries) == 1
    only = merged.entries[0]
    assert [r.seq_len for r in only.training] == [64, 256]
    assert only.training[0].seconds_per_token == 0.004  # re-measured bucket replaced
    assert only.generation == generation  # not re-measured: kept


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
