"""Scoring: the canonical profiles, gates, combinations, confidence, flips, next steps."""

from __future__ import annotations

from typing import Any

import pytest

from advisor.criteria import Answers, assess, load_answers, load_catalog
from advisor.criteria.result import Assessment
from tests.conftest import REPO

FT = ("sft", "dpo", "rft")
ALL_FIVE: dict[str, Any] = {
    "fixed_style": True,
    "minimize_variance": True,
    "strict_format": True,
    "proprietary_rules": True,
    "long_term_stability": True,
}


def _rank(assessment: Assessment, route: str) -> int:
    return [r.route for r in assessment.routes].index(route) + 1


# --- the canonical profiles of the issue --------------------------------------------


def test_simple_tone_only_gives_system_prompt() -> None:
    result = assess({"simple_rules_only": True})
    assert result.recommendation.primary == "system_prompt"
    assert result.recommendation.combination == ["system_prompt"]


def test_large_daily_changing_knowledge_with_citations_gives_rag() -> None:
    result = assess(
        {"knowledge_volume": "large", "knowledge_changes": "daily", "needs_citations": True}
    )
    assert result.recommendation.primary == "rag"
    assert result.recommendation.confidence_label == "high"


def test_all_five_criteria_with_500_examples_gives_sft() -> None:
    result = assess({**ALL_FIVE, "example_count": 500})
    assert result.recommendation.primary == "sft"
    assert result.route("sft").eligible
    assert result.recommendation.confidence == 1.0


def test_all_five_criteria_with_5_examples_makes_no_fine_tuning_route_eligible() -> None:
    result = assess({**ALL_FIVE, "example_count": 5})
    for route in FT:
        score = result.route(route)
        assert not score.eligible
        assert "too_few_examples" in [g.gate for g in score.gates]
    assert result.recommendation.primary not in FT
    # The client still sees what fine-tuning would score, and what to do about it.
    assert result.route("sft").score > result.route(result.recommendation.primary).score
    assert any("fewer than 10" in w for w in result.warnings)
    assert any("collect" in s.lower() for s in result.recommendation.next_steps)


def test_preference_pairs_rank_dpo_high() -> None:
    result = assess({"fixed_style": True, "has_preference_pairs": True, "example_count": 300})
    assert _rank(result, "dpo") <= 2
    assert result.route("dpo").eligible
    assert result.recommendation.primary == "dpo"


def test_grader_verifying_answers_without_exact_targets_ranks_rft_high() -> None:
    result = assess(
        {
            "strict_format": True,
            "has_grader": True,
            "verification_without_targets": True,
            "example_count": 300,
        }
    )
    assert _rank(result, "rft") <= 2
    assert result.recommendation.primary == "rft"
    assert any("only some models" in w for w in result.warnings)


EXAMPLES = {
    "simple_tone.yaml": ("system_prompt", ["system_prompt"]),
    "knowledge_heavy.yaml": ("rag", ["rag"]),
    "all_fine_tuning.yaml": ("sft", ["sft"]),
    "all_fine_tuning_no_data.yaml": ("system_prompt", ["system_prompt"]),
    "preference_pairs.yaml": ("dpo", ["dpo", "sft"]),
    "verifiable_grader.yaml": ("rft", ["rft"]),
    "knowledge_plus_style.yaml": ("rag", ["rag", "sft"]),
    "team_assistant.json": ("custom_assistant", ["custom_assistant"]),
    "on_premises.toml": ("sft", ["sft"]),
    "japanese_brand_voice.yaml": ("sft", ["sft", "custom_assistant"]),
}


def test_every_example_file_is_in_the_table() -> None:
    assert sorted(EXAMPLES) == sorted(p.name for p in (REPO / "examples/answers").iterdir())


@pytest.mark.parametrize(("name", "expected"), sorted(EXAMPLES.items()))
def test_example_profiles(name: str, expected: tuple[str, list[str]]) -> None:
    result = assess(load_answers(REPO / "examples/answers" / name))
    assert (result.recommendation.primary, result.recommendation.combination) == expected


# --- gates ---------------------------------------------------------------------------


def test_dpo_needs_pairs_and_rft_needs_a_grader() -> None:
    result = assess({**ALL_FIVE, "example_count": 2000})
    assert not result.route("dpo").eligible
    assert [g.gate for g in result.route("dpo").gates] == ["dpo_needs_pairs"]
    assert [g.gate for g in result.route("rft").gates] == ["rft_needs_grader"]
    assert result.route("sft").eligible


def test_rag_needs_documents() -> None:
    assert not assess({}).route("rag").eligible
    assert assess({"knowledge_volume": "small"}).route("rag").eligible


def test_ten_examples_is_the_formal_minimum_with_a_warning_below_100() -> None:
    nine = assess({**ALL_FIVE, "example_count": 9})
    ten = assess({**ALL_FIVE, "example_count": 10})
    assert not nine.route("sft").eligible
    assert ten.route("sft").eligible
    assert any("100 to 1,000" in w for w in ten.warnings)
    assert not any("100 to 1,000" in w for w in assess({**ALL_FIVE, "example_count": 100}).warnings)


