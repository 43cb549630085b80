"""The dated price table in ``prices.yaml`` and OpenAI's default epoch rule."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, Field

# OpenAI's defaults (fine-tuning data preparation cookbook): aim at 3 epochs, but keep
# the examples seen in training between 100 and 25,000; longer examples are truncated.
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25
MAX_TOKENS_PER_EXAMPLE = 65_536


class ModelPrice(BaseModel):
    model: str
    aliases: list[str] = Field(default_factory=list)
    methods: list[str]
    training_per_million_tokens: float | None = None
    training_per_hour: float | None = None


class LocalReference(BaseModel):
    tokens_per_second: float = Field(ge=0)
    measured: str
    machine: str


class PriceTable(BaseModel):
    price_date: str
    source: str
    currency: str
    models: list[ModelPrice]
    local_reference: LocalReference

    def find(self, model: str) -> ModelPrice | None:
        """The price of ``model``: exact id, alias, or the base of a dated snapshot."""
        base = model.split(":")[1] if model.startswith("ft:") else model
        for entry in self.models:
            if base == entry.model or base in entry.aliases:
                return entry
        for entry in self.models:
            if any(base.startswith(alias + "-20") for alias in entry.aliases):
                return entry
        return None


@cache
def load_prices() -> PriceTable:
    text = resources.files("advisor.data").joinpath("prices.yaml").read_text(encoding="utf-8")
    return PriceTable.model_validate(yaml.safe_load(text))


def default_epochs(examples: int) -> int:
    """The number of epochs OpenAI picks when ``n_epochs`` is "auto"."""
    if examples <= 0:
        return TARGET_EPOCHS
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // examples)
    if examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // examples)
    return TARGET_EPOCHS
