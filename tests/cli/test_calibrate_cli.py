"""``tune calibrate``, ``tune create --no-calibrate`` and the timing keys of ``jobs show``.

On the fake backend, whose calibration is simulated (instant, no model).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from advisor.cli.app import main
from advisor.data.calibration import CACHE_NAME, read_cache
from advisor.settings import Settings
from backends.fake_jobs import FakeFineTuning
from tests.conftest import FIXTURES

TRAIN = FIXTURES / "jobs" / "sft_small.jsonl"


@pytest.fixture(autouse=True)
def fresh_fake_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from advisor.cli import context

    # The suite turns automatic calibration off (tests/conftest.py); these tests are about it.
    monkeypatch.setenv("ADVISOR_LOCAL__AUTO_CALIBRATE", "true")
    context.settings.cache_clear()
    FakeFineTuning.reset()
    yield
    FakeFineTuning.reset()


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def create(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    return invoke(
        capsys,
        *("tune", "create", "--method", "sft", "--train", str(TRAIN), "--backend", "fake"),
        *("--yes", *extra),
    )


def test_no_calibrate_skips_the_measurement(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    code, _, err = create(capsys, "--no-calibrate", "--format", "json")
    assert code == 0, err
    assert not (settings.data_dir / CACHE_NAME).exists()

    code, _, err = create(capsys, "--format", "json")
    assert code == 0, err
    (entry,) = read_cache(settings).entries  # measured once, the first time
    assert entry.model == "fake-model" and entry.training[0].seq_len >= 64
    code, _, err = create(capsys)
    assert code == 0 and "Calibrating" not in err  # cached: not measured again


def test_jobs_show_puts_the_estimate_next_to_the_actual_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = create(capsys, "--no-calibrate", "--format", "json")
    job = json.loads(out)
    assert job["metadata"]["estimated_seconds"] == "0.0"  # recorded at submission
    assert job["metadata"]["estimate_basis"] == "simulated"

    code, out, err = invoke(capsys, "jobs", "show", job["id"], "--format", "json")
    shown = json.loads(out)
    assert code == 0, err
    assert {k: shown[k] for k in ("id", "status", "metadata")} == {
        k: job[k] for k in ("id", "status", "metadata")
    }  # the job's own keys are unchanged
    assert shown["estimated_seconds"] == 0.0 and shown["estimate_basis"] == "simulated"
    assert shown["actual_seconds"] is not None and shown["actual_seconds"] >= 0
    assert shown["actual_over_estimate"] is None  # nothing to divide by

    code, out, err = invoke(capsys, "jobs", "show", job["id"])
    assert "time estimated 0 s (simulated), actual" in out


def test_tune_calibrate_prints_and_caches(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    code, out, err = invoke(
        capsys,
        *("tune", "calibrate", "--backend", "fake", "--seq-len", "100", "--no-indexing"),
        *("--format", "json"),
    )
    assert code == 0, err
    entry = json.loads(out)
    assert entry["training"][0]["seq_len"] == 128  # rounded up to the bucket
    assert entry["generation"]["tokens_per_second"] > 0 and entry["embedding"] is None
    assert entry["generations"] == [entry["generation"]]  # one per engine; torch's by default
    assert entry["generation"]["engine"] == "torch"
    assert read_cache(settings).entries[0].model == "fake-model"

    code, out, err = invoke(capsys, "tune", "calibrate", "--backend", "fake", "--no-indexing")
    assert code == 0 and "training at 256 tokens/example" in out and CACHE_NAME in out
    assert "answering (torch): " in out
    assert "[1/3] answering" in err  # progress on stderr


def test_tune_calibrate_refuses_a_remote_backend(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke(capsys, "tune", "calibrate", "--backend", "openai")
    assert code == 2
    assert "does not train on this machine" in err and "Traceback" not in err


def test_a_failed_calibration_never_stops_the_job(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    from advisor.errors import BackendUnavailableError

    def broken(self: FakeFineTuning, **kwargs: object) -> None:
        raise BackendUnavailableError("the model files are missing")

    monkeypatch.setattr(FakeFineTuning, "calibrate", broken)
    code, out, err = create(capsys)
    assert code == 0, err
    assert "Calibration failed (the model files are missing" in err and "Created ftjob" in out
    assert not (settings.data_dir / CACHE_NAME).exists()


def test_measure_throughput_measures_even_with_automatic_calibration_off(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.app import calibration
    from advisor.cli import context

    monkeypatch.setenv("ADVISOR_LOCAL__AUTO_CALIBRATE", "false")
    context.settings.cache_clear()
    asked: list[object] = []
    monkeypatch.setattr(calibration, "calibrate", lambda *a, **k: asked.append(a) or None)
    code, _, err = invoke(capsys, "data", "stats", str(TRAIN), "-m", "sft", "--measure-throughput")
    assert code == 0, err
    assert len(asked) == 1  # asked for: measured, whatever the automatic setting says
