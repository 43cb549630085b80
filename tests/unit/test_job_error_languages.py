"""A job's stored error reads in the language of whoever reads it later (CLI and wizard)."""

from __future__ import annotations

import pytest

from advisor.errors import BackendUnavailableError
from backends.jobs import JobErrorInfo
from backends.local import worker
from tests.cli.bilingual import run
from tests.unit.stored_jobs import running_job


def test_a_catalog_error_is_stored_in_both_languages() -> None:
    error = BackendUnavailableError.from_catalog(
        "core.local.cannot_load_model", hint_key="core.local.cannot_load_model_hint",
        model="'nosuch'",
    )  # fmt: skip
    stored = JobErrorInfo.of("invalid_request", error)
    assert stored.message == str(error) and stored.localized("en") == str(error)
    assert stored.localized("ja") == error.localized("ja") != str(error)


def test_an_error_stored_before_the_japanese_was_kept_reads_as_written() -> None:
    old = JobErrorInfo.model_validate_json('{"code": "x", "message": "disk full"}')
    assert old.message_ja is None and old.localized("ja") == "disk full"
    library = JobErrorInfo.of("x", BackendUnavailableError("a plugin's own words"))
    assert library.message_ja is None and library.localized("ja") == "a plugin's own words"


def test_an_interrupted_worker_stores_both_languages_and_keeps_its_english() -> None:
    store, _ = running_job("ftjob-lang01")
    worker._fail(store, "ftjob-lang01", KeyboardInterrupt())
    error = store.get_job("ftjob-lang01").error
    assert error is not None and error.code == "interrupted"
    assert error.message == "the training process was interrupted"
    assert error.localized("ja") == "学習プロセスが中断されました"


def test_jobs_show_prints_the_stored_error_in_the_readers_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    store, job = running_job("ftjob-lang02")
    job.status = "failed"
    job.error = JobErrorInfo.said("worker_exited", "core.local.worker_exited", job_id=job.id)
    store.save_job(job)
    code, out, _ = run(capsys, "jobs", "show", job.id)
    assert code == 0
    assert "the training process stopped unexpectedly; continue with" in out
    code, out, _ = run(capsys, "--lang", "ja", "jobs", "show", job.id)
    assert code == 0 and "学習プロセスが予期せず停止しました" in out
    assert "stopped unexpectedly" not in out
