"""Paired comparisons between routes and the verdict: a winner only when significant.

Each route answered the same prompts, so routes are compared prompt by prompt:

* with one repeat every prompt is pass/fail and McNemar's exact test decides;
* with several repeats a prompt's score is its share of passing repeats and a
  paired bootstrap over prompts decides (McNemar on majority outcomes is
  reported alongside).

The best route is declared the winner only if it beats every other route with
Holm-adjusted p below alpha; otherwise the verdict says which routes it cannot
be told apart from.
"""

from __future__ import annotations

from advisor.bench import stats
from advisor.bench.metrics import per_prompt_scores
from advisor.bench.schema import Comparison, RouteResult, Verdict
from advisor.bench.verdict_text import Standing, note_message, render, summary_message


def compare_pair(
    name_a: str,
    scores_a: dict[str, float],
    name_b: str,
    scores_b: dict[str, float],
    *,
    repeats: int,
    alpha: float = 0.05,
) -> Comparison:
    """Compare two routes on the prompts both answered."""
    shared = sorted(set(scores_a) & set(scores_b))
    a = [scores_a[p] for p in shared]
    b = [scores_b[p] for p in shared]
    difference, interval, bootstrap_p = stats.paired_bootstrap(a, b)
    # Majority outcome per prompt; a tie (half the repeats) counts as a fail.
    a_pass = [x > 0.5 for x in a]
    b_pass = [x > 0.5 for x in b]
    disc_b = sum(1 for x, y in zip(a_pass, b_pass, strict=True) if x and not y)
    disc_c = sum(1 for x, y in zip(a_pass, b_pass, strict=True) if y and not x)
    mcnemar_p = stats.mcnemar_exact(disc_b, disc_c)
    test = "mcnemar" if repeats <= 1 else "bootstrap"
    p_value = mcnemar_p if test == "mcnemar" else bootstrap_p
    significant = p_value < alpha and difference != 0
    better = (name_a if difference > 0 else name_b) if significant else None
    return Comparison(
        route_a=name_a,
        route_b=name_b,
        n_prompts=len(shared),
        pass_rate_a=stats.mean(a) or 0.0,
        pass_rate_b=stats.mean(b) or 0.0,
        difference=difference,
        difference_ci=interval,
        bootstrap_p=bootstrap_p,
        mcnemar_b=disc_b,
        mcnemar_c=disc_c,
        mcnemar_p=mcnemar_p,
        test=test,
        p_value=p_value,
        significant=significant,
        better=better,
    )


def compare_routes(
    routes: dict[str, RouteResult], *, repeats: int, alpha: float = 0.05
) -> list[Comparison]:
    """Every pair of successfully run routes, in run order."""
    scored = {
        name: per_prompt_scores(result.samples)
        for name, result in routes.items()
        if result.status == "ok" and result.metrics is not None
    }
    names = list(scored)
    return [
        compare_pair(a, scored[a], b, scored[b], repeats=repeats, alpha=alpha)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    ]


def _rank_key(result: RouteResult) -> tuple[float, float, float]:
    metrics = result.metrics
    assert metrics is not None
    return (
        -metrics.pass_rate,
        metrics.cost_per_1k_usd or 0.0,
        metrics.latency_p50_s or 0.0,
    )


def decide(
    routes: dict[str, RouteResult],
    comparisons: list[Comparison],
    *,
    recommended: str | None,
    alpha: float = 0.05,
    no_recommendation: str | None = None,
) -> Verdict:
    """The best route, whether it is a significant winner, and the advisor check."""
    ran = {n: r for n, r in routes.items() if r.status == "ok" and r.metrics is not None}
    if not ran:
        return Verdict(
            best=None,
            winner=None,
            summary=render(("core.verdict.nothing", {}), "en"),
            recommended=recommended,
            recommendation_matches=None,
            recommendation_note=no_recommendation
            or render(("core.verdict.compare_none", {}), "en"),
            chosen=None,
        )
    best = min(ran, key=lambda n: _rank_key(ran[n]))
    against = [c for c in comparisons if best in (c.route_a, c.route_b)]
    adjusted = stats.holm_adjust([c.p_value for c in against])
    beaten: list[str] = []
    tied: list[str] = []
    for comparison, p in zip(against, adjusted, strict=True):
        other = comparison.route_b if comparison.route_a == best else comparison.route_a
        if comparison.better == best and p < alpha:
            beaten.append(other)
        else:
            tied.append(other)
    winner = best if against and not tied else None
    rates = {n: r.metrics.pass_rate for n, r in ran.items() if r.metrics is not None}
    found = Standing(rates, best, winner, beaten, tied, alpha)
    summary = render(summary_message(found), "en")
    matches, message = note_message(found, recommended)
    note = render(message, "en")
    if recommended is None and no_recommendation:
        note = no_recommendation
    chosen = recommended if recommended in ran else best
    chosen_metrics = ran[chosen].metrics
    return Verdict(
        best=best,
        winner=winner,
        tied=tied,
        summary=summary,
        recommended=recommended,
        recommendation_matches=matches,
        recommendation_note=note,
        chosen=chosen,
        chosen_pass_rate=chosen_metrics.pass_rate if chosen_metrics else None,
    )
