"""Stored records keep a catalog sentence as its key and values, rendered when read.

A job's error, the job log's failure event and a failed bench route are said in the
reader's language from their sentence; records written before (only ``message_ja`` /
``error_ja``) and sentences this release cannot say fall back to the stored texts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor import messages
from advisor.app.job_events import event_text
from advisor.bench.report_i18n import route_error, route_status
from advisor.bench.results_io import read_results
from advisor.bench.runner import BenchOptions, run_bench
from advisor.bench.scenario import load_scenario
from advisor.bench.schema import SCHEMA_VERSION, BenchResults, Preparation, RouteResult
from advisor.data.texts import TextFileError, say
from advisor.errors import BackendUnavailableError, DataFileError
from advisor.messages import Localized, StoredSentence, stored_text
from advisor.settings import Settings
from backends.jobs import JobErrorInfo, JobEvent, JobRequest
from backends.local import worker
from backends.local.service import LocalFineTuning
from tests.conftest import FIXTURES
from tests.unit.stored_jobs import running_job
from tests.unit.test_bench_early import Refusing
from tests.unit.test_bench_runner import TINY

EXITED = Localized("core.local.worker_exited", {"job_id": "ftjob-1"})
FAILED = Localized("core.job_event.failed", {"reason": EXITED})
STALE = "古い訳文"  # a Japanese rendered by an earlier release


def _hinted() -> BackendUnavailableError:
    return BackendUnavailableError.from_catalog(
        "core.local.cannot_load_model", hint_key="core.local.cannot_load_model_hint",
        model="'nosuch'",
    )  # fmt: skip


def test_a_sentence_round_trips_through_json_with_its_nested_sentence() -> None:
    stored = StoredSentence.of(FAILED)
    body = stored.model_dump_json()
    assert json.loads(body)["values"]["reason"] == {
        messages.NESTED: {"key": "core.local.worker_exited", "values": {"job_id": "ftjob-1"}}
    }
    again = StoredSentence.model_validate_json(body)
    assert again.sentence() == FAILED
    for lang in messages.LANGS:
        assert again.render(lang) == FAILED.localized(lang)
    assert "学習プロセスが予期せず停止しました" in (again.render("ja") or "")


def test_values_that_are_not_json_scalars_are_stored_as_their_text() -> None:
    marker_lookalike = {messages.NESTED: {"key": "core.local.worker_exited", "values": {}}}
    stored = StoredSentence.of(
        Localized("core.where_line", {"path": Path("/tmp/a.jsonl"), "line": marker_lookalike})
    )
    values = json.loads(stored.model_dump_json())["values"]
    assert values["path"] == "/tmp/a.jsonl"
    # A user's object is text, never read back as a sentence of ours.
    assert isinstance(values["line"], str)
    assert isinstance(stored.sentence().values["line"], str)


def test_a_sentence_this_release_cannot_say_falls_back_without_raising() -> None:
    unknown = StoredSentence(key="core.no_such_sentence", values={"x": 1})
    renamed = StoredSentence(key="core.local.worker_exited", values={"job": "ftjob-1"})
    nested_unknown = StoredSentence.of(Localized("core.job_event.failed", {"reason": unknown}))
    for stored in (unknown, renamed, nested_unknown):
        assert stored.render("ja") is None
        assert stored_text(stored, "the English", None, "ja") == "the English"
        assert stored_text(stored, "the English", "日本語", "ja") == "日本語"
    assert stored_text(None, "the English", "日本語", "en") == "the English"


def test_an_error_stored_with_its_hint_and_place_reads_as_it_was_raised() -> None:
    hinted = _hinted()
    placed = DataFileError.from_catalog(
        "core.local.cannot_load_model", path="train.jsonl", line=3, model="m"
    )
    for error in (hinted, placed):
        stored = error.stored_sentence()
        assert stored is not None
        again = StoredSentence.model_validate_json(stored.model_dump_json())
        assert again.render("ja") == error.localized("ja")
    assert BackendUnavailableError("a plugin's own words").stored_sentence() is None


def test_a_job_error_reads_from_its_sentence_before_its_stored_japanese() -> None:
    error = _hinted()
    info = JobErrorInfo.of("invalid_request", error).model_copy(update={"message_ja": STALE})
    again = JobErrorInfo.model_validate_json(info.model_dump_json())
    assert again.localized("ja") == error.localized("ja") != STALE
    assert again.localized("en") == str(error)
    said = JobErrorInfo.said("worker_exited", "core.local.worker_exited", job_id="ftjob-1")
    assert said.sentence is not None and said.localized("ja") == EXITED.localized("ja")


def test_a_job_error_stored_before_the_sentence_still_reads_in_japanese() -> None:
    old = JobErrorInfo.model_validate_json('{"code": "x", "message": "m", "message_ja": "旧"}')
    assert old.sentence is None and old.localized("ja") == "旧" and old.localized("en") == "m"


def test_the_failure_event_stores_the_errors_sentence_nested_in_its_own() -> None:
    store, _ = running_job("ftjob-sent01")
    error = _hinted()
    worker._fail(store, "ftjob-sent01", error)
    event = store.events("ftjob-sent01")[-1]
    assert event.sentence is not None and event.sentence.key == "core.job_event.failed"
    stale = event.model_copy(update={"message_ja": STALE})
    expected = messages.text("core.job_event.failed", "ja", reason=error.localized("ja"))
    assert event_text(stale, "ja") == expected
    assert event_text(stale, "en") == f"Training failed: {error}"
    assert store.get_job("ftjob-sent01").error.sentence is not None  # type: ignore[union-attr]


def test_an_event_stored_before_the_sentence_reads_its_stored_japanese() -> None:
    old = JobEvent(id="ftevent-1", message="Training failed: x", message_ja="学習に失敗: 旧")
    assert event_text(old, "ja") == "学習に失敗: 旧"


def _route(**fields: object) -> RouteResult:
    return RouteResult.model_validate(
        {"route": "sft", "backend": "fake", "model": "m", "status": "failed",
         "preparation": Preparation(kind="none"), **fields}
    )  # fmt: skip


def test_a_failed_route_reads_from_its_sentence_before_its_stored_japanese() -> None:
    error = _hinted()
    route = _route(error=str(error), error_ja=STALE, error_sentence=error.stored_sentence())
    again = RouteResult.model_validate_json(route.model_dump_json())
    assert route_error(again, "ja") == error.localized("ja") != STALE
    assert route_error(again, "en") == str(error)
    assert route_status(_route(error="e", error_ja="旧"), "ja").endswith("旧")  # a 1.3 route


def test_the_bench_stores_a_failed_routes_sentence(settings: Settings) -> None:
    options = BenchOptions(routes=["sft"], repeats=1)
    results = run_bench(load_scenario(TINY), Refusing(settings), settings, options)
    failed = results.routes["sft"]  # its job is refused with a catalog error
    assert failed.status == "failed" and failed.error_sentence is not None
    assert failed.error_sentence.render("ja") == failed.error_ja
    assert results.schema_version == SCHEMA_VERSION == "1.6"


def test_a_results_file_of_schema_1_3_still_reads(tmp_path: Path) -> None:
    route = _route(error="every request failed (x)", error_ja="すべて失敗（x）")
    body = json.loads(route.model_dump_json())
    del body["error_sentence"]
    data = json.loads((FIXTURES / "bench" / "report" / "results.json").read_text("utf-8"))
    data["schema_version"] = "1.3"
    data["routes"]["sft"] = body
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    results: BenchResults = read_results(path)
    old = results.routes["sft"]
    assert old.error_sentence is None and route_error(old, "ja") == "すべて失敗（x）"


def test_a_job_failed_at_validation_reads_from_its_sentences(settings: Settings) -> None:
    service = LocalFineTuning(settings, wait_for_stop_s=2)
    request = JobRequest(method="sft", training_file=str(FIXTURES / "jobs" / "sft_invalid.jsonl"))
    with pytest.raises(DataFileError):
        service.create(request)
    [job] = service.list()
    assert job.error is not None and job.error.sentence is not None
    expected = "sft_invalid.jsonl: JSON として読めません: unexpected end of data（エラー 3 件）"
    stale = job.error.model_copy(update={"message_ja": STALE})
    assert stale.localized("ja") == expected
    events = [e for e in service.events(job.id) if e.sentence is not None]
    line3 = "sft_invalid.jsonl, line 3: the example has no assistant message to learn"
    [event] = [e for e in events if e.message == line3]
    assert event_text(event.model_copy(update={"message_ja": STALE}), "ja") == (
        "sft_invalid.jsonl の 3 行目: 学習するアシスタントのメッセージがありません"
    )


def test_a_data_text_is_stored_by_its_key_in_the_data_catalog() -> None:
    said = say("too_few_examples", examples=2, minimum=10)
    stored = said.stored_sentence()
    assert stored.key == messages.DATA_TEXTS + "too_few_examples"
    assert stored.render("ja") == said.render("ja")
    error = TextFileError(said, path="t.jsonl", line=4)
    assert error.stored_sentence().render("ja") == error.localized("ja")
    whole = TextFileError(said, path="t.jsonl")
    assert whole.stored_sentence().render("ja") == whole.localized("ja")


def test_a_quoted_error_not_from_the_catalog_is_stored_as_its_text() -> None:
    quoted = Localized("core.job_event.failed", {"reason": RuntimeError("disk full")})
    stored = StoredSentence.of(quoted)
    assert stored.values == {"reason": "disk full"}
    nested = Localized("core.job_event.failed", {"reason": _hinted()})
    assert StoredSentence.of(nested).render("ja") == nested.localized("ja")
