"""Per-token inference prices for the bench's cost per 1,000 requests.

Model ids resolve like the data toolkit's price table does (aliases, dated
snapshots such as ``gpt-4.1-mini-2025-04-14``, fine-tuned ``ft:<base>:...``
ids, which use the fine-tuned price).  Inference prices come from the
toolkit's ``advisor/data/prices.yaml`` when its entries carry them, else from
``inference_prices.yaml`` beside this module.  Local backends cost 0.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

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
    import yaml

    text = resources.files("advisor.bench").joinpath("inference_prices.yaml").read_text("utf-8")
    return InferencePrices.model_validate(yaml.safe_load(text))


def base_model(model: str) -> tuple[str, bool]:
    """(base model without snapshot date, whether the id is a fine-tuned one)."""
    return ModelRef("plain", base_of(model)).family, model.startswith(OPENAI_FT_PREFIX)


def chat_price(backend: Backend, model: str) -> Price | None:
    """USD per 1M input/output tokens of ``model`` on ``backend``; None when unknown."""
    if backend.capabilities.runs_locally:
        return Price(0.0, 0.0, LOCAL_NOTE)
    base, fine_tuned = base_model(model)
    toolkit = _from_toolkit(model, fine_tuned)
    if toolkit is not None:
        return toolkit
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


def _from_toolkit(model: str, fine_tuned: bool) -> Price | None:
    """Inference prices from the data toolkit's table, if its entries carry them."""
    try:
        from advisor.data.prices import load_prices

        table = load_prices()
        entry = table.find(model)
    except Exception:  # the toolkit table is optional here; fall back to ours
        return None
    if entry is None:
        return None
    extra: dict[str, Any] = entry.model_extra or {}
    prefix = "fine_tuned_" if fine_tuned else ""
    inp = extra.get(f"{prefix}input_per_million_tokens")
    out = extra.get(f"{prefix}output_per_million_tokens")
    if inp is None or out is None:
        return None
    return Price(float(inp), float(out), f"prices as of {table.price_date}")
