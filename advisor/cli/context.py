"""Per-invocation state shared by the command modules: settings and backends."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

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
