"""Per-token inference prices for the bench's cost per 1,000 requests.

Model ids resolve like the data toolkit's price table does (aliases, dated
snapshots such as ``gpt-4.1-mini-2025-04-14``, fine-tuned ``ft:<base>:...``
ids, which use the fine-tuned price).  Inference prices come from the one
price table, ``advisor/data/prices.yaml`` (or the copy installed by
``advisor prices refresh``).  Local backends cost 0.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from pydantic import BaseModel

from advisor.bench.metrics import Price
from advisor.ids import OPENAI_FT_PREFIX, ModelRef, base_of

if TYPE_CHECKING:
    from backends.base import Backend

LOCAL_NOTE = "local backend: no per-request charge (hardware and power not counted)"


class ModelInferencePrice(BaseModel):
    input: float
    output: float
    fine_tuned_input: float | None = None
    fine_tuned_output: float | None = None


class InferencePrices(BaseModel):
    price_date: str
    source: str
    currency: str = "USD"
    models: dict[str, ModelInferencePrice]


@cache
def load_inference_prices() -> InferencePrices:
    """The inference columns of the one price table, keyed by base model id."""
    from advisor.data.prices import load_prices

    table = load_prices()
    models: dict[str, ModelInferencePrice] = {}
    for entry in table.models:
        if entry.input_per_million_tokens is None or entry.output_per_million_tokens is None:
            continue
        price = ModelInferencePrice(
            input=entry.input_per_million_tokens,
            output=entry.output_per_million_tokens,
            fine_tuned_input=entry.fine_tuned_input_per_million_tokens,
            fine_tuned_output=entry.fine_tuned_output_per_million_tokens,
        )
        for name in (entry.model, *entry.aliases):
            models[ModelRef("plain", name).family] = price
    return InferencePrices(
        price_date=table.price_date, source=table.source, currency=table.currency, models=models
    )


def base_model(model: str) -> tuple[str, bool]:
    """(base model without snapshot date, whether the id is a fine-tuned one)."""
    return ModelRef("plain", base_of(model)).family, model.startswith(OPENAI_FT_PREFIX)


def chat_price(backend: Backend, model: str) -> Price | None:
    """USD per 1M input/output tokens of ``model`` on ``backend``; None when unknown."""
    if backend.capabilities.runs_locally:
        return Price(0.0, 0.0, LOCAL_NOTE)
    base, fine_tuned = base_model(model)
    table = load_inference_prices()
    entry = table.models.get(base)
    if entry is None:
        return None
    if fine_tuned and entry.fine_tuned_input is not None and entry.fine_tuned_output is not None:
        return Price(
            entry.fine_tuned_input,
            entry.fine_tuned_output,
            f"fine-tuned {base} prices as of {table.price_date}",
        )
    return Price(entry.input, entry.output, f"{base} prices as of {table.price_date}")
