"""The measured speed of another thread count in training estimates
(advisor/data/contention.py ``thread_speed``, backends/local/calibrate.py): the arithmetic,
the cache file with and without the figure, and the basis in both languages.

Case of the issue: calibrated at 1 thread on an idle 2-core machine, the job trains at 2;
a second thread measured 1.25x, so the steps take 0.8 of the calibrated time, not 0.5.
"""

from __future__ import annotations

import json

import pytest

from advisor import threads
from advisor.bench import plan_basis, report_i18n
from advisor.data import calibration as cal
from advisor.data.contention import (
    Conditions,
    ThreadStep,
    correction_for,
    load_factor,
    measured_step,
    thread_speed,
)
from advisor.messages import StoredSentence
from advisor.settings import Settings
from backends.local import calibrate

MEASURED = {1: 2.5, 2: 2.0}  # seconds a step: 1.25x at 2 threads


def rate(
    by_threads: dict[int, float] | None = MEASURED, threads_: int = 1, load: float = 0.0
) -> cal.TrainingRate:
    return cal.TrainingRate(
        seq_len=128, batch=4, steps=2, seconds_per_step=2.5, seconds_per_token=0.005,
        startup_seconds=20.0, load=load, threads=threads_,
        seconds_per_step_by_threads=by_threads,
    )  # fmt: skip


def entry(r: cal.TrainingRate, model: str = "m") -> cal.Calibration:
    return cal.Calibration(
        machine=cal.machine_key(), model=model, device="cpu", dtype="float32", threads=1,
        measured_at="2026-12-02T00:00:00Z", training=[r],
    )  # fmt: skip


IDLE_TWO = Conditions(usable=2.0, load=0.0, threads=2)


# --- the arithmetic ----------------------------------------------------------------------


def test_the_measured_speedup_replaces_the_linear_one() -> None:
    found = correction_for(rate(), 1, IDLE_TWO)
    assert found is not None
    assert found.factor == pytest.approx(0.8) and found.threads_speedup == pytest.approx(1.25)
    assert (found.threads_now, found.threads_then) == (2, 1)
    # the same entry without the measurement: the old, linear assumption (x0.5)
    old = correction_for(rate(by_threads=None), 1, IDLE_TWO)
    assert old is not None and old.factor == 0.5 and old.threads_speedup is None


def test_calibrated_at_two_trains_at_one() -> None:
    # 1 thread now beside a load of 1 on 2 cores keeps a whole core: 1/0.8 as long
    found = correction_for(rate(threads_=2), 1, Conditions(usable=2.0, load=1.0, threads=1))
    assert found is not None and found.factor == pytest.approx(1.25)
    assert found.threads_speedup == pytest.approx(0.8)


def test_a_count_not_measured_takes_the_nearest() -> None:
    r = rate(by_threads={1: 4.0, 2: 2.0, 4: 1.0})
    assert thread_speed(r, 1, 4) == 4.0
    assert thread_speed(r, 1, 3) == 2.0  # 2 and 4 as near: the fewer threads
    assert thread_speed(r, 1, 8) == 4.0
    assert thread_speed(rate(), 1, 4) == pytest.approx(1.25)  # 2, the most measured
    found = correction_for(rate(), 1, Conditions(usable=4.0, load=0.0, threads=4))
    assert found is not None and found.factor == pytest.approx(0.8)


def test_unusable_measurements_fall_back_to_linear() -> None:
    assert thread_speed(rate(by_threads=None), 1, 2) is None
    assert thread_speed(rate(by_threads={1: 2.5}), 1, 2) is None  # one count only
    assert thread_speed(rate(by_threads={2: 2.0, 4: 1.5}), 1, 2) is None  # not at the entry's
    assert thread_speed(rate(by_threads={1: 2.5, 2: 0.0}), 1, 2) is None  # no time: no figure


def test_the_step_the_speed_and_the_calibrate_lines_come_from_one_measure() -> None:
    from advisor.cli.tune import thread_lines

    r = rate(by_threads={1: 4.0, 2: 2.0, 4: 1.0, 8: 0.0})
    assert measured_step(r, 1, 3) == ThreadStep(threads=2, seconds_per_step=2.0, speed=2.0)
    assert measured_step(r, 1, 1) == ThreadStep(threads=1, seconds_per_step=4.0, speed=1.0)
    assert measured_step(rate(by_threads={2: 2.0, 4: 1.0}), 1, 2) is None
    # every timed count but the calibration's, in order; 8 has no time, so no line
    lines = thread_lines(r, 1)
    assert [line.split(":")[0] for line in lines] == [
        "the same steps at 2 threads",
        "the same steps at 4 threads",
    ]
    assert lines[1].endswith("1.00 s/step, 4.00x the speed at 1")
    # the entry's own count wins over the calibration's; not timed there: not measured
    assert thread_lines(rate(by_threads={2: 2.0, 4: 1.0}, threads_=4), 1)[0].endswith(
        "2.00 s/step, 0.50x the speed at 4"
    )
    assert thread_lines(rate(by_threads={2: 2.0, 4: 1.0}), 1)[0].startswith(
        "another thread count: not measured"
    )


