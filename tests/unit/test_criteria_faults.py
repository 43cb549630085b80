"""The three scoring faults of issue 13, each pinned by a test that failed before the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.criteria import assess, load_answers, load_catalog
from advisor.criteria.catalog import parse_catalog
from advisor.errors import DataFileError

REPO = Path(__file__).resolve().parents[2]
ALL_FIVE = {
    "fixed_style": True,
    "minimize_variance": True,
    "strict_format": True,
    "proprietary_rules": True,
    "long_term_stability": True,
}

# --- 1. a grader alone does not make RFT win over SFT ----------------------------------


def test_invoice_total_with_exact_targets_does_not_prefer_rft() -> None:
    # Before: RFT 14, SFT 12, because a grader alone gave RFT +4.
    result = assess(load_answers(REPO / "scenarios/invoice-total/scenario.toml"))
    assert result.recommendation.primary != "rft"
    assert result.route("sft").score > result.route("rft").score


def test_a_grader_alone_is_not_a_reason_to_prefer_rft() -> None:
    base = {"strict_format": True, "example_count": 300}
    without = assess(base)
    with_grader = assess({**base, "has_grader": True})
    assert with_grader.recommendation.primary == without.recommendation.primary == "sft"


def test_rft_wins_where_the_grader_verifies_answers_without_exact_targets() -> None:
    answers = {
        "strict_format": True,
        "example_count": 300,
        "has_grader": True,
        "verification_without_targets": True,
    }
    result = assess(answers)
    assert result.recommendation.primary == "rft"
    assert "rft_without_exact_targets" in [r.criterion for r in result.route("rft").reasons]
    # Without a grader the question cannot make RFT eligible, let alone win.
    assert not assess({**answers, "has_grader": False}).route("rft").eligible


# --- 2. fewer than 100 examples: confidence at most medium ------------------------------


@pytest.mark.parametrize("count", [10, 50, 99])
def test_fine_tuning_on_fewer_than_100_examples_is_at_most_medium(count: int) -> None:
    # Before: 10 examples and all five criteria gave confidence 1.00, "high".
    result = assess({**ALL_FIVE, "example_count": count})
    assert result.recommendation.primary == "sft"
    assert result.recommendation.confidence_label == "medium"
    assert result.recommendation.confidence < load_catalog().confidence.high_from
    assert any("at most medium" in w for w in result.warnings)


def test_100_examples_may_be_high_again() -> None:
    result = assess({**ALL_FIVE, "example_count": 100})
    assert result.recommendation.confidence_label == "high"
    assert not any("at most medium" in w for w in result.warnings)


def test_the_cap_is_japanese_too() -> None:
    result = assess({**ALL_FIVE, "example_count": 10}, lang="ja")
    assert result.recommendation.confidence_label == "中"
    assert any("最大でも" in w for w in result.warnings)


# --- 3. every reason shown for a route belongs to that route ----------------------------


def test_style_case_with_9_examples_shows_rag_only_its_own_reasons() -> None:
    # Before: RAG was recommended with the reason "... fits into a custom assistant's
    # knowledge files" (the custom assistant's reason for the same rule).
    answers = {
        "fixed_style": True,
        "example_count": 9,
        "knowledge_volume": "small",
        "needs_citations": True,
    }
    for lang, other in (("en", "custom assistant"), ("ja", "カスタムアシスタント")):
        result = assess(answers, lang=lang)
        assert result.recommendation.primary == "rag"
        texts = [r.text for r in result.route("rag").reasons]
        assert not any(other in t for t in texts), texts
        assistant = {r.criterion: r.text for r in result.route("custom_assistant").reasons}
        rag = {r.criterion: r.text for r in result.route("rag").reasons}
        assert assistant["knowledge_small"] != rag["knowledge_small"]
        assert assistant["needs_citations"] != rag["needs_citations"]


def test_every_rule_speaks_for_every_route_it_moves() -> None:
    catalog = load_catalog()
    families = {r.id: r.family for r in catalog.routes}
    for crit in catalog.criteria:
        for route, points in crit.effects.items():
            if points:
                assert crit.speaks_for(route, families[route]), (crit.id, route)


def test_the_catalog_check_refuses_a_reason_that_does_not_belong_to_its_route() -> None:
    from importlib import resources

    import yaml

    data = yaml.safe_load(
        resources.files("advisor.criteria").joinpath("catalog.yaml").read_text("utf-8")
    )
    for crit in data["criteria"]:
        if crit["id"] == "knowledge_small":
            del crit["route_texts"]["rag"]
    with pytest.raises(DataFileError, match="does not speak for 'rag'"):
        parse_catalog(data)
