"""Advice checked against measurement (issue 13): ``advisor assess --results``.

Given the advisor's recommendation and a finished bench, say whether the
measurement confirms it, refutes it (which route won, by how much), or is
inconclusive (and how many test prompts would tell the routes apart at
alpha 0.05 with 80% power).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from advisor import messages
from advisor.bench import stats
from advisor.bench.schema import BenchResults, Comparison

Status = Literal["confirmed", "refuted", "inconclusive", "not_run"]


class Outcome(BaseModel):
    """The ``measured`` key of ``assess --results --format json``."""

    status: Status
    recommended: str = Field(description="The advisor's primary route.")
    measured_route: str | None = Field(
        description="The bench route that stands for it (the combination if it ran)."
    )
    pass_rate: float | None
    best: str | None = Field(description="The bench's highest pass rate.")
    best_pass_rate: float | None
    rival: str | None = Field(description="The route compared against.")
    difference: float | None = Field(
        description="Rival's pass rate minus the recommendation's (refuted: by how much)."
    )
    difference_ci: tuple[float, float] | None = None
    p_value: float | None = None
    n_prompts: int = 0
    prompts_needed: int | None = Field(
        None, description="Inconclusive: test prompts per route for alpha 0.05, power 0.8."
    )
    alpha: float = 0.05
    summary: str


def _comparison(results: BenchResults, a: str, b: str) -> Comparison | None:
    for c in results.comparisons:
        if {c.route_a, c.route_b} == {a, b}:
            return c
    return None


def _beats(results: BenchResults, a: str, b: str) -> bool:
    found = _comparison(results, a, b)
    return found is not None and found.significant and found.better == a


def _rival_minus_measured(comparison: Comparison, measured: str) -> tuple[float, float]:
    """The comparison's interval, as rival minus the measured route (it stores a - b)."""
    low, high = comparison.difference_ci
    if comparison.route_b == measured:
        return (round(low, 4), round(high, 4))
    return (round(-high, 4), round(-low, 4))


def _rate(results: BenchResults, route: str) -> float | None:
    found = results.routes.get(route)
    if found is None or found.status != "ok" or found.metrics is None:
        return None
    return found.metrics.pass_rate


def measured_outcome(
    results: BenchResults, primary: str, combination: list[str] | None = None
) -> Outcome:
    """Confirmed, refuted or inconclusive, for ``primary`` (or its combination)."""
    alpha = results.config.alpha
    candidates = ["+".join(combination)] if combination and len(combination) > 1 else []
    candidates.append(primary)
    measured = next((c for c in candidates if _rate(results, c) is not None), None)
    ran = {n: r for n in results.routes if (r := _rate(results, n)) is not None}
    best = results.verdict.best or (max(ran, key=lambda n: ran[n]) if ran else None)
    base = {
        "recommended": primary,
        "measured_route": measured,
        "best": best,
        "best_pass_rate": _rate(results, best) if best else None,
        "alpha": alpha,
    }
    if measured is None:
        return Outcome(
            status="not_run", pass_rate=None, rival=None, difference=None, **base,
            summary=_en("core.outcome.not_run", recommended=primary),
        )  # fmt: skip
    rate = _rate(results, measured) or 0.0
    others = [n for n in ran if n != measured]
    if measured == best:
        # The best rival it is not significantly better than decides; else the closest.
        untied = [o for o in others if not _beats(results, measured, o)]
        pool = untied or others
        rival = max(pool, key=lambda n: _rate(results, n) or 0.0) if pool else None
    else:
        rival = best
    if rival is None:
        return Outcome(
            status="inconclusive", pass_rate=rate, rival=None, difference=None, **base,
            summary=_en("core.outcome.alone", measured=measured, rate=f"{rate:.0%}"),
        )  # fmt: skip
    rival_rate = _rate(results, rival) or 0.0
    comparison = _comparison(results, measured, rival)
    significant = comparison is not None and comparison.significant
    n_prompts = comparison.n_prompts if comparison else len(results.prompts)
    difference = round(rival_rate - rate, 4)
    ci = _rival_minus_measured(comparison, measured) if comparison else None
    words = {
        "measured": measured, "rival": rival, "rate": f"{rate:.0%}",
        "rival_rate": f"{rival_rate:.0%}", "n": n_prompts, "alpha": alpha,
        "diff": f"{difference * 100:+.0f}",
    }  # fmt: skip
    fields = {
        "pass_rate": rate, "rival": rival, "difference": difference, "difference_ci": ci,
        "p_value": comparison.p_value if comparison else None, "n_prompts": n_prompts,
    }  # fmt: skip
    if significant and comparison is not None and comparison.better == measured:
        return Outcome(
            status="confirmed", **fields, **base,
            summary=_en("core.outcome.confirmed", **words),
        )  # fmt: skip
    if significant and comparison is not None and comparison.better == rival:
        return Outcome(
            status="refuted", **fields, **base,
            summary=_en("core.outcome.refuted", **words),
        )  # fmt: skip
    needed = stats.prompts_needed(rate, rival_rate, alpha=alpha)
    return Outcome(
        status="inconclusive", prompts_needed=needed, **fields, **base,
        summary=_en("core.outcome.inconclusive", **words, need=_need(needed, "en")),
    )  # fmt: skip


def _en(key: str, **values: object) -> str:
    return messages.text(key, "en", **values)


def _need(needed: int | None, lang: str) -> str:
    if needed is None:
        return messages.text("core.outcome.need_none", lang)
    return messages.text("core.outcome.need", lang, needed=needed)


def outcome_text(m: Outcome, lang: str) -> str:
    """The measured outcome in ``lang``, from its fields (English: the stored summary)."""
    if lang == "en":
        return m.summary
    from advisor.criteria.catalog import load_catalog

    # The routes by their names in ``lang``: ids read as code inside a Japanese sentence.
    catalog = load_catalog()
    recommended = catalog.route_name(m.recommended, lang)
    measured = catalog.route_name(m.measured_route or "", lang)
    rate = f"{m.pass_rate:.0%}" if m.pass_rate is not None else "-"
    if m.status == "not_run":
        return messages.text("core.outcome.not_run", lang, recommended=recommended)
    if m.rival is None:
        return messages.text("core.outcome.alone", lang, measured=measured, rate=rate)
    words = {
        "measured": measured, "rival": catalog.route_name(m.rival, lang), "rate": rate,
        "rival_rate": f"{(m.pass_rate or 0) + (m.difference or 0):.0%}", "n": m.n_prompts,
        "alpha": m.alpha, "diff": f"{(m.difference or 0) * 100:+.0f}",
    }  # fmt: skip
    if m.status == "inconclusive":
        words["need"] = _need(m.prompts_needed, lang)
    return messages.text(f"core.outcome.{m.status}", lang, **words)
