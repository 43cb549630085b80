"""A real calibration of the embedded model through the local trainer (one tiny step)."""

from __future__ import annotations

import math
import warnings

import pytest

from advisor.app.calibration import CalibrationOptions, calibrate
from advisor.data import calibration as cal
from advisor.data.stats import compute_stats
from advisor.registry import get_backend
from tests.conftest import FIXTURES

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.timeout(1800)]


def test_calibration_through_the_trainer_is_cached_and_estimates(settings, capfd):
    backend = get_backend("local", settings)
    assert cal.cached_calibration(settings) is None
    options = CalibrationOptions(seq_len=16, batch=1, steps=1, generation=False, embedding=False)
    with warnings.catch_warnings(record=True) as caught:
        # pytest collects warnings itself, so stderr alone would never show one here.
        warnings.simplefilter("always")
        entry = calibrate(settings, backend, options)
    # Neither the trainer's loss lines nor transformers' deprecation notices reach the user.
    out, err = capfd.readouterr()
    assert "'loss'" not in out + err and "FutureWarning" not in err
    assert not [w for w in caught if "checkpointing" in str(w.message)]

    assert (settings.data_dir / cal.CACHE_NAME).is_file()
    assert cal.cached_calibration(settings) == entry
    assert entry.machine == cal.machine_key() and entry.model == settings.local.model
    (rate,) = entry.training
    assert rate.seq_len == 64  # 16 rounds up to the smallest bucket
    assert rate.steps == 1 and rate.batch == 1
    assert math.isfinite(rate.seconds_per_token) and rate.seconds_per_token > 0
    assert rate.startup_seconds > 0
    # The second, prompt-heavy shape ran: the labelled share of the first and the ratio.
    assert rate.labelled_share is not None and 0 < rate.labelled_share <= 1
    assert rate.labelled_cost_ratio is not None and rate.labelled_cost_ratio >= 0

    stats = compute_stats(FIXTURES / "jobs" / "sft_small.jsonl", "sft", settings=settings)
    seconds = stats.local.estimated_training_seconds
    assert stats.local.calibrated and seconds is not None
    assert math.isfinite(seconds) and seconds > 0
