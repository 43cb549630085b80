"""Find and build backends through the ``advisor.backends`` entry-point group."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor import plugins

if TYPE_CHECKING:
    from advisor.settings import Settings
    from backends.base import Backend


def backend_names() -> list[str]:
    """Names of every installed backend, sorted."""
    return sorted(plugins.installed())


def backend_class(name: str) -> type[Backend]:
    """The class registered under ``name``.

    Raises:
        BackendNotFoundError: no backend has that name (the message lists them).
        BackendUnavailableError: the backend's module cannot be imported.
    """
    cls: type[Backend] = plugins.load(name)
    return cls


def get_backend(name: str | None = None, settings: Settings | None = None) -> Backend:
    """Build the backend ``name`` (default: ``settings.backend``)."""
    from advisor.settings import load_settings

    settings = settings or load_settings()
    return backend_class(name or settings.backend)(settings)


def backend_for_model(model: str, settings: Settings) -> str | None:
    """The backend implied by a model id, e.g. ``local:ft:...`` -> ``local``; else None."""
    from advisor.errors import ModelNotFoundError
    from advisor.ids import ModelRef

    if model.startswith("local:"):  # any local id, even one the parser refuses: local says why
        return "local"
    try:
        return ModelRef.parse(model).backend
    except ModelNotFoundError:
        return "openai"  # a malformed ft: id; OpenAI's own error names the problem
