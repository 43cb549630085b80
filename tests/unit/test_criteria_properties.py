"""Properties of the scoring that must hold for every possible set of answers."""

from __future__ import annotations

import random
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.criteria import Answers, assess, load_catalog
from advisor.criteria.catalog import Question

CATALOG = load_catalog()
FT_ROUTES = [r.id for r in CATALOG.routes if r.family == "fine_tuning"]
FT_CRITERIA = CATALOG.fine_tuning_criteria()
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _values(question: Question) -> st.SearchStrategy[Any]:
    if question.type == "yes_no":
        return st.booleans()
    if question.type == "choice":
        return st.sampled_from(question.choice_values())
    if question.type == "scale":
        return st.integers(question.min or 0, question.max or 0)
    # Counts cluster around the thresholds that matter, with the odd large value.
    return st.one_of(st.integers(0, 15), st.integers(90, 110), st.integers(0, 5000))


def _answers() -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of questions answered with any valid value."""
    optional = {q.id: _values(q) for q in CATALOG.questions}
    return st.fixed_dictionaries({}, optional=optional)


@PROPERTY
@given(_answers(), st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_key_order(
    answers: dict[str, Any], rnd: random.Random
) -> None:
    first = assess(answers).model_dump()
    keys = list(answers)
    rnd.shuffle(keys)
    assert assess({k: answers[k] for k in keys}).model_dump() == first
    assert assess(answers).model_dump() == first


@PROPERTY
@given(_answers(), st.sampled_from(FT_CRITERIA))
def test_fine_tuning_score_grows_with_each_criterion_that_holds(
    answers: dict[str, Any], criterion: str
) -> None:
    without = assess({**answers, criterion: False})
    with_it = assess({**answers, criterion: True})
    for route in FT_ROUTES:
        assert with_it.route(route).score > without.route(route).score


@PROPERTY
@given(_answers(), st.permutations(FT_CRITERIA))
def test_fine_tuning_score_is_monotonic_in_the_number_of_criteria(
    answers: dict[str, Any], order: list[str]
) -> None:
    base = {**answers, **dict.fromkeys(FT_CRITERIA, False)}
    previous = None
    for count in range(len(order) + 1):
        held = {**base, **dict.fromkeys(order[:count], True)}
        score = max(assess(held).route(r).score for r in FT_ROUTES)
        if previous is not None:
            assert score > previous
        previous = score


@PROPERTY
@given(_answers())
def test_gates_are_always_respected(answers: dict[str, Any]) -> None:
    result = assess(answers)
    values = result.answers
    rec = result.recommendation
    assert result.route(rec.primary).eligible
    for route in rec.combination:
        assert result.route(route).eligible
    assert rec.combination[0] == rec.primary
    assert len(set(rec.combination)) == len(rec.combination)
    if int(values["example_count"]) < 10:
        assert not any(result.route(r).eligible for r in FT_ROUTES)
        assert rec.primary not in FT_ROUTES
    if values["has_preference_pairs"] is False:
        assert not result.route("dpo").eligible
    if values["has_grader"] is False:
        assert not result.route("rft").eligible
    if values["knowledge_volume"] == "none":
        assert not result.route("rag").eligible
    for route in result.routes:
        assert route.eligible == (not route.gates)


@PROPERTY
@given(_answers())
def test_result_is_consistent(answers: dict[str, Any]) -> None:
    result = assess(answers)
    rec = result.recommendation
    scores = [r.score for r in result.routes]
    assert scores == sorted(scores, reverse=True)
    assert sorted(r.route for r in result.routes) == sorted(CATALOG.route_ids())
    best_eligible = max(r.score for r in result.routes if r.eligible)
    assert result.route(rec.primary).score == best_eligible
    assert 0 <= rec.confidence <= 1
    assert rec.next_steps
    for route in result.routes:
        assert abs(route.score - sum(r.contribution for r in route.reasons)) < 1e-9


@settings(max_examples=15, deadline=None)
@given(_answers())
def test_flips_change_the_primary_as_stated(answers: dict[str, Any]) -> None:
    result = assess(answers)
    assert len({f.question for f in result.flips}) == len(result.flips)
    for flip in result.flips:
        changed = assess(Answers(answers).with_answer(flip.question, flip.answer))
        assert changed.recommendation.primary == flip.new_primary != result.recommendation.primary


@PROPERTY
@given(_answers())
def test_japanese_output_has_no_english_prose(answers: dict[str, Any]) -> None:
    result = assess(answers, lang="ja")
    texts = [
        *(r.text for route in result.routes for r in route.reasons),
        *(g.text for route in result.routes for g in route.gates),
        *(route.name for route in result.routes),
        *result.recommendation.next_steps,
        *result.warnings,
        *(f.text for f in result.flips),
        result.recommendation.summary,
        result.recommendation.confidence_label,
        result.recommendation.combination_reason or "理由なし",
    ]
    for text in texts:
        assert JAPANESE.search(text), text
        # Latin words are allowed only as names (RAG, SFT, JSONL, advisor ...), never prose.
        assert not re.search(r"\b(the|and|with|must|is|are)\b", text), text


def _all_texts() -> list[tuple[str, Any]]:
    """(where, Text) for every bilingual text in the catalog."""
    found: list[tuple[str, Any]] = []
    for kind in ("questions", "routes", "criteria", "gates", "combinations", "warnings"):
        for item in getattr(CATALOG, kind):
            for name in type(item).model_fields:
                value = getattr(item, name)
                if hasattr(value, "ja"):
                    found.append((f"{kind}.{item.id}.{name}", value))
    found += [(f"messages.{key}", text) for key, text in CATALOG.messages.items()]
    found += [(f"sources.{s.id}", s.text) for s in CATALOG.sources]
    return found


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(_all_texts()), st.sampled_from(["en", "ja"]))
def test_every_text_exists_in_both_languages(entry: tuple[str, Any], lang: str) -> None:
    where, text = entry
    value = text.get(lang)
    assert value.strip(), where
    assert bool(JAPANESE.search(value)) == (lang == "ja"), where
