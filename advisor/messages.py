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
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
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


# messages.yaml: the shells' texts; messages_core.yaml: texts the core hands to people
# (errors raised from advisor/app, bench verdicts, backend reasons); bench/report_strings.yaml:
# the words of the bench report; messages_core_errors.yaml: errors raised deeper in the core
# (RAG, graders, scenarios, export writers); messages_backends_*.yaml: errors the backends raise.
CATALOG_FILES = (
    "messages.yaml",
    "messages_core.yaml",
    "bench/report_strings.yaml",
    "messages_core_errors.yaml",
    "messages_backends_openai.yaml",
    "messages_backends_local.yaml",
    "messages_backends_engine.yaml",
    "messages_core_errors_bench.yaml",
    "messages_core_errors_shell.yaml",
    "messages_core_errors_data.yaml",
    "messages_core_errors_io.yaml",
)


@cache
def catalog() -> dict[str, Message]:
    import yaml  # here, not at the top: a command that prints no message never parses YAML

    merged: dict[str, Message] = {}
    for name in CATALOG_FILES:
        text = resources.files("advisor").joinpath(name).read_text("utf-8")
        part = Catalog.model_validate(yaml.safe_load(text)).root
        twice = sorted(set(part) & set(merged))
        if twice:  # a key in two files would silently shadow one text
            raise ValueError(f"{name} repeats the message keys {', '.join(twice)}")
        merged.update(part)
    return merged


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


@dataclass(frozen=True)
class Localized:
    """A catalog sentence not yet in a language: its key and values.

    The one carrier of a catalog message: an error from the catalog holds one (and one
    for its hint), so does the warm server's internal exception; used as a value of
    another message it is filled in the outer one's language (e.g. a backend's unusable
    reason inside the error that says why it cannot be used).
    """

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def localized(self, lang: str) -> str:
        """The sentence in ``lang`` (English for an unknown language)."""
        return text(self.key, lang, **self.values)

    def __str__(self) -> str:
        return self.localized("en")


def text(key: str, lang: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` (English for an unknown language), placeholders filled."""
    message = catalog()[key]
    template = message.ja if lang == "ja" else message.en
    if not values:
        return template
    filled = {name: in_lang(v, lang) for name, v in values.items()}
    return template.format(**filled)


def in_lang(value: Any, lang: str) -> Any:
    """A message's value in ``lang``: a nested message, or an error quoted whole (it has
    ``localized``); any other value as it is, for the template to format."""
    if isinstance(value, Localized):
        return value.localized(lang)
    localized = getattr(value, "localized", None)
    if lang != "en" and callable(localized):  # English: the value's str, as always
        return localized(lang)
    return value


def match(key: str, sentence: str) -> dict[str, str] | None:
    """The values that make ``key``'s English text equal ``sentence``, or None."""
    template = catalog()[key].en
    pattern = "".join(
        re.escape(literal) + (f"(?P<{name}>.*)" if name else "")
        for literal, name, _, _ in string.Formatter().parse(template)
    )
    found = re.fullmatch(pattern, sentence, flags=re.DOTALL)
    return found.groupdict() if found else None


def recognised(sentence: str, keys: tuple[str, ...], lang: str) -> str:
    """A sentence stored in English (results.json, the job log), in ``lang``.

    Found again by the first of ``keys`` (most specific first) whose English template
    it fills; a sentence no template matches (a library's or a provider's) stays as written.
    """
    if lang != "ja":
        return sentence
    for key in keys:
        values = match(key, sentence)
        if values is not None:
            return text(key, lang, **values)
    return sentence
