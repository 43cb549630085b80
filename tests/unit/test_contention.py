"""The load correction of training estimates (advisor/data/contention.py): pure arithmetic,
old cache entries, and the corrected figure in `data stats`, the bench plan and the preview.

The machine's load is faked (advisor.threads.load_average and process_load, with
/proc/stat unreadable so that the measured use falls back to them), never read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor import threads
from advisor.data import calibration as cal
from advisor.data.contention import (
    MAX_FACTOR,
    MIN_FACTOR,
    Conditions,
    conditions_now,
    correction_for,
    cpu_share,
    load_correction,
    load_factor,
)
from advisor.settings import Settings
from tests.conftest import FIXTURES

DATA = FIXTURES / "data"


def rate(load: float | None = 0.4, threads_: int | None = 2) -> cal.TrainingRate:
    return cal.TrainingRate(
        seq_len=64,
        batch=4,
        steps=3,
        seconds_per_step=2.56,
        seconds_per_token=0.01,
        startup_seconds=30.0,
        load=load,
        threads=threads_,
    )


def entry(r: cal.TrainingRate, device: str = "cpu", model: str = "m") -> cal.Calibration:
    return cal.Calibration(
        machine=cal.machine_key(),
        model=model,
        device=device,
        dtype="float32",
        threads=2,
        measured_at="2026-11-30T00:00:00Z",
        training=[r],
    )


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    """Two free cores, no quota, no load of this process's own; set ``machine["load"]``."""
    state = {"load": 0.0}
    monkeypatch.setattr(threads, "affinity_cpus", lambda: 2)
    monkeypatch.setattr(threads, "cgroup_quota", lambda: None)
    monkeypatch.setattr(threads, "load_average", lambda: state["load"])
    monkeypatch.setattr(threads, "process_load", lambda: 0.0)
    monkeypatch.setattr(threads, "cpu_sample", lambda: None)
    # each estimate reads the state
    monkeypatch.setattr(threads, "busy_reading", threads.BusyReading(fresh=0.0))
    return state


# --- the arithmetic ----------------------------------------------------------------------


def test_cpu_share_by_hand() -> None:
    assert cpu_share(2, 2.0, 0.0) == 2.0  # idle: both threads run
    assert cpu_share(1, 2.0, 0.0) == 1.0
    # load 3 beside 1 thread on 2 cores: 4 runnable threads share 2 cores
    assert cpu_share(1, 2.0, 3.0) == pytest.approx(0.5)
    assert cpu_share(2, 2.0, 2.0) == pytest.approx(1.0)  # 2 x 2 / 4
    assert cpu_share(2, 1.5, 0.0) == pytest.approx(1.5)  # a cgroup quota of 1.5 CPUs
    assert cpu_share(0, 2.0, -1.0) == 1.0  # at least one thread, no negative load


def test_idle_then_loaded_now() -> None:
    # calibrated at 1 thread under 0.4; now 1 thread beside a load of 3.1:
    # (1 x min(1, 2/1.4)) / (1 x 2/4.1) = 2.05
    factor = load_factor(usable=2, threads_then=1, load_then=0.4, threads_now=1, load_now=3.1)
    assert factor == pytest.approx(4.1 / 2, abs=1e-9)
    same = load_factor(usable=2, threads_then=2, load_then=0.0, threads_now=2, load_now=0.0)
    assert same == 1.0


def test_loaded_then_idle_now_is_faster_and_clamped() -> None:
    # calibrated at 1 thread under a load of 2 (share 2/3); now idle with 2 threads (share 2)
    factor = load_factor(usable=2, threads_then=1, load_then=2.0, threads_now=2, load_now=0.0)
    assert factor == MIN_FACTOR  # 1/3, clamped to 0.5
    heavy = load_factor(usable=2, threads_then=2, load_then=0.0, threads_now=1, load_now=20.0)
    assert heavy == MAX_FACTOR  # 2 / (2/21) = 21, clamped


def test_quota_caps_the_share() -> None:
    # a quota of 1 CPU: 2 threads idle get 1 core; beside a load of 1, 2 x 1/3
    factor = load_factor(usable=1.0, threads_then=2, load_then=0.0, threads_now=2, load_now=1.0)
    assert factor == pytest.approx(1.5)


def test_no_recorded_load_means_no_correction() -> None:
    now = Conditions(usable=2.0, load=5.0, threads=1)
    assert correction_for(rate(load=None), 2, now) is None
    small = correction_for(rate(load=0.0, threads_=2), 2, Conditions(2.0, 0.05, 2))
    assert small is None  # within 5% of 1: not a correction
    found = correction_for(rate(load=0.4, threads_=None), 1, Conditions(2.0, 3.1, 1))
    assert found is not None and found.threads_then == 1  # the entry's threads
    assert found.factor == pytest.approx(2.05) and found.load_now == 3.1