def test_a_speed_measured_without_whole_cores_is_not_used() -> None:
    # others used 1.0 of 2 cores while 2 threads were timed: they waited for cores
    busy = rate(load=1.0)
    assert thread_speed(busy, 1, 2) == pytest.approx(1.25)  # as stored
    assert thread_speed(busy, 1, 2, usable=2.0) is None
    assert thread_speed(rate(load=0.5), 1, 2, usable=2.0) == pytest.approx(1.25)
    found = correction_for(busy, 1, IDLE_TWO)
    assert found is not None and found.threads_speedup is None
    # linear: 2 threads x a whole core each now, against 1 x 2/2 then
    assert found.factor == 0.5


def test_the_per_thread_share_still_applies() -> None:
    # 2 threads beside a load of 2 on 2 cores: each half a core; 1.25 x 0.5 against 1
    loaded = load_factor(
        usable=2, threads_then=1, load_then=0.0, threads_now=2, load_now=2.0, speedup=1.25
    )
    assert loaded == pytest.approx(1 / 0.625)
    linear = load_factor(usable=2, threads_then=1, load_then=0.0, threads_now=2, load_now=2.0)
    assert linear == pytest.approx(1.0)  # as before: 2 x 2/4 against 1


# --- the cache file ----------------------------------------------------------------------


def test_the_cache_round_trips_with_and_without_the_figure(settings: Settings) -> None:
    cal.store(settings, entry(rate()))
    written = json.loads((settings.data_dir / cal.CACHE_NAME).read_text(encoding="utf-8"))
    assert written["entries"][0]["training"][0]["seconds_per_step_by_threads"] == {
        "1": 2.5,
        "2": 2.0,
    }
    (back,) = cal.read_cache(settings).entries[0].training
    assert back.seconds_per_step_by_threads == MEASURED  # int keys again
    old = entry(rate()).model_dump(mode="json")
    del old["training"][0]["seconds_per_step_by_threads"]  # as written before
    (settings.data_dir / cal.CACHE_NAME).write_text(
        json.dumps({"version": 1, "entries": [old]}), encoding="utf-8"
    )
    (before,) = cal.read_cache(settings).entries[0].training
    assert before.seconds_per_step_by_threads is None and before.seconds_per_token == 0.005


# --- the words ---------------------------------------------------------------------------


def test_the_basis_says_measured_or_assumed_in_both_languages() -> None:
    measured = cal.rate_sentence(entry(rate()), rate(), correction_for(rate(), 1, IDLE_TWO))
    assert measured.key == "data.stats_source_loaded_measured"
    assert str(measured).endswith(
        "; x0.8 for a load of 0.0 now against 0.0 when calibrated, "
        "2 threads against 1, measured 1.25x)"
    )
    ja = StoredSentence.of(measured).render("ja")
    assert ja is not None and "2 スレッドの速さは実測 1.25 倍" in ja and "x0.8" in ja
    r = rate(by_threads=None)
    assumed = cal.rate_sentence(entry(r), r, correction_for(r, 1, IDLE_TWO))
    assert str(assumed).endswith("2 threads against 1, assumed 2.00x, not measured)")
    ja = StoredSentence.of(assumed).render("ja")
    assert ja is not None and "未計測のため 2.00 倍と仮定" in ja
    # at the calibration's own count there is no thread figure to name: as before
    same = correction_for(rate(), 1, Conditions(usable=2.0, load=3.0, threads=1))
    assert same is not None
    said = cal.rate_sentence(entry(rate()), rate(), same)
    assert said.key == "data.stats_source_loaded" and str(said).endswith("1 threads against 1)")


