"""Cost over time, weighted by quality (issue 16, item 2): the one implementation
behind ``advisor cost`` and the wizard's Cost tab.

The price table in force (a refreshed one included) prices the tokens a bench
measured; the ``knowledge_changes`` answer sets how often a fine-tuned route is
re-trained within the horizon.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.bench.cost import CostReport
    from advisor.bench.schema import BenchResults

DEFAULT_VOLUME = 1000
DEFAULT_MONTHS = 12


def cost_over_time(
    results: BenchResults,
    *,
    volume: int = DEFAULT_VOLUME,
    months: int = DEFAULT_MONTHS,
    answers: Mapping[str, Any] | None = None,
    hosting_usd_per_hour: float = 0.0,
    price_model: str | None = None,
) -> CostReport:
    """Cumulative cost per route, cost per correct answer and the crossovers.

    Raises:
        UserInputError: ``price_model`` has no entry in the price table.
        DataFileError: an answer in ``answers`` is not valid for its question.
    """
    from advisor.bench.cost import route_costs
    from advisor.data.prices import load_prices
    from advisor.errors import UserInputError

    table = load_prices()
    if price_model is not None and table.find(price_model) is None:
        listed = ", ".join(m.model for m in table.models)
        raise UserInputError.from_catalog(
            "report.no_price", hint_key="cost.use_one_of", model=repr(price_model), models=listed
        )
    return route_costs(
        results,
        table,
        volume=volume,
        months=months,
        knowledge_changes=knowledge_changes(answers),
        hosting_usd_per_hour=hosting_usd_per_hour,
        price_model=price_model,
    )


def knowledge_changes(answers: Mapping[str, Any] | None) -> str:
    """The ``knowledge_changes`` answer, or its default when none was given."""
    if not answers:
        return "rarely"
    from advisor.criteria import Answers

    return str(Answers(dict(answers)).resolved()["knowledge_changes"])