def test_recent_load_of_this_process() -> None:
    assert threads.recent_load(0.0, 100.0) == 0.0 and threads.recent_load(5.0, 0.0) == 0.0
    # one core's worth for ten minutes: about one runnable thread
    assert threads.recent_load(600.0, 600.0) == pytest.approx(1.0, abs=1e-4)
    # one core's worth for one minute: 1 - 1/e of it has weighed in
    assert threads.recent_load(60.0, 60.0) == pytest.approx(0.632, abs=1e-3)


def test_process_load_reads_proc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stat, uptime = tmp_path / "stat", tmp_path / "uptime"
    ticks = threads.os.sysconf("SC_CLK_TCK")
    fields = ["S"] + ["0"] * 18 + [str(9_400 * ticks)] + ["0"] * 10  # started at 9,400 s
    stat.write_text("123 (a (weird) name) " + " ".join(fields))
    uptime.write_text("10000.0 5.0")  # so 600 s old
    used = threads.os.times_result((590.0, 10.0, 0.0, 0.0, 0.0))  # 600 s of CPU
    monkeypatch.setattr(threads.os, "times", lambda: used)
    assert threads.process_load(stat, uptime) == pytest.approx(1.0, abs=1e-4)
    assert threads.process_load(tmp_path / "missing", uptime) == 0.0


def test_others_load_leaves_this_process_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "load_average", lambda: 3.0)
    monkeypatch.setattr(threads, "process_load", lambda: 1.2)
    assert threads.others_load() == pytest.approx(1.8)
    monkeypatch.setattr(threads, "process_load", lambda: 5.0)
    assert threads.others_load() == 0.0


def test_conditions_now_and_gpu(machine: dict[str, float], settings: Settings) -> None:
    machine["load"] = 1.6
    now = conditions_now(settings)
    assert now == Conditions(usable=2.0, load=1.6, threads=1)  # round(2 - 1.6) -> 1 thread
    assert load_correction(entry(rate(load=0.0), device="cuda"), rate(load=0.0)) is None


# --- the cache ---------------------------------------------------------------------------


def test_old_cache_entries_still_read(settings: Settings) -> None:
    """An entry written before loads were recorded parses, and is not corrected."""
    old = entry(rate()).model_dump(mode="json")
    for r in old["training"]:
        del r["load"], r["threads"]
    path = settings.data_dir / cal.CACHE_NAME
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "entries": [old]}), encoding="utf-8")
    found = cal.read_cache(settings).entries
    assert len(found) == 1 and found[0].training[0].load is None
    assert load_correction(found[0], found[0].training[0]) is None


def test_describe_rate_names_the_correction(machine: dict[str, float]) -> None:
    r = rate(load=0.4, threads_=1)
    plain = cal.describe_rate(entry(r), r)
    assert plain.endswith("+ 30 s start-up)") and "1 threads" in plain
    machine["load"] = 3.0  # 1 thread now, beside 3: half a core against a whole one
    found = load_correction(entry(r), r)
    assert found is not None and found.factor == 2.0
    text = cal.describe_rate(entry(r), r, found)
    loaded = "; x2.0 for a load of 3.0 now against 0.4 when calibrated, 1 threads against 1)"
    assert text.endswith(loaded), text
    # start-up as measured, the steps times the factor
    assert cal.training_seconds(r, 1_000, found.factor) == pytest.approx(30 + 10 * 2.0)


# --- where estimates are shown -----------------------------------------------------------


def test_stats_carry_the_correction(machine: dict[str, float], settings: Settings) -> None:
    from advisor.data.stats import compute_stats

    cal.store(settings, entry(rate(load=0.4, threads_=2), model=settings.local.model))
    machine["load"] = 0.4  # as when calibrated: 2 threads then and now
    quiet = compute_stats(DATA / "sft_valid_tools.jsonl", "sft", settings=settings).local
    assert quiet.load_factor == 1.0 and "load" not in quiet.source
    cal.store(settings, entry(rate(load=0.4, threads_=1), model=settings.local.model))
    machine["load"] = 3.0
    loaded = compute_stats(DATA / "sft_valid_tools.jsonl", "sft", settings=settings)
    local = loaded.local
    assert local.load_factor == 2.0
    assert "x2.0 for a load of 3.0 now against 0.4 when calibrated, 1 threads" in local.source
    expected = 30.0 + loaded.billed_tokens * 0.01 * 2.0
    assert local.estimated_training_seconds == pytest.approx(expected, abs=0.1)


def test_own_recent_work_is_neither_load_nor_a_lost_thread(
    machine: dict[str, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Right after its own calibration, a process sees its work in the load average: it is
    left out of the load, and the thread count predicted is the one for that load (the job's
    worker may start on fewer, but its governor takes the free core back within seconds)."""
    r = rate(load=0.0, threads_=2)
    machine["load"] = 1.5
    monkeypatch.setattr(threads, "process_load", lambda: 1.5)
    assert conditions_now() == Conditions(usable=2.0, load=0.0, threads=2)
    assert load_correction(entry(r), r) is None
