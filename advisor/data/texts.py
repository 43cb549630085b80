"""Texts the core writes for people: structured while they travel, rendered at the end.

The validator, the review queue and the cleaner produce a :class:`Said` (a catalog
key and its parameters) instead of a finished sentence; a shell renders it in the
language of the switch with :meth:`Said.render`.  Progress labels of long use
cases (calibration, deployment, bench phases, indexing, export, grow, review)
are :class:`Label` strings built the same way.  The catalog is ``texts.yaml``
next to this module (``en`` and ``ja`` for every key, the same ``{placeholders}``),
read with the models of :mod:`advisor.messages`.  A parameter may itself be a
:class:`Said` ("input message 2", "a boolean"): it is rendered in the same
language.  The English rendering is what JSON output carries, so it must not
change when a text is edited for people (tests pin the English sentences).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, NamedTuple

import yaml

from advisor.errors import DataFileError
from advisor.messages import DATA_TEXTS, Catalog, Localized, Message, StoredSentence


@cache
def catalog() -> dict[str, Message]:
    """``texts.yaml``: key -> the text in English and Japanese."""
    text = resources.files("advisor.data").joinpath("texts.yaml").read_text("utf-8")
    return Catalog.model_validate(yaml.safe_load(text)).root


class Said(NamedTuple):
    """A text not yet in a language: a key of ``texts.yaml`` and its parameters.

    A named tuple: a file with an error on every line makes millions of these,
    and a tuple is the cheapest object Python builds.
    """

    key: str
    params: dict[str, Any]

    @property
    def code(self) -> str:
        """The stable code a key belongs to: ``invalid_role.missing`` -> ``invalid_role``."""
        return self.key.partition(".")[0]

    def render(self, lang: str = "en") -> str:
        """The text in ``lang`` (English for any language but ``ja``)."""
        message = catalog()[self.key]
        template = message.ja if lang == "ja" else message.en
        values = {name: _rendered(value, lang) for name, value in self.params.items()}
        return template.format(**values)

    @property
    def en(self) -> str:
        return self.render("en")

    def stored_sentence(self) -> StoredSentence:
        """This text as a record stores it (a job's validation error), rendered when read."""
        return StoredSentence.of(Localized(DATA_TEXTS + self.key, self.params))


class Label(str):
    """A progress label: its English text *is* the string, so it fits ``Progress``
    (:data:`advisor.ids.Progress`); its :class:`Said` lets a shell show it in the
    reader's language (:func:`label_in`).  The core needs no language for it."""

    said: Said

    def __new__(cls, key: str, /, **params: Any) -> Label:
        said = say(key, **params)
        label = super().__new__(cls, said.en)
        label.said = said
        return label


def label_in(label: str, lang: str) -> str:
    """A progress label in ``lang``: a :class:`Label` rendered, any other text as it is."""
    return label.said.render(lang) if isinstance(label, Label) else label


def _rendered(value: Any, lang: str) -> Any:
    """A parameter in ``lang``: a nested text or label rendered, anything else as it is."""
    if isinstance(value, Label):
        value = value.said
    return value.render(lang) if isinstance(value, Said) else value


def say(key: str, /, **params: Any) -> Said:
    """A :class:`Said`; an unknown key fails here, where it is written, not when shown."""
    if key not in _keys():
        raise KeyError(f"{key!r} is not in advisor/data/texts.yaml")
    return Said(key, params)


@cache
def _keys() -> frozenset[str]:
    return frozenset(catalog())


class TextFileError(DataFileError):
    """A :class:`DataFileError` whose sentence is a :class:`Said`: shown in Japanese on request.

    ``str()`` is the English sentence as before (``path, line N: message``).
    """

    def __init__(self, said: Said, *, path: str | None = None, line: int | None = None) -> None:
        self.said = said
        super().__init__(said.en, path=path, line=line)

    def localized(self, lang: str) -> str:
        if lang != "ja":
            return super().localized(lang)
        message = self.said.render(lang)
        if self.path and self.line:
            return say("refusal.where_line", path=self.path, line=self.line).render(lang) + message
        return f"{self.path}: {message}" if self.path else message

    def stored_sentence(self) -> StoredSentence:
        """Its sentence (a data text) with its place, as :meth:`localized` says it."""
        if not self.path:
            return self.said.stored_sentence()
        where: Said | Localized = Localized("core.where_path", {"path": self.path})
        if self.line:
            where = say("refusal.where_line", path=self.path, line=self.line)
        return StoredSentence.of(Localized("core.located", {"where": where, "message": self.said}))
