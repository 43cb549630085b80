"""The one dated price table (training and inference) and OpenAI's default epoch rule.

``prices.yaml`` ships with the package; ``advisor prices refresh FILE`` validates a
user-supplied table and installs it as ``<data dir>/prices.yaml``, which then wins.
The same goes for the lifecycle table (``<data dir>/lifecycle.yaml``).
"""

from __future__ import annotations

import shutil
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from advisor.criteria.lifecycle import Lifecycle, parse_lifecycle, shipped_lifecycle
from advisor.errors import DataFileError, first_worded
from advisor.ids import auto_epochs, base_of
from advisor.messages import Localized

PRICES_FILE = "prices.yaml"
LIFECYCLE_FILE = "lifecycle.yaml"

# OpenAI truncates longer training examples (fine-tuning data preparation cookbook).
MAX_TOKENS_PER_EXAMPLE = 65_536


class ModelPrice(BaseModel):
    """One model on one provider: training and inference prices (USD), dated and sourced."""

    # A misspelt field in a user-supplied table is an error, not a silently missing price.
    model_config = ConfigDict(extra="forbid")

    provider: Literal["openai", "azure", "local", "compatible"] = "openai"
    model: str
    aliases: list[str] = Field(default_factory=list)
    methods: list[str]
    training_per_million_tokens: float | None = Field(None, ge=0)
    training_per_hour: float | None = Field(None, ge=0)
    input_per_million_tokens: float | None = Field(None, ge=0)
    output_per_million_tokens: float | None = Field(None, ge=0)
    fine_tuned_input_per_million_tokens: float | None = Field(None, ge=0)
    fine_tuned_output_per_million_tokens: float | None = Field(None, ge=0)
    fine_tuned_hosting_per_hour: float | None = Field(
        None, ge=0, description="Hourly fee while a fine-tuned model is deployed (Azure)."
    )
    price_date: str | None = Field(None, description="When these figures were read.")
    source: str | None = Field(None, description="Where they were read.")
    # Shown by `advisor --lang ja prices show`; JSON keeps the English source only.
    source_ja: str | None = Field(None, exclude=True, description="The source in Japanese.")


class LocalReference(BaseModel):
    tokens_per_second: float = Field(ge=0)
    measured: str
    machine: str


class PriceTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    price_date: str
    source: str
    source_ja: str | None = Field(None, exclude=True, description="The source in Japanese.")
    currency: str
    models: list[ModelPrice]
    local_reference: LocalReference

    def dated(self, entry: ModelPrice, lang: str = "en") -> tuple[str, str]:
        """(date, source) of an entry, falling back to the table's; the source in ``lang``."""
        source = entry.source or self.source
        if lang == "ja":
            japanese = entry.source_ja if entry.source else self.source_ja
            source = japanese or source
        return entry.price_date or self.price_date, source

    def find(self, model: str, provider: str | None = None) -> ModelPrice | None:
        """The price of ``model``: exact id, alias, or the base of a dated snapshot.

        With ``provider``, that provider's entry wins over another's for the same model.
        Azure's fine-tuned ids (``<base>.ft-<hex>``) are priced as their base.
        """
        base = base_of(model).split(".ft-")[0]
        entries = sorted(self.models, key=lambda entry: entry.provider != provider)
        for entry in entries:
            if base == entry.model or base in entry.aliases:
                return entry
        for entry in entries:
            if any(base.startswith(alias + "-20") for alias in entry.aliases):
                return entry
        return None


def installed_path(name: str) -> Path:
    """Where ``advisor prices refresh`` installs a table (``prices.yaml``/``lifecycle.yaml``)."""
    from advisor.settings import load_settings

    return load_settings().data_dir / name


def parse_prices(data: Any, *, path: str = PRICES_FILE) -> PriceTable:
    try:
        return PriceTable.model_validate(data)
    except ValidationError as exc:
        loc, problem = first_worded(exc)
        raise DataFileError.from_catalog(
            "core.prices.invalid",
            path=path,
            where=loc or Localized("core.prices.top_level"),
            error=problem,
        ) from exc


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataFileError.from_catalog(
            "core.prices.cannot_read", path=str(path), error=exc.strerror
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DataFileError.from_catalog(
            "core.prices.invalid_yaml", path=str(path), line=line
        ) from exc


@cache
def load_prices() -> PriceTable:
    """The installed table if ``advisor prices refresh`` put one in the data dir, else ours."""
    installed = installed_path(PRICES_FILE)
    if installed.is_file():
        return parse_prices(_read_yaml(installed), path=str(installed))
    text = resources.files("advisor.data").joinpath(PRICES_FILE).read_text(encoding="utf-8")
    return parse_prices(yaml.safe_load(text))


@cache
def load_lifecycle() -> Lifecycle:
    """The installed lifecycle table if there is one, else the one shipped with the catalog."""
    installed = installed_path(LIFECYCLE_FILE)
    if installed.is_file():
        return parse_lifecycle(_read_yaml(installed), path=str(installed))
    return shipped_lifecycle()


def refresh_table(source: Path) -> tuple[str, Path]:
    """Validate ``source`` (a price or a lifecycle table) and install it; (kind, target)."""
    data = _read_yaml(source)
    if isinstance(data, dict) and "entries" in data:
        parse_lifecycle(data, path=str(source))
        kind, name = "lifecycle", LIFECYCLE_FILE
    else:
        parse_prices(data, path=str(source))
        kind, name = "prices", PRICES_FILE
    target = installed_path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    load_prices.cache_clear()
    load_lifecycle.cache_clear()
    return kind, target


def default_epochs(examples: int) -> int:
    """The number of epochs OpenAI picks when ``n_epochs`` is "auto" (see advisor.ids)."""
    return auto_epochs(examples)
