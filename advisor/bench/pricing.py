"""Per-token chat prices for the cost estimate, from the data toolkit's price table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.bench.metrics import Price

if TYPE_CHECKING:
    from backends.base import Backend

LOCAL_NOTE = "local backend: no per-request charge (hardware and power not counted)"


def chat_price(backend: Backend, model: str) -> Price | None:
    """USD per 1M input/output tokens of ``model`` on ``backend``; None when unknown."""
    if backend.capabilities.runs_locally:
        return Price(0.0, 0.0, LOCAL_NOTE)
    table = _price_table()
    entry = _lookup(table, model)
    if entry is None:
        return None
    date = table.get("date") or table.get("price_date")
    note = f"prices as of {date}" if date else None
    return Price(entry[0], entry[1], note)


def _price_table() -> dict[str, Any]:
    from importlib import resources

    import yaml

    try:
        text = resources.files("advisor.data").joinpath("prices.yaml").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    data = yaml.safe_load(text)
    return data if isinstance(data, dict) else {}


def _lookup(table: dict[str, Any], model: str) -> tuple[float, float] | None:
    """Find ``model`` (or the base of a fine-tuned ``ft:<base>:...`` id) in the table."""
    models = table.get("models") or table.get("chat") or {}
    candidates = [model]
    if model.startswith("ft:"):
        candidates.insert(0, model)
        candidates.append(model.split(":")[1])
    for name in candidates:
        entry = models.get(name) if isinstance(models, dict) else None
        if isinstance(entry, dict):
            prices = _entry_prices(entry, fine_tuned=name != model or model.startswith("ft:"))
            if prices is not None:
                return prices
    return None


def _entry_prices(entry: dict[str, Any], *, fine_tuned: bool) -> tuple[float, float] | None:
    if fine_tuned and isinstance(entry.get("fine_tuned"), dict):
        entry = entry["fine_tuned"]
    for inp, out in (("input", "output"), ("input_per_1m", "output_per_1m")):
        if inp in entry and out in entry:
            return float(entry[inp]), float(entry[out])
    return None
