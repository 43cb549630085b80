"""Advice checked against measurement, and the sample-size function (hand-computed)."""

from __future__ import annotations

import pytest

from advisor.bench.outcome import measured_outcome
from advisor.bench.results_io import read_results
from advisor.bench.stats import prompts_needed
from tests.conftest import FIXTURES

EXAMPLES = FIXTURES / "bench/examples"


def test_prompts_needed_matches_the_textbook_figure() -> None:
    # p1 0.5, p2 0.3: p = 0.4; (1.95996 x sqrt(0.48) + 0.84162 x sqrt(0.46))^2 / 0.04
    # = (1.35790 + 0.57082)^2 / 0.04 = 92.999 -> 93 per group.
    assert prompts_needed(0.5, 0.3) == 93
    assert prompts_needed(0.3, 0.5) == 93
    # p1 0.9, p2 0.6: p = 0.75; (1.95996 x 0.61237 + 0.84162 x 0.57446)^2 / 0.09
    # = (1.20022 + 0.48348)^2 / 0.09 = 31.49 -> 32.
    assert prompts_needed(0.9, 0.6) == 32
    assert prompts_needed(0.4, 0.4) is None
    # A smaller difference needs more prompts; more power needs more prompts.
    assert prompts_needed(0.5, 0.45) > prompts_needed(0.5, 0.3)  # type: ignore[operator]
    assert prompts_needed(0.5, 0.3, power=0.9) > 93  # type: ignore[operator]


def test_confirmed_when_the_recommendation_wins() -> None:
    results = read_results(EXAMPLES / "bench-product-manual/results.json")
    outcome = measured_outcome(results, "rag")
    assert outcome.status == "confirmed"
    assert outcome.rival == "sft" and outcome.difference == pytest.approx(-0.3)


def test_refuted_names_the_winner_and_by_how_much() -> None:
    results = read_results(EXAMPLES / "bench-product-manual/results.json")
    outcome = measured_outcome(results, "sft")
    assert outcome.status == "refuted"
    assert outcome.rival == "rag" and outcome.difference == pytest.approx(0.3)
    assert outcome.difference_ci is not None and outcome.difference_ci[0] > 0
    assert "rag won with 40%" in outcome.summary and "+30 points" in outcome.summary


def test_inconclusive_gives_the_prompts_needed() -> None:
    results = read_results(EXAMPLES / "bench-product-manual/results.json")
    # sft (10%) against system_prompt (2.5%) on 40 prompts is not significant.
    outcome = measured_outcome(results, "system_prompt")
    assert outcome.status == "refuted"  # rag beats it clearly
    trimmed = results.model_copy(
        update={
            "routes": {k: v for k, v in results.routes.items() if k != "rag"},
            "verdict": results.verdict.model_copy(update={"best": "sft"}),
        }
    )
    outcome = measured_outcome(trimmed, "sft")
    assert outcome.status == "inconclusive"
    assert outcome.prompts_needed == prompts_needed(0.1, 0.025)
    assert f"about {outcome.prompts_needed} test prompts" in outcome.summary


def test_not_run_when_the_recommended_route_is_missing() -> None:
    results = read_results(EXAMPLES / "bench-invoice-total/results.json")
    outcome = measured_outcome(results, "rft")
    assert outcome.status == "not_run" and outcome.measured_route is None


def test_a_combination_that_ran_stands_for_the_recommendation() -> None:
    results = read_results(EXAMPLES / "bench-product-manual/results.json")
    renamed = results.model_copy(
        update={"routes": {("rag+sft" if k == "rag" else k): v for k, v in results.routes.items()}}
    )
    outcome = measured_outcome(renamed, "rag", ["rag", "sft"])
    assert outcome.measured_route == "rag+sft"
