"""The dated price table in ``prices.yaml`` and OpenAI's default epoch rule."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, Field

from advisor.ids import auto_epochs, base_of

# OpenAI truncates longer training examples (fine-tuning data preparation cookbook).
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
        base = base_of(model)
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
    """The number of epochs OpenAI picks when ``n_epochs`` is "auto" (see advisor.ids)."""
    return auto_epochs(examples)
