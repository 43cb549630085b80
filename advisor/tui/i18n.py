"""The wizard's own labels in the session's language (F3), from ``strings.yaml``.

A small catalog keyed by the English text, so a label missing from it simply
stays English.  Footer keys are translated by rewriting the descriptions of a
screen's (and the app's) bindings; each node keeps its English originals, so
switching back and forth never compounds.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from importlib.resources import files
from typing import Any

import yaml


@cache
def _catalog() -> dict[str, dict[str, str]]:
    text = files("advisor.tui").joinpath("strings.yaml").read_text(encoding="utf-8")
    data: dict[str, dict[str, str]] = yaml.safe_load(text)
    return data


def tr(text: str, lang: str) -> str:
    """``text`` in ``lang``; English, or a text the catalog lacks, comes back unchanged."""
    if lang == "en":
        return text
    return _catalog().get(lang, {}).get(text, text)


def translate_bindings(node: Any, lang: str) -> None:
    """Rewrite the footer descriptions of ``node``'s bindings (a screen or the app)."""
    key_to_bindings = node._bindings.key_to_bindings
    originals = node.__dict__.setdefault(
        "_english_bindings", {key: list(bindings) for key, bindings in key_to_bindings.items()}
    )
    for key, bindings in originals.items():
        key_to_bindings[key] = [replace(b, description=tr(b.description, lang)) for b in bindings]
