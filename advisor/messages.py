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

A record that is read later (a job's error, a job event, a failed bench route)
stores its sentence as :class:`StoredSentence` (key and JSON values) beside its
English; :func:`stored_text` says it in the reader's language and release.
"""

from __future__ import annotations

import math
import os
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

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


# A key of the data toolkit's own catalog (``advisor/data/texts.yaml``, the texts of
# :class:`advisor.data.texts.Said`) as a stored sentence names it: the two catalogs are
# separate, so its keys are told apart by this prefix.
DATA_TEXTS = "data:"


@cache
def data_texts() -> dict[str, Message]:
    """``data/texts.yaml`` read here too, so a stored data text renders in this layer."""
    import yaml

    text = resources.files("advisor").joinpath("data/texts.yaml").read_text("utf-8")
    return Catalog.model_validate(yaml.safe_load(text)).root


def _message(key: str) -> Message:
    if key.startswith(DATA_TEXTS):
        return data_texts()[key.removeprefix(DATA_TEXTS)]
    return catalog()[key]


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


@dataclass(frozen=True)
class Worded:
    """A value of a sentence that its own source gives in each language, not the catalog
    (a price table's ``source`` and ``source_ja``): said in the sentence's language, and
    stored with both words (:class:`StoredSentence`), so the reader need not look it up."""

    en: str
    ja: str | None = None

    def localized(self, lang: str) -> str:
        """The words in ``lang``; English where the source gives none in it."""
        return self.ja if lang == "ja" and self.ja else self.en

    def __str__(self) -> str:
        return self.en


def hinted(message: str, hint: str, lang: str) -> str:
    """An error's sentence and its how-to-fix as one text, as the CLI prints an error."""
    if lang == "en":
        return f"{message.rstrip('.')}: {hint}"
    return f"{message.rstrip('。')}。{hint}"


def text(key: str, lang: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` (English for an unknown language), placeholders filled;
    a ``data:`` key is one of the data toolkit's texts (:data:`DATA_TEXTS`)."""
    message = _message(key)
    template = message.ja if lang == "ja" else message.en
    if not values:
        return template
    filled = {name: in_lang(v, lang) for name, v in values.items()}
    return template.format(**filled)


def text_or_raw(prefix: str, value: str, lang: str) -> str:
    """The catalog's word for ``value`` (key ``prefix + value``; ``prefix`` ends with its dot),
    else ``value`` as written.

    For words a service or another release stores (a job's status, an estimate's basis):
    one this release's catalog lacks must still show, not fail or vanish.
    """
    key = prefix + value
    return text(key, lang) if key in catalog() else value


# --- durations ---------------------------------------------------------------------------

# Each unit up to where the next reads quicker: (below these seconds, the unit's seconds,
# its key, its range key).  "100 s" reads quicker than "1.7 min", "90 min" than "1.5 h".
_DURATION_UNITS = (
    (120.0, 1.0, "core.duration.seconds", "core.duration.seconds_range"),
    (7200.0, 60.0, "core.duration.minutes", "core.duration.minutes_range"),
    (math.inf, 3600.0, "core.duration.hours", "core.duration.hours_range"),
)


def _duration_unit(seconds: float) -> tuple[float, str, str]:
    return next(unit[1:] for unit in _DURATION_UNITS if seconds < unit[0])


def _figure(seconds: float, unit: float) -> str:
    # Whole seconds; minutes and hours to a tenth below ten ("2.5 min"), whole from ten on
    # ("14 min"): the tenth matters in 2.5 min, not in 14.3 min.  "2.0" reads as "2".
    value = seconds / unit
    if unit == 1.0 or round(value, 1) >= 10:
        return f"{value:.0f}"
    return f"{value:.1f}".removesuffix(".0")


def duration_text(seconds: float | None, lang: str) -> str:
    """A duration in the unit a person reads at a glance (seconds below 2 min, minutes below
    2 h, else hours), or "unknown"; the one rule for jobs, data estimates and the bench plan."""
    if seconds is None:
        return text("core.duration.unknown", lang)
    unit, key, _ = _duration_unit(seconds)
    return text(key, lang, n=_figure(seconds, unit))


def duration_range_text(low: float | None, high: float | None, lang: str) -> str:
    """``low`` to ``high`` ("9-14 min") in one unit, the one ``high`` needs; ``low`` alone
    when the two read the same or ``high`` is unknown (a plan stored before ranges were)."""
    if low is None or high is None or duration_text(low, lang) == duration_text(high, lang):
        return duration_text(low, lang)
    unit, _, key = _duration_unit(high)
    return text(key, lang, low=_figure(low, unit), high=_figure(high, unit))


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
    found = _template_pattern(catalog()[key].en).fullmatch(sentence)
    return found.groupdict() if found else None


@cache  # the job log reads every event against each template: parsed once, not per event
def _template_pattern(template: str) -> re.Pattern[str]:
    pattern = "".join(
        re.escape(literal) + (f"(?P<{name}>.*)" if name else "")
        for literal, name, _, _ in string.Formatter().parse(template)
    )
    return re.compile(pattern, flags=re.DOTALL)


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


# --- sentences stored with a record (the job store, results.json) -----------------------

# A stored value that is itself a sentence is ``{NESTED: {"key": ..., "values": ...}}``,
# a :class:`Worded` value ``{WORDS: {"en": ..., "ja": ...}}``.  Only these are stored as
# objects (any other value that is not a JSON scalar is stored as its text), so no value
# of a user's can be read as a sentence.
NESTED = "$sentence"
WORDS = "$words"
# What rendering a sentence of another release raises: an unknown key (KeyError), a
# placeholder the stored values lack (KeyError), a format the value no longer fits.
_UNSAYABLE = (LookupError, ValueError, TypeError, AttributeError)


class StoredSentence(BaseModel):
    """A catalog sentence as a record stores it: its key and JSON-safe values.

    The JSON form of :class:`Localized` (``hint``: an error's how-to-fix sentence,
    joined as the CLI joins it).  Rendered when read, so it follows the wording of the
    release that reads it and any language its catalog has; :meth:`render` gives None
    for a sentence this release cannot say, and the reader falls back to the text
    stored beside it (:func:`stored_text`).
    """

    model_config = ConfigDict(extra="ignore")

    key: str
    values: dict[str, Any] = Field(default_factory=dict)
    hint: StoredSentence | None = None

    @classmethod
    def of(cls, sentence: Localized, hint: Localized | None = None) -> StoredSentence:
        """``sentence`` (and ``hint``) as stored: nested sentences kept, other values as JSON."""
        values = {name: _stored_value(value) for name, value in sentence.values.items()}
        return cls(key=sentence.key, values=values, hint=None if hint is None else cls.of(hint))

    def sentence(self) -> Localized:
        """The sentence again (without its hint), nested sentences as they were."""
        return Localized(self.key, {name: _loaded(value) for name, value in self.values.items()})

    def localized(self, lang: str) -> str:
        """The text in ``lang``; raises as :func:`text` does (:meth:`render` does not)."""
        said = self.sentence().localized(lang)
        return said if self.hint is None else hinted(said, self.hint.localized(lang), lang)

    def render(self, lang: str) -> str | None:
        """The text in ``lang``, or None when this release's catalog cannot say it."""
        try:
            return self.localized(lang)
        except _UNSAYABLE:
            return None

    def __str__(self) -> str:
        return self.localized("en")


def _stored_value(value: Any) -> Any:
    # An error quoted whole, or a data text, says how it is stored (``stored_sentence``;
    # None: an error not from the catalog, stored as its text).
    stored = getattr(value, "stored_sentence", None)
    sentence = stored() if callable(stored) else None
    if isinstance(value, Localized):
        sentence = StoredSentence.of(value)
    elif isinstance(value, StoredSentence):
        sentence = value
    if isinstance(sentence, StoredSentence):
        return {NESTED: sentence.model_dump(mode="json", exclude_none=True)}
    if isinstance(value, Worded):
        return {WORDS: {"en": value.en} | ({} if value.ja is None else {"ja": value.ja})}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # a Path, a number type of a library's, an exception: its text


def _loaded(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {NESTED}:
        nested = StoredSentence.model_validate(value[NESTED])
        return nested.sentence() if nested.hint is None else nested
    if isinstance(value, dict) and set(value) == {WORDS} and isinstance(value[WORDS], dict):
        words = value[WORDS]
        japanese = words.get("ja")
        return Worded(str(words.get("en", "")), japanese if isinstance(japanese, str) else None)
    return value


def stored_text(
    sentence: StoredSentence | None,
    english: str | Callable[[], str],
    japanese: str | None,
    lang: str,
) -> str:
    """What a stored record says in ``lang``: its sentence rendered, else the Japanese stored
    beside it (records written before the sentence was), else ``english``.

    English is the record's own (``--format json`` shows it; an error's English stays as
    raised, as :meth:`AdvisorError.localized` keeps it), so ``en`` never renders.
    ``english`` may be a function, for a fallback that costs work (a template search) only
    a record without a sentence or stored Japanese needs.
    """
    if sentence is not None and lang != "en" and lang in LANGS:
        rendered = sentence.render(lang)
        if rendered is not None:
            return rendered
    if lang == "ja" and japanese:
        return japanese
    return english() if callable(english) else english
