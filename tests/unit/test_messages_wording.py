"""Wording every layer shares: the catalog's word or the value as written."""

from __future__ import annotations

import pytest

from advisor.messages import text_or_raw


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
        ("calibrated", "ja", "見積もり 2 分（較正済み）、実際 10 分"),
        ("measured_twice", "ja", "見積もり 2 分（measured_twice）、実際 10 分"),
        ("measured_twice", "en", "estimated 2 min (measured_twice), actual 10 min"),
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
