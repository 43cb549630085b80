"""The plan's bases stored as catalog sentences (results.json 1.6).

Each part of a basis is kept as its sentence beside the English basis, so a reader
says it in Japanese from the sentence, whatever the English reads; a file written
before 1.6 (no sentences) is still read by finding its English again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.bench import plan_basis
from advisor.bench.plan import plan_bench, render_plan
from advisor.bench.report_i18n import basis_parts
from advisor.bench.results_io import read_results
from advisor.bench.runner import BenchOptions
from advisor.bench.scenario import load_scenario
from advisor.bench.schema import BenchPlan, BenchResults, RoutePlan
from advisor.data import calibration as cal
from advisor.data.contention import LoadCorrection
from advisor.messages import StoredSentence
from advisor.settings import Settings
from tests.conftest import FIXTURES
from tests.unit.test_bench_plan import TINY, LocalLike, store_calibration
from tests.unit.test_bench_plan_language import ENGLISH_BASES

ROUTES = ["system_prompt", "sft", "rag", "sft+rag", "dpo"]


@pytest.fixture
def plan(settings: Settings) -> BenchPlan:
    """A measured plan: training, indexing (two parts for sft+rag), answers and prompts."""
    backend = LocalLike(settings)
    store_calibration(settings, backend.default_model)
    options = BenchOptions(routes=ROUTES, repeats=2)
    return plan_bench(load_scenario(TINY), backend, settings, options)


def _running(plan: BenchPlan) -> list[RoutePlan]:
    return [r for r in plan.routes if r.runs]


def _english_rewritten(plan: BenchPlan) -> BenchPlan:
    """The plan as a release that words its English otherwise would store it."""
    routes = [
        r.model_copy(
            update={
                "preparation_basis": "; ".join(
                    f"prepared {i}" for i, _ in enumerate(r.preparation_basis_sentences)
                ),
                "answer_basis": "; ".join(
                    f"answered {i}" for i, _ in enumerate(r.answer_basis_sentences)
                ),
            }
        )
        for r in plan.routes
    ]
    return plan.model_copy(update={"routes": routes})


def _without_sentences(plan: BenchPlan) -> BenchPlan:
    """The plan as results.json 1.5 stored it: the English bases only."""
    body = json.loads(plan.model_dump_json())
    for route in body["routes"]:
        del route["preparation_basis_sentences"], route["answer_basis_sentences"]
    return BenchPlan.model_validate(body)


def test_every_basis_is_stored_as_its_sentences(plan: BenchPlan) -> None:
    both = next(r for r in plan.routes if r.route == "sft+rag")
    assert len(both.preparation_basis_sentences) == 2  # the training step, then indexing
    assert [s.key for s in both.preparation_basis_sentences] == [
        "bench_report.stored.plan_training",
        "bench_report.stored.plan_indexing",
    ]
    for route in _running(plan):
        for english, sentences in (
            (route.preparation_basis, route.preparation_basis_sentences),
            (route.answer_basis, route.answer_basis_sentences),
        ):
            assert sentences, route
            assert "; ".join(str(s.render("en")) for s in sentences) == english
    skipped = next(r for r in plan.routes if not r.runs)  # dpo: no training file
    assert skipped.preparation_basis == "skipped"
    assert [s.render("ja") for s in skipped.preparation_basis_sentences] == ["スキップ"]


def test_the_japanese_plan_reads_from_the_sentences_whatever_the_english(
    plan: BenchPlan,
) -> None:
    japanese = render_plan(plan, "ja")
    rewritten = _english_rewritten(plan)
    assert render_plan(rewritten, "ja") == japanese
    assert not any(ENGLISH_BASES.search(line) for line in japanese[3:]), japanese
    # Without the sentences the rewritten English is found by no template: it stays.
    old = render_plan(_without_sentences(rewritten), "ja")
    assert any("prepared 0" in line for line in old), old
    # English is the record's own, never rendered.
    assert any("[prepared 0; prepared 1]" in line for line in render_plan(rewritten)), rewritten


def test_a_plan_stored_before_the_sentences_still_reads_in_japanese(plan: BenchPlan) -> None:
    old = _without_sentences(plan)
    assert all(not r.preparation_basis_sentences for r in old.routes)
    assert render_plan(old, "ja") == render_plan(plan, "ja")
    assert render_plan(old) == render_plan(plan)


def test_a_results_file_of_schema_1_5_reads_its_plan_in_japanese(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "bench" / "report" / "results.json").read_text("utf-8"))
    data["schema_version"] = "1.5"
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    results: BenchResults = read_results(path)
    assert results.plan is not None
    lines = render_plan(results.plan, "ja")
    rag = next(line for line in lines if line.startswith("  rag: "))
    assert "[fake バックエンドによる模擬]" in rag, rag
    english = render_plan(results.plan)
    assert "[simulated by the fake backend]" in next(x for x in english if x.startswith("  rag: "))


def test_the_sentences_round_trip_through_results_json(plan: BenchPlan) -> None:
    again = BenchPlan.model_validate_json(plan.model_dump_json())
    assert again == plan
    assert render_plan(again, "ja") == render_plan(plan, "ja")
    body = json.loads(plan.model_dump_json())
    sft = next(r for r in body["routes"] if r["route"] == "sft")
    assert sft["preparation_basis_sentences"][0]["key"] == "bench_report.stored.plan_training"
    assert sft["preparation_basis_sentences"][0]["values"]["tokens"].replace(",", "").isdigit()


def test_a_sentence_this_release_cannot_say_stands_as_its_english_part() -> None:
    unknown = StoredSentence(key="bench_report.stored.plan_from_the_future", values={"x": 1})
    indexing = StoredSentence.of(plan_basis.indexing(3, 1.0))
    english = "sft: something new (a; b); indexing about 3 chunks at 1.0 chunks/s (calibrated)"
    assert basis_parts(english, [unknown, indexing], "ja") == (
        "sft: something new (a; b); 約 3 チャンクの索引付け、毎秒 1.0 チャンク（較正済み）"
    )
    # The parts do not line up with the English: the English is found again as a whole.
    assert basis_parts("indexing about 3 chunks at 1.0 chunks/s (calibrated)", [unknown], "ja") == (
        "約 3 チャンクの索引付け、毎秒 1.0 チャンク（較正済み）"
    )
    assert basis_parts(english, [unknown, indexing], "en") == english


@pytest.mark.parametrize("loaded", [False, True])
@pytest.mark.parametrize("mean", [None, 61.4])
def test_a_training_basis_words_as_before(loaded: bool, mean: float | None) -> None:
    rate = cal.TrainingRate(
        seq_len=64, batch=4, steps=3, seconds_per_step=2.56, seconds_per_token=0.01,
        startup_seconds=5.0,
    )  # fmt: skip
    found = cal.Calibration(
        machine=cal.machine_key(), model="x", device="cpu", dtype="float32", threads=2,
        measured_at="2026-11-30T00:00:00Z", training=[rate],
    )  # fmt: skip
    correction = (
        LoadCorrection(factor=2.0, load_now=3.0, load_then=0.4, threads_now=1, threads_then=2)
        if loaded
        else None
    )
    near = "" if mean is None else f" (nearest measured to {mean:.0f})"
    before = f"sft: {12345:,} tokens, {cal.describe_rate(found, rate, correction)}{near}"
    sentence = plan_basis.training("sft", 12345, cal.rate_sentence(found, rate, correction), mean)
    assert str(sentence) == before
    japanese = StoredSentence.of(sentence).render("ja")
    assert japanese is not None and "12,345 トークン" in japanese
    assert ("に最も近い計測値" in japanese) == (mean is not None)
    assert ("現在の負荷 3.0" in japanese) == loaded
