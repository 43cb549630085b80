"""Following the free cores during a long job: /proc/stat samples, other processes' use,
the governor that re-chooses a training worker's threads, and what the estimate and the
calibration read (advisor/threads.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from advisor import threads
from advisor.app.job_events import event_text
from advisor.data.contention import Conditions, conditions_now
from advisor.settings import LocalSettings, Settings
from advisor.threads import CpuSample, Rechosen, ThreadGovernor
from backends.local.train_callback import StoreCallback

# user nice system idle iowait irq softirq steal guest guest_nice, in ticks
STAT = "cpu  100 20 30 900 50 5 5 10 0 0\ncpu0 50 10 15 450 25 2 3 5 0 0\n"


def test_cpu_sample_counts_every_busy_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stat = tmp_path / "stat"
    stat.write_text(STAT)
    per_second = threads.os.sysconf("SC_CLK_TCK")
    monkeypatch.setattr(threads, "_niced", lambda: False)
    sample = threads.cpu_sample(stat)
    # all but idle (900), iowait (50) and niced work (20), which yields to ours
    assert sample is not None and sample.busy == pytest.approx(150 / per_second)
    monkeypatch.setattr(threads, "_niced", lambda: True)  # our own time is counted as nice
    niced = threads.cpu_sample(stat)
    assert niced is not None and niced.busy == pytest.approx(170 / per_second)
    assert threads.cpu_sample(tmp_path / "missing") is None
    stat.write_text("garbage\n")
    assert threads.cpu_sample(stat) is None


def test_others_busy_leaves_this_process_out() -> None:
    before = CpuSample(wall=10.0, busy=100.0, own=5.0)
    assert threads.others_busy(before, CpuSample(20.0, 120.0, 15.0)) == pytest.approx(1.0)
    assert threads.others_busy(before, CpuSample(20.0, 115.0, 20.0)) == 0.0  # never negative
    assert threads.others_busy(before, before) == 0.0  # no time passed


def test_others_busy_sees_a_real_busy_process() -> None:
    """Against the real /proc/stat: a child spinning for a second is another process's use
    (a shared machine only adds to it), while this process sleeps."""
    if threads.cpu_sample() is None:
        pytest.skip("no /proc/stat on this platform")
    spin = "import time\nend = time.time() + 1.0\nwhile time.time() < end: pass\n"
    child = subprocess.Popen([sys.executable, "-c", spin])
    time.sleep(0.2)  # past the interpreter's start-up
    start = threads.cpu_sample()
    time.sleep(0.6)
    end = threads.cpu_sample()
    child.wait()
    assert start is not None and end is not None
    assert threads.others_busy(start, end) > 0.5


def samples(*points: tuple[float, float, float]) -> Any:
    """A fake :func:`threads.cpu_sample` returning ``points`` (wall, busy, own) in turn."""
    queue = [CpuSample(*p) for p in points]
    return lambda: queue.pop(0)


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "affinity_cpus", lambda: 2)
    monkeypatch.setattr(threads, "cgroup_quota", lambda: None)
    monkeypatch.setattr(threads, "_applied", {})
    monkeypatch.setattr(threads, "busy_reading", threads.BusyReading())


def test_governor_follows_the_cores_others_leave(two_cores: None) -> None:
    applied: list[int] = []
    sample = samples(
        (0.0, 0.0, 0.0),
        (5.0, 9.0, 0.0),  # too soon: no decision
        (15.0, 20.0, 5.0),  # 15 s: others used 15 of 20 busy seconds -> 1.0 core
        (30.0, 21.5, 20.0),  # 15 s: others used 0.0 -> both cores again
        (45.0, 23.0, 35.0),  # still idle: no change, nothing reported
    )
    governor = ThreadGovernor(Settings(), 2, interval=15.0, sample=sample, apply=applied.append)
    assert governor.check() is None
    assert governor.check() == Rechosen(threads=1, others=1.0, seconds=15.0)
    assert governor.check() == Rechosen(threads=2, others=0.0, seconds=15.0)
    assert governor.check() is None
    assert applied == [1, 2] and governor.threads == 2


def test_governor_keeps_the_count_it_chose_for_later_calls(two_cores: None) -> None:
    sample = samples((0.0, 0.0, 0.0), (15.0, 15.0, 0.0))
    governor = ThreadGovernor(None, 2, sample=sample, apply=lambda _n: None)
    assert governor.check() is not None
    assert threads.use_thread_policy(None) == 1  # not reset to the start's choice


def test_an_explicit_thread_count_is_never_changed(two_cores: None) -> None:
    def never() -> CpuSample:
        raise AssertionError("a fixed count needs no samples")

    fixed = Settings(local=LocalSettings(threads=2))
    governor = ThreadGovernor(fixed, 2, sample=never, apply=lambda _n: None)
    assert governor.check() is None and governor.threads == 2


def test_governor_without_proc_stat_does_nothing(two_cores: None) -> None:
    governor = ThreadGovernor(None, 1, sample=lambda: None, apply=lambda _n: None)
    assert governor.check() is None


def test_estimate_predicts_the_count_the_job_settles_at(
    two_cores: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A VM whose load average sits at 1 with idle cores: the worker starts on one thread and
    its governor takes the second, so the estimate counts two."""
    monkeypatch.setattr(threads, "load_average", lambda: 1.0)
    monkeypatch.setattr(threads, "process_load", lambda: 0.0)
    monkeypatch.setattr(threads, "cpu_sample", samples((0.0, 50.0, 1.0), (0.3, 50.03, 1.03)))
    monkeypatch.setattr(threads.time, "sleep", lambda _s: None)
    assert threads.policy_threads(None) == 1
    now = conditions_now()
    assert (now.usable, now.threads) == (2.0, 2) and now.load == pytest.approx(0.0, abs=1e-9)
    monkeypatch.setattr(threads, "cpu_sample", lambda: None)  # no /proc/stat: the load average
    threads.busy_reading.reset()
    assert conditions_now() == Conditions(usable=2.0, load=1.0, threads=1)


