"""Report lines about the combined routes and the plan, shared by the Markdown and HTML reports.

In the report's language (``lang``; the words in advisor/bench/report_strings.yaml).
"""

from __future__ import annotations

from advisor.bench.report_i18n import Words
from advisor.bench.routespec import SHORT
from advisor.bench.schema import BenchResults


def _cost(value: float | None, w: Words) -> str:
    return w("unknown") if value is None else f"${value:.4f}"


def short_prompt_notes(results: BenchResults, lang: str = "en") -> list[str]:
    """``X_short`` next to ``X``: tokens per request and cost per 1,000 requests.

    This measures the claim that fine-tuning lets a team shorten its instructions.
    """
    w = Words(lang)
    notes: list[str] = []
    for name, short in results.routes.items():
        full = results.routes.get(name.removesuffix(SHORT))
        if not name.endswith(SHORT) or full is None:
            continue
        a, b = short.metrics, full.metrics
        if a is None or b is None:
            continue
        saved = 1 - a.tokens_per_request / b.tokens_per_request if b.tokens_per_request else 0.0
        share = f"{saved:.0%}" if saved >= 0 else f"{-saved:.0%}"
        notes.append(
            w(
                "note.short",
                route=name,
                tokens=f"{a.tokens_per_request:.0f}",
                prompt=f"{a.prompt_tokens_per_request:.0f}",
                full_tokens=f"{b.tokens_per_request:.0f}",
                full_prompt=f"{b.prompt_tokens_per_request:.0f}",
                full=full.route,
                saved=w("note.fewer" if saved >= 0 else "note.more", share=share),
                cost=_cost(a.cost_per_1k_usd, w),
                full_cost=_cost(b.cost_per_1k_usd, w),
                rate=f"{a.pass_rate:.0%}",
                full_rate=f"{b.pass_rate:.0%}",
            )
        )
    return notes


def plan_notes(results: BenchResults, lang: str = "en") -> list[str]:
    """The plan's power figure: which differences this bench could have detected; and that
    training shared the cores with answering, where it did."""
    plan = results.plan
    if plan is None:
        return []
    w = Words(lang)
    return [
        w(
            "note.plan",
            prompts=plan.n_prompts,
            alpha=f"{plan.alpha:g}",
            power=f"{plan.power:.0%}",
            difference=f"{plan.detectable_difference:.0%}",
            note=w.stored(plan.power_note),
        )
    ] + ([w("note.plan_training_beside")] if plan.training_beside_answering else [])