# --- combination, confidence, next steps, flips ---------------------------------------


def test_large_changing_knowledge_meets_fixed_style_combines_rag_and_sft() -> None:
    result = assess(
        {
            "knowledge_volume": "large",
            "knowledge_changes": "daily",
            "fixed_style": True,
            "example_count": 400,
        }
    )
    assert result.recommendation.combination == ["rag", "sft"]
    assert result.recommendation.combination_reason
    # One step for the partner route comes after the primary's own steps.
    assert any("SFT" in step for step in result.recommendation.next_steps)


def test_no_combination_without_a_reason() -> None:
    result = assess({"simple_rules_only": True, "quick_prototype": True})
    assert result.recommendation.combination == ["system_prompt"]
    assert result.recommendation.combination_reason is None


def test_confidence_is_the_scaled_margin_to_the_runner_up() -> None:
    result = assess({"fixed_style": True, "has_preference_pairs": True, "example_count": 300})
    rec = result.recommendation
    assert rec.runner_up is not None
    margin = result.route(rec.primary).score - result.route(rec.runner_up).score
    assert rec.margin == margin
    full = load_catalog().confidence.full_margin
    assert rec.confidence == round(min(1.0, margin / full), 2)


def test_close_call_warns_to_benchmark_both() -> None:
    # A fixed style with few examples: the prompt and SFT end up level.
    result = assess({"fixed_style": True, "example_count": 60})
    assert result.recommendation.margin == 0
    assert result.recommendation.primary == "system_prompt"  # ties go to the cheaper route
    assert result.recommendation.confidence_label == "low"
    assert any("side-by-side benchmark" in w for w in result.warnings)


def test_next_steps_follow_the_fine_tuning_process() -> None:
    steps = " ".join(assess({**ALL_FIVE, "example_count": 500}).recommendation.next_steps)
    for word in ("JSONL", "Cleanse", "training job", "dedicated model"):
        assert word in steps


def test_flips_are_real_and_minimal() -> None:
    base: dict[str, Any] = {**ALL_FIVE, "example_count": 500}
    result = assess(base)
    flips = {f.question: f for f in result.flips}
    # 500 examples -> the nearest count that changes anything is 9 (below the minimum).
    assert flips["example_count"].answer == 9
    assert flips["example_count"].new_primary != "sft"
    for flip in result.flips:
        changed = assess(Answers(base).with_answer(flip.question, flip.answer))
        assert changed.recommendation.primary == flip.new_primary
        assert flip.current == result.answers[flip.question]


def test_flip_for_a_choice_prefers_the_neighbouring_value() -> None:
    result = assess(
        {"knowledge_volume": "large", "knowledge_changes": "daily", "needs_citations": True}
    )
    for flip in result.flips:
        if flip.question == "knowledge_volume":
            assert flip.answer in ("small", "none")


def test_reasons_name_the_criterion_and_sum_to_the_score() -> None:
    result = assess({**ALL_FIVE, "example_count": 500, "needs_citations": True})
    criteria = {c.id for c in load_catalog().criteria}
    for route in result.routes:
        assert route.score == pytest.approx(sum(r.contribution for r in route.reasons))
        assert all(r.criterion in criteria for r in route.reasons)
    texts = [r.text for r in result.route("sft").reasons]
    assert any("5 of the 5" in t for t in texts)


def test_routes_sorted_by_score_descending() -> None:
    scores = [r.score for r in assess({"knowledge_volume": "small"}).routes]
    assert scores == sorted(scores, reverse=True)


def test_defaults_are_reported() -> None:
    result = assess({"fixed_style": True})
    assert "fixed_style" not in result.defaulted
    assert "budget" in result.defaulted
    assert result.answers["budget"] == "moderate"


def test_japanese_uses_the_japanese_texts() -> None:
    result = assess({**ALL_FIVE, "example_count": 500}, lang="ja")
    catalog = load_catalog()
    assert result.route("sft").name == catalog.route("sft").name.ja
    assert result.recommendation.confidence_label == "高"
    assert result.recommendation.next_steps[0] == catalog.route("sft").next_steps[0].ja


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        assess({}, lang="fr")


def test_dpo_starts_from_sft_and_the_step_comes_before_the_dpo_job() -> None:
    result = assess(load_answers(REPO / "examples/answers/preference_pairs.yaml"))
    steps = result.recommendation.next_steps
    sft_step = next(i for i, s in enumerate(steps) if "--method sft" in s)
    dpo_step = next(i for i, s in enumerate(steps) if "--method dpo" in s and "tune" in s)
    assert sft_step < dpo_step
    assert result.recommendation.combination == ["dpo", "sft"]


def test_quick_result_with_fine_tuning_gets_a_stopgap_step() -> None:
    result = assess({**ALL_FIVE, "example_count": 500, "quick_prototype": True})
    assert result.recommendation.primary == "sft"
    assert any("stopgap" in s for s in result.recommendation.next_steps)
    assert result.fine_tuning_criteria_held == list(ALL_FIVE)