def test_governor_reads_nothing_until_its_interval_has_passed(two_cores: None) -> None:
    """It runs after every training step: a check before the interval costs no file read."""
    reads: list[CpuSample] = []

    def sample() -> CpuSample:
        reads.append(CpuSample(time.monotonic(), 0.0, 0.0))
        return reads[-1]

    governor = ThreadGovernor(None, 2, interval=60.0, sample=sample, apply=lambda _n: None)
    assert governor.check() is None and governor.check() is None
    assert len(reads) == 1  # the start's sample only


def test_estimates_in_one_command_measure_once(
    two_cores: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bench plan estimates every route; the person waits on one 0.3 s window, not one each."""
    clock = [100.0]
    monkeypatch.setattr(threads, "busy_reading", threads.BusyReading(clock=lambda: clock[0]))
    sleeps: list[float] = []
    monkeypatch.setattr(threads.time, "sleep", sleeps.append)
    monkeypatch.setattr(threads, "cpu_sample", samples((0.0, 10.0, 0.0), (0.3, 10.3, 0.0)))
    assert threads.busy_now() == pytest.approx(1.0)
    clock[0] += threads.BUSY_FRESH_SECONDS - 0.1
    assert threads.busy_now() == pytest.approx(1.0)  # a second sample would be an IndexError
    assert sleeps == [0.3]
    clock[0] += 0.1  # BUSY_FRESH_SECONDS old: stale, measured again
    monkeypatch.setattr(threads, "cpu_sample", samples((1.0, 10.0, 0.0), (1.3, 10.0, 0.0)))
    assert threads.busy_now() == 0.0 and sleeps == [0.3, 0.3]
    threads.busy_reading.reset()  # forgotten: measured again at once
    monkeypatch.setattr(threads, "cpu_sample", samples((2.0, 10.0, 0.0), (2.3, 10.6, 0.0)))
    assert threads.busy_now() == pytest.approx(2.0) and sleeps == [0.3, 0.3, 0.3]


def test_a_reading_is_kept_from_when_it_was_taken() -> None:
    """The window counts from the end of the measuring, and a zero window keeps nothing."""
    clock = [0.0]
    measured: list[float] = []

    def measure() -> float:
        clock[0] += 0.5  # the measuring window passes
        measured.append(clock[0])
        return float(len(measured))

    reading = threads.BusyReading(fresh=10.0, clock=lambda: clock[0])
    assert reading.get(measure) == 1.0
    clock[0] = 10.25  # 9.75 s after the reading was taken
    assert reading.get(measure) == 1.0 and measured == [0.5]
    clock[0] = 10.5
    assert reading.get(measure) == 2.0 and measured == [0.5, 11.0]
    never = threads.BusyReading(fresh=0.0, clock=lambda: clock[0])
    assert never.get(measure) == 3.0 and never.get(measure) == 4.0


def test_training_reports_a_new_thread_count_in_both_languages(two_cores: None) -> None:
    events: list[Any] = []
    store = SimpleNamespace(add_event=lambda _job_id, event: events.append(event))
    job = SimpleNamespace(id="ftjob-1")
    sample = samples((0.0, 0.0, 0.0), (15.0, 15.0, 0.0), (20.0, 20.0, 0.0))
    governor = ThreadGovernor(None, 2, sample=sample, apply=lambda _n: None)
    callback = StoreCallback(store, job, controls=None, is_main=True, governor=governor)  # type: ignore[arg-type]
    callback.rethread()
    [event] = events
    assert event.message == "Threads: 1 (other processes used 1.0 cores over the last 15 s)"
    assert event.data == {"threads": 1, "others_cores": 1.0}
    assert event_text(event, "ja") == "スレッド数: 1（直近 15 秒に他のプロセスが使ったコア: 1.0）"
    callback.rethread()  # too soon to decide again: nothing written
    assert len(events) == 1


def test_a_calibration_records_what_the_others_used_while_it_measured(
    two_cores: None, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    """Not the load average before it (1.0 here, on a VM whose idle cores show a load)."""
    from advisor.app import calibration as app
    from tests.unit.test_bench_plan import Calibrating, CalibratingTuning

    monkeypatch.setattr(threads, "load_average", lambda: 1.0)
    monkeypatch.setattr(threads, "process_load", lambda: 0.0)
    sample = samples((0.0, 10.0, 1.0), (40.0, 50.0, 31.0))  # 40 s: the others used 10 s
    monkeypatch.setattr(threads, "cpu_sample", sample)
    monkeypatch.setattr(app, "cpu_sample", threads.cpu_sample)
    monkeypatch.setattr(CalibratingTuning, "calibrations", 0)
    options = app.CalibrationOptions(generation=False, embedding=False, seq_len=64)
    found = app.calibrate(settings, Calibrating(settings), options)
    assert found.training[0].load == 0.25
