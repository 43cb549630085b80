"""Benchmark statistics and metrics against values computed by hand."""

from __future__ import annotations

import pytest

from advisor.bench import stats
from advisor.bench.compare import compare_pair, decide
from advisor.bench.metrics import Price, per_prompt_scores, route_metrics
from advisor.bench.schema import GradeRecord, Preparation, RouteResult, SampleRecord


def test_wilson_interval_matches_hand_computation() -> None:
    # p = 0.8, n = 10, z = 1.96: centre 0.7167, half-width 0.2266.
    low, high = stats.wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_interval_edges() -> None:
    low, high = stats.wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.2775, abs=1e-4)
    assert stats.wilson_interval(0, 0) == (0.0, 1.0)
    low, high = stats.wilson_interval(10, 10)
    assert high == pytest.approx(1.0)
    assert low == pytest.approx(0.7225, abs=1e-4)


def test_mcnemar_exact_two_sided_binomial() -> None:
    assert stats.mcnemar_exact(0, 6) == pytest.approx(2 / 64)  # 2 * (1/2)^6
    assert stats.mcnemar_exact(1, 4) == pytest.approx(2 * 6 / 32)  # 2 * (1 + 5) / 2^5
    assert stats.mcnemar_exact(4, 1) == stats.mcnemar_exact(1, 4)
    assert stats.mcnemar_exact(3, 3) == 1.0  # capped
    assert stats.mcnemar_exact(0, 0) == 1.0


def test_paired_bootstrap_constant_and_mixed_differences() -> None:
    observed, interval, p = stats.paired_bootstrap([1.0, 1.0, 1.0], [0.0, 0.0, 0.0])
    assert (observed, interval, p) == (1.0, (1.0, 1.0), 0.0)
    observed, interval, p = stats.paired_bootstrap([1.0] * 4, [1.0] * 4)
    assert (observed, p) == (0.0, 1.0)
    # Half the prompts improve by 1, none get worse: mean 0.5, a resample is <= 0
    # only when it draws all ten zeros (probability 0.5^10), so p is tiny.
    a = [1.0] * 10
    b = [0.0] * 5 + [1.0] * 5
    observed, (low, high), p = stats.paired_bootstrap(a, b, resamples=4000)
    assert observed == 0.5
    assert low <= 0.5 <= high
    assert low >= 0.1 and high <= 0.9
    assert p < 0.01
    with pytest.raises(ValueError):
        stats.paired_bootstrap([1.0], [1.0, 0.0])


