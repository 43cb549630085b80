"""Wording every layer shares: one rule for durations (a job's, a data estimate's, the bench
plan's, which used to switch to minutes at different points) and the catalog's word or the
value as written."""

from __future__ import annotations

import pytest

from advisor import messages
from advisor.messages import duration_range_text, duration_text, text_or_raw


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0 s"),
        (100, "100 s"),  # the plan said "1.7 min"
        (119, "119 s"),
        (120, "2 min"),  # not "2.0 min"
        (150, "2.5 min"),  # a job said "2 min"
        (594, "9.9 min"),
        (600, "10 min"),
        (858, "14 min"),  # the plan said "14.3 min": the tenth no longer matters
        (5400, "90 min"),
        (7200, "2 h"),  # a job said "2.0 h", the plan "120.0 min"
        (9000, "2.5 h"),
        (44280, "12 h"),
        (None, "unknown"),
    ],
)
def test_duration_text(seconds: float | None, shown: str) -> None:
    assert duration_text(seconds, "en") == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(100, "100 秒"), (150, "2.5 分"), (5400, "90 分"), (7200, "2 時間"), (None, "不明")],
)
def test_duration_text_in_japanese(seconds: float | None, shown: str) -> None:
    assert duration_text(seconds, "ja") == shown


@pytest.mark.parametrize(
    ("low", "high", "en", "ja"),
    [
        (540, 840, "9-14 min", "9〜14 分"),  # was "9.0-14.0 min"
        (5, 60, "5-60 s", "5〜60 秒"),
        (100, 110, "100-110 s", "100〜110 秒"),  # was "1.7-1.8 min"
        (60, 150, "1-2.5 min", "1〜2.5 分"),  # one unit, the top's: not "60 s-2.5 min"
        (5, 150, "0.1-2.5 min", "0.1〜2.5 分"),
        (3600, 9000, "1-2.5 h", "1〜2.5 時間"),  # was "60.0-150.0 min"
        (30, 30.2, "30 s", "30 秒"),  # the same as shown: one figure
        (100, None, "100 s", "100 秒"),  # a plan stored without the range's top
        (None, None, "unknown", "不明"),
    ],
)
def test_duration_range_text(low: float | None, high: float | None, en: str, ja: str) -> None:
    assert duration_range_text(low, high, "en") == en
    assert duration_range_text(low, high, "ja") == ja


def test_the_duration_keys_are_in_both_languages_with_their_placeholders() -> None:
    catalog = messages.catalog()
    for unit in ("seconds", "minutes", "hours"):
        assert messages.placeholders(catalog[f"core.duration.{unit}"].ja) == {"n"}
        assert messages.placeholders(catalog[f"core.duration.{unit}_range"].ja) == {"low", "high"}
    assert not [key for key in catalog if key.startswith("bench.duration")], "a second rule"


def test_text_or_raw_gives_the_catalogs_word_else_the_value_as_written() -> None:
    assert text_or_raw("core.job_status.", "succeeded", "ja") == "成功"
    assert text_or_raw("core.jobs.basis.", "calibrated", "ja") == "較正済み"
    assert text_or_raw("core.jobs.basis.", "calibrated", "en") == "calibrated"
    # a word a service or a newer release stored: shown, not a KeyError
    assert text_or_raw("core.job_status.", "new_in_2027", "ja") == "new_in_2027"
    assert text_or_raw("core.jobs.basis.", "measured_twice", "ja") == "measured_twice"


@pytest.mark.parametrize(
    ("basis", "lang", "shown"),
    [
        ("calibrated", "ja", "見積もり 2.5 分（較正済み）、実際 10 分"),
        ("measured_twice", "ja", "見積もり 2.5 分（measured_twice）、実際 10 分"),
        ("measured_twice", "en", "estimated 2.5 min (measured_twice), actual 10 min"),
    ],
)
def test_a_jobs_timing_line_says_its_basis_or_the_basis_as_stored(
    basis: str, lang: str, shown: str
) -> None:
    from advisor.app.jobs import timing_line
    from backends.jobs import ESTIMATE_BASIS_KEY, ESTIMATED_SECONDS_KEY, FineTuneJob

    job = FineTuneJob(
        id="ftjob-x",
        backend="local",
        method="sft",
        model="m",
        status="succeeded",
        created_at=0.0,
        finished_at=600.0,
        training_file="t.jsonl",
        metadata={ESTIMATED_SECONDS_KEY: "150", ESTIMATE_BASIS_KEY: basis},
    )
    assert timing_line(job, lang) == shown
