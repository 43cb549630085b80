"""Report lines about the combined routes and the plan, shared by the Markdown and HTML reports."""

from __future__ import annotations

from advisor.bench.routespec import SHORT
from advisor.bench.schema import BenchResults


def _cost(value: float | None) -> str:
    return "unknown" if value is None else f"${value:.4f}"


def short_prompt_notes(results: BenchResults) -> list[str]:
    """``X_short`` next to ``X``: tokens per request and cost per 1,000 requests.

    This measures the claim that fine-tuning lets a team shorten its instructions.
    """
    notes: list[str] = []
    for name, short in results.routes.items():
        full = results.routes.get(name.removesuffix(SHORT))
        if not name.endswith(SHORT) or full is None:
            continue
        a, b = short.metrics, full.metrics
        if a is None or b is None:
            continue
        saved = 1 - a.tokens_per_request / b.tokens_per_request if b.tokens_per_request else 0.0
        notes.append(
            f"minimal prompt: {name} uses {a.tokens_per_request:.0f} tokens per request "
            f"({a.prompt_tokens_per_request:.0f} prompt) against {b.tokens_per_request:.0f} "
            f"({b.prompt_tokens_per_request:.0f} prompt) for {full.route} "
            f"({f'{saved:.0%} fewer' if saved >= 0 else f'{-saved:.0%} more'}); "
            f"cost per 1,000 requests {_cost(a.cost_per_1k_usd)} against "
            f"{_cost(b.cost_per_1k_usd)}; pass rate {a.pass_rate:.0%} against {b.pass_rate:.0%}"
        )
    return notes


def plan_notes(results: BenchResults) -> list[str]:
    """The plan's power figure: which differences this bench could have detected."""
    plan = results.plan
    if plan is None:
        return []
    return [
        f"plan: with {plan.n_prompts} prompts the smallest pass-rate difference detectable "
        f"at alpha {plan.alpha:g} with {plan.power:.0%} power is {plan.detectable_difference:.0%} "
        f"({plan.power_note})"
    ]