def test_holm_adjust() -> None:
    # sorted 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> monotone 0.06)
    assert stats.holm_adjust([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert stats.holm_adjust([0.5, 0.1]) == pytest.approx([0.5, 0.2])
    assert stats.holm_adjust([0.9, 0.8]) == [1.0, 1.0]  # 0.8 x 2 is capped at 1


def test_percentile_interpolates_like_numpy() -> None:
    assert stats.percentile([4, 1, 3, 2], 50) == 2.5
    assert stats.percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert stats.percentile([], 50) is None
    assert stats.percentile([7], 95) == 7


def test_similarity_agreement_and_token_f1() -> None:
    assert stats.mean_pairwise_similarity([[1, 0], [0, 1], [1, 0]]) == pytest.approx(1 / 3)
    assert stats.mean_pairwise_similarity([[1, 0]]) is None
    assert stats.all_agree(["a  b", "a b", " a b "])
    assert not stats.all_agree(["a b", "a c"])
    # common 2 of 3 predicted, 2 of 2 reference: P = 2/3, R = 1, F1 = 0.8
    assert stats.token_f1("The cat sat.", "the cat") == pytest.approx(0.8)
    assert stats.token_f1("dog", "cat") == 0.0


def _sample(
    pid: str, repeat: int, text: str, passes: dict[str, tuple[bool, str]], latency: float = 1.0
) -> SampleRecord:
    grades = {
        name: GradeRecord(score=float(ok), passed=ok, aspect=aspect)
        for name, (ok, aspect) in passes.items()
    }
    return SampleRecord(
        prompt_id=pid,
        repeat=repeat,
        text=text,
        passed=all(ok for ok, _ in passes.values()),
        grades=grades,
        latency_s=latency,
        prompt_tokens=100,
        completion_tokens=50,
    )


def test_route_metrics_by_hand() -> None:
    samples = [
        _sample("p1", 0, "yes", {"json": (True, "format"), "tone": (True, "style")}, 1.0),
        _sample("p1", 1, "yes", {"json": (True, "format"), "tone": (True, "style")}, 2.0),
        _sample("p2", 0, "no", {"json": (True, "format"), "tone": (False, "style")}, 3.0),
        _sample("p2", 1, "maybe", {"json": (True, "format"), "tone": (True, "style")}, 4.0),
        SampleRecord(prompt_id="p3", repeat=0, text="", passed=False, error="timeout"),
    ]
    m = route_metrics(
        samples,
        references={"p1": "yes", "p2": "no"},
        embed=lambda texts: [[1.0, 0.0] if t == "yes" else [0.0, 1.0] for t in texts],
        price=Price(input_per_1m=2.0, output_per_1m=8.0),
    )
    assert m.n_prompts == 2 and m.n_samples == 4 and m.errors == 1
    assert m.pass_rate == 0.75
    # Prompts count, with fractional successes: p1 = 1, p2 = 1/2 -> Wilson(1.5, 2).
    assert m.pass_rate_ci == pytest.approx(stats.wilson_interval(1.5, 2))
    assert m.format_compliance == 1.0
    assert m.style_adherence == 0.75
    assert m.accuracy is None
    assert m.grader_pass_rates == {"json": 1.0, "tone": 0.75}
    assert m.consistency.exact_agreement == 0.5  # p1 agrees, p2 does not
    # p1: identical vectors (1.0); p2: "no" and "maybe" both map to [0, 1] (1.0)
    assert m.consistency.repeat_similarity == pytest.approx(1.0)
    assert m.latency_p50_s == 2.5
    assert m.latency_p95_s == pytest.approx(3.85)
    assert m.tokens_per_request == 150
    # per request 100 * 2 / 1e6 + 50 * 8 / 1e6 = 0.0006 USD -> 0.6 USD per 1,000
    assert m.cost_per_1k_usd == pytest.approx(0.6)
    # F1: "yes"/"yes" twice = 1, "no"/"no" = 1, "maybe"/"no" = 0 -> 0.75
    assert m.reference_f1 == pytest.approx(0.75)
    assert per_prompt_scores(samples) == {"p1": 1.0, "p2": 0.5}


def test_retrieval_hit_rate_matches_file_names() -> None:
    hit = _sample("p1", 0, "x", {"g": (True, "accuracy")})
    hit.sources = ["/kb/docs/02-install.md", "/kb/docs/05-errors.md"]
    miss = _sample("p2", 0, "y", {"g": (True, "accuracy")})
    miss.sources = ["/kb/docs/01-overview.md"]
    none = _sample("p3", 0, "z", {"g": (True, "accuracy")})
    m = route_metrics(
        [hit, miss, none],
        expected_sources={"p1": "05-errors.md", "p2": "05-errors.md", "p3": "05-errors.md"},
    )
    assert m.retrieval_hit_rate == 0.5  # p3 retrieved nothing: not counted


def test_unknown_price_leaves_cost_unknown() -> None:
    m = route_metrics([_sample("p1", 0, "x", {"g": (True, "rules")})])
    assert m.cost_per_1k_usd is None
    assert m.consistency.exact_agreement is None  # one repeat: nothing to agree with
    assert m.rules_compliance == 1.0


def test_compare_pair_mcnemar_with_one_repeat() -> None:
    a = {f"p{i}": 1.0 for i in range(10)}
    b = {f"p{i}": (1.0 if i < 2 else 0.0) for i in range(10)}
    cmp = compare_pair("sft", a, "system_prompt", b, repeats=1)
    assert (cmp.mcnemar_b, cmp.mcnemar_c) == (8, 0)
    assert cmp.mcnemar_p == pytest.approx(2 / 256)
    assert cmp.test == "mcnemar" and cmp.significant and cmp.better == "sft"
    assert cmp.difference == pytest.approx(0.8)


def test_compare_pair_not_significant_on_small_difference() -> None:
    a = {"p1": 1.0, "p2": 1.0, "p3": 0.0}
    b = {"p1": 1.0, "p2": 0.0, "p3": 0.0}
    cmp = compare_pair("a", a, "b", b, repeats=1)
    assert cmp.mcnemar_p == 1.0
    assert not cmp.significant and cmp.better is None


def _route(name: str, scores: list[bool]) -> RouteResult:
    samples = [_sample(f"p{i}", 0, "t", {"g": (ok, "rules")}) for i, ok in enumerate(scores)]
    return RouteResult(
        route=name,
        backend="fake",
        model="m",
        status="ok",
        preparation=Preparation(kind="none"),
        metrics=route_metrics(samples),
        samples=samples,
    )


def test_decide_declares_winner_only_when_significant() -> None:
    from advisor.bench.compare import compare_routes

    routes = {
        "system_prompt": _route("system_prompt", [False] * 9 + [True]),
        "sft": _route("sft", [True] * 10),
    }
    comparisons = compare_routes(routes, repeats=1)
    verdict = decide(routes, comparisons, recommended="sft")
    assert verdict.best == "sft" and verdict.winner == "sft"
    assert verdict.recommendation_matches is True
    assert verdict.chosen == "sft" and verdict.chosen_pass_rate == 1.0

    close = {
        "system_prompt": _route("system_prompt", [True] * 8 + [False] * 2),
        "sft": _route("sft", [True] * 9 + [False]),
    }
    verdict = decide(close, compare_routes(close, repeats=1), recommended="system_prompt")
    assert verdict.best == "sft" and verdict.winner is None
    assert verdict.tied == ["system_prompt"]
    assert verdict.recommendation_matches is True  # tied with the best
    assert verdict.chosen == "system_prompt"

    verdict = decide(routes, comparisons, recommended="system_prompt")
    assert verdict.recommendation_matches is False
    verdict = decide(routes, comparisons, recommended="rag")
    assert verdict.recommendation_matches is None and verdict.chosen == "sft"


def test_a_tie_at_zero_neither_confirms_nor_refutes_the_advice() -> None:
    from advisor.bench.compare import compare_routes

    routes = {
        "system_prompt": _route("system_prompt", [False] * 10),
        "sft": _route("sft", [False] * 10),
    }
    verdict = decide(routes, compare_routes(routes, repeats=1), recommended="sft")
    assert verdict.winner is None
    assert verdict.recommendation_matches is None
    assert "no route passed a single test prompt" in verdict.summary
    assert "neither confirm nor refute the advisor's sft" in verdict.recommendation_note
    assert verdict.chosen == "sft" and verdict.chosen_pass_rate == 0.0


def test_inference_prices_resolve_aliases_snapshots_and_fine_tuned_ids(settings) -> None:  # type: ignore[no-untyped-def]
    from advisor.bench.pricing import chat_price, load_inference_prices
    from advisor.registry import get_backend

    remote = get_backend("openai", settings)
    table = load_inference_prices().models["gpt-4.1-mini"]
    base = chat_price(remote, "gpt-4.1-mini-2025-04-14")
    assert base is not None and (base.input_per_1m, base.output_per_1m) == (
        table.input,
        table.output,
    )
    tuned = chat_price(remote, "ft:gpt-4.1-mini-2025-04-14:acme::abc123")
    assert tuned is not None and tuned.input_per_1m == table.fine_tuned_input
    assert chat_price(remote, "no-such-model") is None
    local = chat_price(get_backend("fake", settings), "anything")
    assert local is not None and local.input_per_1m == 0.0 and local.note
