"""The ``advisor.backends`` entry-point group: the one list of installed backends.

Low in the layers so that both :mod:`advisor.settings` (which validates each
backend's ``[section]`` with the model the backend declares) and
:mod:`advisor.registry` (which builds backends) read the same list.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from advisor.errors import BackendNotFoundError, BackendUnavailableError

ENTRY_POINT_GROUP = "advisor.backends"


@cache
def installed() -> dict[str, EntryPoint]:
    """Every registered backend by name (built-in ones included)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load(name: str) -> Any:
    """The class registered under ``name``.

    Raises:
        BackendNotFoundError: no backend has that name (the message lists them).
        BackendUnavailableError: the backend's module cannot be imported.
    """
    try:
        entry = installed()[name]
    except KeyError:
        names = ", ".join(sorted(installed())) or "none"
        raise BackendNotFoundError.from_catalog(
            "core.plugins.unknown_backend",
            hint_key="core.plugins.choose_one",
            name=repr(name),
            names=names,
        ) from None
    try:
        return entry.load()
    except ImportError as exc:
        raise BackendUnavailableError.from_catalog(
            "core.plugins.cannot_import",
            hint_key="core.plugins.reinstall",
            name=name,
            error=str(exc),
        ) from exc
