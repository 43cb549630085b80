"""The one language switch of everything people read, and the CLI's message catalog.

The language comes from, strongest first: a per-command ``--lang``, the global
``advisor --lang``, ``ADVISOR_LANG`` (or ``ADVISOR_LANGUAGE`` / ``language`` in
advisor.toml, read by the shells through the settings), else English.  This
module sits in the lowest layer so that every shell and the error rendering can
use it; it reads no settings itself, the shells hand it the settings' value.

The CLI's texts live in ``messages.yaml`` (one key, ``en`` and ``ja``, the same
``{placeholders}``), loaded on first use and checked with pydantic; a test
checks every catalog of the product for both languages.  JSON output never goes
through here: it stays machine-readable in every language.
"""

from __future__ import annotations

import os
import string
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, RootModel

Lang = Literal["en", "ja"]
LANGS: tuple[Lang, ...] = ("en", "ja")

_chosen: Lang | None = None  # set by the global --lang for this process


class Message(BaseModel):
    """One message in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str
    ja: str


class Catalog(RootModel[dict[str, Message]]):
    """``messages.yaml``: message key -> texts."""


@cache
def catalog() -> dict[str, Message]:
    import yaml  # here, not at the top: a command that prints no message never parses YAML

    text = resources.files("advisor").joinpath("messages.yaml").read_text("utf-8")
    return Catalog.model_validate(yaml.safe_load(text)).root


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a text fills (a test compares them across languages)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def as_lang(value: str | None) -> Lang | None:
    """``value`` as a supported language, or None (unset or unknown)."""
    value = (value or "").strip().lower()
    if value == "ja":
        return "ja"
    return "en" if value == "en" else None


def set_lang(lang: str | None) -> None:
    """Choose the language for the rest of this process (the global ``--lang``)."""
    global _chosen
    _chosen = as_lang(lang)


def chosen_lang() -> Lang | None:
    """The language set by ``--lang`` or the environment, None when neither says.

    ``ADVISOR_LANG`` is read here, not by the settings: the shells ask this first and
    fall back to the ``language`` setting (ADVISOR_LANGUAGE, advisor.toml).
    """
    if _chosen is not None:
        return _chosen
    return as_lang(os.environ.get("ADVISOR_LANG")) or as_lang(os.environ.get("ADVISOR_LANGUAGE"))


def text(key: str, lang: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` (English for an unknown language), placeholders filled."""
    message = catalog()[key]
    template = message.ja if lang == "ja" else message.en
    return template.format(**values) if values else template
