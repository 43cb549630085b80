"""Per-invocation state shared by the command modules: settings and backends."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from advisor import messages
from advisor.errors import AdvisorError
from advisor.settings import Settings, load_settings

if TYPE_CHECKING:
    from backends.base import Backend


@cache
def settings() -> Settings:
    """The effective settings, loaded once per process."""
    return load_settings()


def backend(name: str | None = None, *, model: str | None = None) -> Backend:
    """The backend for ``--backend``, or the one a model id implies, or the default.

    ``advisor chat --model local:ft:...`` needs no ``--backend``: the id says where
    the model lives.
    """
    from advisor.registry import backend_for_model, get_backend

    if name is None and model is not None:
        name = backend_for_model(model, settings())
    return get_backend(name, settings())


def lang() -> messages.Lang:
    """The language of human output: ``advisor --lang``, ADVISOR_LANG, then the settings.

    Broken settings must not hide the error being reported: they read as English.
    """
    chosen = messages.chosen_lang()
    if chosen is not None:
        return chosen
    try:
        return settings().language
    except AdvisorError:
        return "en"


def t(key: str, **values: Any) -> str:
    """The CLI message ``key`` (advisor/messages.yaml) in the session's language."""
    return messages.text(key, lang(), **values)
