"""The plan says when a job trains on this machine beside the other routes' answering.

Training starts before any route answers (advisor/bench/early.py), so on a local backend
the job shares the cores with the routes that answer meanwhile; the per-phase estimates
price each phase alone. Run G (docs/benchmarks.md) measured the gap: a base route answered
in 2 min 24 s against 23-54 s planned while the sft job trained beside it.
"""

from __future__ import annotations

import pytest

from advisor.bench.plan import plan_bench, render_plan
from advisor.bench.report_notes import plan_notes
from advisor.bench.runner import BenchOptions, run_bench
from advisor.bench.scenario import load_scenario
from advisor.settings import Settings
from backends.fake import FakeBackend
from tests.unit.test_bench_plan import TINY, LocalLike, store_calibration
from tests.unit.test_bench_runner import InstantTuning

BESIDE_EN = "shares this machine's cores with the other routes' answering"
BESIDE_JA = "コアを分け合います"


@pytest.fixture
def fresh_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(InstantTuning, "created", 0)  # restored after: other tests count jobs


@pytest.mark.usefixtures("fresh_jobs")
def test_a_local_job_beside_another_route_is_said_in_both_languages(settings: Settings) -> None:
    scenario, backend = load_scenario(TINY), LocalLike(settings)
    store_calibration(settings, backend.default_model)
    options = BenchOptions(routes=["system_prompt", "sft"], repeats=1)
    plan = plan_bench(scenario, backend, settings, options)
    assert plan.training_beside_answering
    english, japanese = render_plan(plan), render_plan(plan, "ja")
    assert english[-1].strip().startswith("training starts first") and BESIDE_EN in english[-1]
    assert BESIDE_JA in japanese[-1] and "training" not in japanese[-1]
    # the total line comes first: the note qualifies it
    assert "total" in english[-2] and "合計" in japanese[-2]


@pytest.mark.usefixtures("fresh_jobs")
def test_nothing_is_said_when_nothing_trains_beside_answering(settings: Settings) -> None:
    scenario, backend = load_scenario(TINY), LocalLike(settings)
    store_calibration(settings, backend.default_model)
    alone = plan_bench(scenario, backend, settings, BenchOptions(routes=["sft"], repeats=1))
    assert not alone.training_beside_answering  # no other route answers meanwhile
    no_training = BenchOptions(routes=["system_prompt", "rag"], repeats=1)
    assert not plan_bench(scenario, backend, settings, no_training).training_beside_answering
    # once the job has run, the bench reuses it: nothing trains
    run_bench(scenario, backend, settings, BenchOptions(routes=["sft"], repeats=1))
    both = BenchOptions(routes=["system_prompt", "sft"], repeats=1)
    reused = plan_bench(scenario, backend, settings, both)
    assert not reused.training_beside_answering
    assert not any(BESIDE_EN in line for line in render_plan(reused))


def test_a_simulated_or_remote_job_shares_no_cores(settings: Settings) -> None:
    scenario = load_scenario(TINY)
    options = BenchOptions(routes=["system_prompt", "sft"], repeats=1)
    # the fake backend simulates training; a remote one trains on the provider's machines
    assert not plan_bench(
        scenario, FakeBackend(settings), settings, options
    ).training_beside_answering


@pytest.mark.usefixtures("fresh_jobs")
def test_the_report_notes_it_and_an_older_plan_reads_as_not_said(settings: Settings) -> None:
    scenario, backend = load_scenario(TINY), LocalLike(settings)
    store_calibration(settings, backend.default_model)
    options = BenchOptions(routes=["system_prompt", "sft"], repeats=1)
    results = run_bench(scenario, backend, settings, options)
    results.plan = plan_bench(scenario, backend, settings, options)
    assert results.plan.training_beside_answering is False  # the job ran: now reused
    results.plan.training_beside_answering = True  # as the plan printed before the run
    english, japanese = plan_notes(results), plan_notes(results, "ja")
    assert len(english) == 2 and "while other routes answered" in english[1]
    assert "コアの共有" in japanese[1]
    # a results.json from 1.4 has no such field: it loads as not said
    older = results.model_dump(mode="json")
    del older["plan"]["training_beside_answering"]
    loaded = type(results).model_validate(older)
    assert loaded.plan is not None and not loaded.plan.training_beside_answering
    assert len(plan_notes(loaded)) == 1
