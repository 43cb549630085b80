"""A real calibration times the training steps at both thread counts the policy may pick."""

from __future__ import annotations

import math

import pytest

from advisor import threads
from advisor.app.calibration import CalibrationOptions, calibrate
from advisor.data.contention import thread_speed, usable_cores
from advisor.registry import get_backend

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.timeout(1800)]


def test_calibration_stores_the_speed_of_both_thread_counts(settings, monkeypatch):
    # The steps at the other count are skipped while other processes leave no whole cores
    # (a shared test machine often): the gate reads an idle machine here, the steps are real.
    monkeypatch.setattr(threads, "busy_now", lambda window=0.3: 0.0)
    if usable_cores() < 2:
        pytest.skip(f"{usable_cores():.1f} usable cores: one thread count only, nothing to compare")
    if settings.local.threads:
        pytest.skip("local.threads fixes the count: the policy never picks another")
    import torch

    backend = get_backend("local", settings)
    options = CalibrationOptions(seq_len=64, batch=1, steps=2, generation=False, embedding=False)
    entry = calibrate(settings, backend, options)
    (rate,) = entry.training
    measured = rate.seconds_per_step_by_threads
    assert measured is not None and len(measured) == 2, measured
    assert rate.threads in measured and (1 in measured)
    assert all(math.isfinite(s) and s > 0 for s in measured.values())
    assert measured[rate.threads] == rate.seconds_per_step  # the figure's own steps
    assert torch.get_num_threads() == rate.threads  # restored after the switched steps
    (other,) = set(measured) - {rate.threads}
    speed = thread_speed(rate, rate.threads, other)
    assert speed is not None and speed > 0
    print(
        f"calibrated at {rate.threads} threads: {measured} s a step; {other} threads: {speed:.2f}x"
    )
