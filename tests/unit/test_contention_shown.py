"""The load correction where estimates are shown: the bench plan (both languages),
`data stats`, the local `tune create` preview, the estimate stored with a job, and the
load a calibration records.  The machine's load is faked (tests/unit/test_contention.py).
"""

from __future__ import annotations

import pytest

from advisor.bench.plan import plan_bench, render_plan
from advisor.bench.runner import BenchOptions
from advisor.bench.scenario import load_scenario
from advisor.data import calibration as cal
from advisor.settings import Settings
from tests.jobs_fixture import make_job
from tests.unit.test_bench_plan import TINY, Calibrating, CalibratingTuning, LocalLike
from tests.unit.test_contention import DATA, entry, machine, rate

__all__ = ["machine"]  # the fixture, imported for these tests

LOADED_EN = "x2.0 for a load of 3.0 now against 0.4 when calibrated, 1 threads against 1"
LOADED_JA = "現在の負荷 3.0・1 スレッド（較正時 0.4・1 スレッド）に合わせて x2.0"


def test_plan_carries_the_correction_in_both_languages(
    machine: dict[str, float], settings: Settings
) -> None:
    scenario = load_scenario(TINY)
    backend = LocalLike(settings)
    options = BenchOptions(routes=["sft"], repeats=1)
    cal.store(settings, entry(rate(load=0.4, threads_=1), model=backend.default_model))

    machine["load"] = 1.0  # the policy's one thread gets a whole core, as when calibrated
    quiet = plan_bench(scenario, backend, settings, options).routes[0]
    machine["load"] = 3.0  # half a core now against a whole one
    loaded = plan_bench(scenario, backend, settings, options)
    sft = loaded.routes[0]
    assert quiet.preparation_seconds is not None and sft.preparation_seconds is not None
    assert "load" not in quiet.preparation_basis and LOADED_EN in sft.preparation_basis
    # 30 s start-up as measured, the steps twice as long
    steps = quiet.preparation_seconds - 30.0
    assert sft.preparation_seconds == pytest.approx(30.0 + 2 * steps, abs=0.2)
    english, japanese = render_plan(loaded), render_plan(loaded, "ja")
    assert any(LOADED_EN in line for line in english), english
    line = next(line for line in japanese if line.startswith("  sft: "))
    assert LOADED_JA in line and "load" not in line and "calibrated" not in line, line


def test_data_stats_text_carries_the_correction(
    machine: dict[str, float], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from advisor.cli.app import main

    cal.store(settings, entry(rate(load=0.4, threads_=1), model=settings.local.model))
    machine["load"] = 3.0
    path = str(DATA / "sft_valid_tools.jsonl")
    for lang, wanted in (("en", LOADED_EN), ("ja", LOADED_JA)):
        with pytest.raises(SystemExit) as done:
            main(["--lang", lang, "data", "stats", path, "--method", "sft"])
        out = capsys.readouterr().out
        assert not done.value.code and wanted in out, out
    assert "calibrated on this machine" not in out  # the Japanese run's source is Japanese


def test_local_preview_and_the_job_record_the_correction(
    machine: dict[str, float], settings: Settings
) -> None:
    from advisor.app.jobs import job_details, timing_line
    from backends.jobs import JobRequest
    from backends.local.service import LocalFineTuning

    cal.store(settings, entry(rate(load=0.4, threads_=1), model=settings.local.model))
    machine["load"] = 3.0
    request = JobRequest(method="sft", training_file=str(DATA / "sft_valid_tools.jsonl"))
    preview = LocalFineTuning(settings).preview(request)
    assert preview is not None and preview.load_factor == 2.0
    assert any(LOADED_EN in note for note in preview.notes), preview.notes
    metadata = preview.estimate_metadata()
    assert metadata["estimate_load_factor"] == "2.00"
    job = make_job(
        id="ftjob-x", status="succeeded", created_at=0.0, finished_at=120.0, metadata=metadata
    )
    assert job_details(job).estimate_load_factor == 2.0
    line = timing_line(job)
    assert line is not None and "(calibrated, x2.0 for the load), actual 2 min" in line, line
    assert timing_line(job, "ja") == "見積もり 2.3 分（較正済み、負荷で x2.0）、実際 2 分"


def test_a_calibration_records_the_load_before_it_measured(
    machine: dict[str, float], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.app.calibration import CalibrationOptions, calibrate

    machine["load"] = 1.3
    monkeypatch.setattr(CalibratingTuning, "calibrations", 0)
    options = CalibrationOptions(generation=False, embedding=False, seq_len=64)
    found = calibrate(settings, Calibrating(settings), options)
    assert found.training[0].load == 1.3 and found.training[0].threads == 1


def test_tune_calibrate_shows_the_load_it_measured_under(
    machine: dict[str, float], capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    import json

    from advisor.cli.app import main

    machine["load"] = 2.5
    args = ["tune", "calibrate", "--backend", "fake", "--no-indexing", "--no-answers"]
    for extra in (["--format", "json"], []):
        with pytest.raises(SystemExit) as done:
            main([*args, *extra])
        assert not done.value.code
    entry = cal.read_cache(settings).entries[0]
    assert entry.training[0].load == 2.5
    out = capsys.readouterr().out
    assert json.loads(out.split("\n}\n")[0] + "\n}")["training"][0]["load"] == 2.5
    assert "tokens/s (+ 1 s start-up), under a load of 2.5 from other processes" in out, out