@pytest.mark.parametrize("mean", [None, 140.0])
def test_the_plan_basis_words_it_and_reads_it_back(mean: float | None) -> None:
    said = cal.rate_sentence(entry(rate()), rate(), correction_for(rate(), 1, IDLE_TWO))
    basis = plan_basis.training("sft", 12345, said, mean)
    near = "_near" if mean is not None else ""
    assert basis.key == f"bench_report.stored.plan_training{near}_loaded_measured"
    assert str(basis) == f"sft: 12,345 tokens, {said}" + (
        " (nearest measured to 140)" if mean is not None else ""
    )
    ja = StoredSentence.of(basis).render("ja")
    assert ja is not None and "実測 1.25 倍" in ja and "12,345 トークン" in ja
    # a results.json before 1.6 kept the English only: found again by its template
    assert "実測 1.25 倍" in report_i18n.stored(str(basis), "ja")


def test_a_stored_plan_of_the_old_wording_still_renders() -> None:
    old = StoredSentence(
        key="bench_report.stored.plan_training_loaded",
        values={
            "method": "sft", "tokens": "1,000", "date": "2026-11-30", "device": "cpu",
            "threads": 1, "rate": "200", "seq_len": 128, "startup": "20", "factor": "0.5",
            "load_now": "0.0", "load_then": "0.0", "threads_now": 2, "threads_then": 1,
        },
    )  # fmt: skip
    assert str(old.render("en")).endswith("2 threads against 1)")
    english = str(old.render("en"))
    assert report_i18n.stored(english, "ja") == old.render("ja")


# --- what the calibration times ----------------------------------------------------------


@pytest.fixture
def cores(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    state: dict[str, object] = {"cpus": 2, "quota": None}
    monkeypatch.setattr(threads, "affinity_cpus", lambda: state["cpus"])
    monkeypatch.setattr(threads, "cgroup_quota", lambda: state["quota"])
    return state


def test_the_other_thread_count(cores: dict[str, object], settings: Settings) -> None:
    assert calibrate.other_thread_count(settings, 1) == 2
    assert calibrate.other_thread_count(settings, 2) == 1
    cores["cpus"] = 4
    assert calibrate.other_thread_count(settings, 1) == 4
    assert calibrate.other_thread_count(settings, 3) == 1
    cores["quota"] = 2.5  # a quota of 2.5 CPUs: at most 2 whole threads
    assert calibrate.other_thread_count(settings, 1) == 2
    cores["quota"] = 1.5  # fewer than two usable cores: nothing else to time
    assert calibrate.other_thread_count(settings, 1) is None
    cores["quota"], cores["cpus"] = None, 1
    assert calibrate.other_thread_count(settings, 1) is None
    cores["cpus"] = 2
    fixed = settings.model_copy(update={"local": settings.local.model_copy(update={"threads": 2})})
    assert calibrate.other_thread_count(fixed, 2) is None  # local.threads: never another


def test_the_timer_keeps_the_switched_steps_apart() -> None:
    timer = calibrate.StepTimer(switch=(3, 2))
    timer.durations = [9.0, 2.0, 2.2, 5.0, 1.6, 1.8]  # warm-up, 2 timed; warm-up, 2 timed
    timer.cpu = [9.0, 2.0, 2.2, 5.0, 3.0, 3.2]
    assert timer.medians(3) == (pytest.approx(2.1), pytest.approx(2.1), 2)
    assert timer.medians() == timer.medians(3)
    assert timer.switched_median() == pytest.approx(1.7)
    # the cores busy at the switch: no switch, and the steps after it not counted
    busy = calibrate.StepTimer(switch=(3, 2), may_switch=lambda threads: False)
    busy.callback().on_step_begin(None, None, None)  # type: ignore[arg-type]
    busy.durations = [0.0, 0.0, 0.0]
    busy.callback().on_step_begin(None, None, None)  # type: ignore[arg-type]
    assert busy.switch is None and busy.switched_median() is None
    plain = calibrate.StepTimer()
    plain.durations, plain.cpu = [9.0, 2.0, 2.2], [9.0, 2.0, 2.2]
    assert plain.medians()[2] == 2 and plain.switched_median() is None


def test_tune_calibrate_shows_the_other_thread_count_in_both_languages() -> None:
    from advisor import messages
    from advisor.cli.tune import calibration_lines

    measured = calibration_lines(entry(rate({1: 3.0, 2: 2.4})))
    assert "    the same steps at 2 threads: 2.40 s/step, 1.25x the speed at 1" in measured
    alone = calibration_lines(entry(rate(None)))
    assert any(line.startswith("    another thread count: not measured") for line in alone)
    messages.set_lang("ja")  # conftest resets it
    japanese = calibration_lines(entry(rate({1: 3.0, 2: 2.4})))
    said = "    同じステップを 2 スレッドで: 2.40 秒/ステップ、1 スレッドの 1.25 倍の速さ"
    assert said in japanese
