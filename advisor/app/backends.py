"""Which backend a use case runs on: a small seam so each shell keeps its own cache.

The CLI builds a backend per command; the wizard keeps one per name for its
lifetime.  Use cases take a :data:`BackendSource` and never call the registry
for a backend the caller already holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.settings import Settings
    from backends.base import Backend

#: ``source(name)`` -> the backend called ``name``; ``None`` means the caller's default.
BackendSource = Callable[[str | None], "Backend"]


def registry_source(settings: Settings) -> BackendSource:
    """Backends straight from the registry (a new one per call)."""

    def source(name: str | None) -> Backend:
        from advisor.registry import get_backend

        return get_backend(name, settings)

    return source


def backend_name_for(name: str | None, model: str | None, settings: Settings) -> str | None:
    """``name`` if given, else the backend a model id implies (``local:ft:...`` -> local)."""
    if name is None and model is not None:
        from advisor.registry import backend_for_model

        return backend_for_model(model, settings)
    return name
