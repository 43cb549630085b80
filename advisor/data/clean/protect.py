"""Text the cleaner must never remove: what the data's own prompts and graders require.

A sign-off that recurs in every answer looks like boilerplate, yet it may be the
very thing the system prompt asks for and a grader checks (the brand-voice
scenario's ``The Larkspur Crew``).  Protected, and so never removed as boilerplate:

* a line that occurs in a system or developer message of the file (the example's
  own, or one of the first distinct ones of the file);
* a line containing a phrase given with ``--keep``, or a literal a grader
  checks (``string_check`` references);
* any removal after which a grader's regular expression no longer matches an
  answer it matched before (``--grader FILE``: a grader JSON/YAML file, or a
  scenario TOML whose ``[[test.graders]]`` and ``system_prompt`` are read).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from advisor.errors import DataFileError

MAX_SYSTEM_TEXTS = 256


def normalized(text: str) -> str:
    return " ".join(text.split()).casefold()


class Protection:
    """Phrases, grader patterns and system texts that boilerplate removal must keep."""

    def __init__(
        self,
        phrases: Iterable[str] = (),
        patterns: Iterable[re.Pattern[str]] = (),
        system_texts: Iterable[str] = (),
    ) -> None:
        self.phrases = [p for p in (normalized(x) for x in phrases) if p]
        self.patterns = list(patterns)
        self.system_texts: list[str] = []
        self._seen: set[str] = set()
        for text in system_texts:
            self.add_system(text)

    def add_system(self, text: str) -> None:
        """Remember a system prompt of the file (the first MAX_SYSTEM_TEXTS distinct)."""
        norm = normalized(text)
        if norm and norm not in self._seen and len(self.system_texts) < MAX_SYSTEM_TEXTS:
            self._seen.add(norm)
            self.system_texts.append(norm)

    def keeps_line(self, line: str, own_system: str = "") -> bool:
        """True when the (normalised) ``line`` is required text."""
        if not line:
            return False
        if any(p in line for p in self.phrases):
            return True
        if own_system and line in own_system:
            return True
        return any(line in text for text in self.system_texts)

    def breaks_grader(self, before: str, after: str) -> bool:
        """True when a grader pattern that matched ``before`` no longer matches ``after``."""
        return any(p.search(before) and not p.search(after) for p in self.patterns)


def from_files(paths: Iterable[Path], phrases: Iterable[str] = ()) -> Protection:
    """A :class:`Protection` from ``--grader`` files and ``--keep`` phrases.

    Raises:
        DataFileError: a file cannot be read or parsed, or holds an invalid pattern.
    """
    found_phrases = list(phrases)
    patterns: list[re.Pattern[str]] = []
    systems: list[str] = []
    for path in paths:
        data = _read(path)
        if isinstance(data, dict) and isinstance(data.get("system_prompt"), str):
            systems.append(data["system_prompt"])
        for spec in _graders(data):
            _collect(spec, path, found_phrases, patterns)
    return Protection(found_phrases, patterns, systems)


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError.from_catalog(
            "core.data.clean.grader_file_unreadable", path=str(path), error=exc
        ) from exc
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise DataFileError.from_catalog(
            "core.data.clean.grader_file_unparsed", path=str(path)
        ) from exc


def _graders(data: Any) -> Iterable[dict[str, Any]]:
    """Every grader definition (a mapping with a ``type``) anywhere in ``data``."""
    if isinstance(data, dict):
        if isinstance(data.get("type"), str):
            yield data
        for value in data.values():
            yield from _graders(value)
    elif isinstance(data, list):
        for value in data:
            yield from _graders(value)


def _collect(
    spec: dict[str, Any], path: Path, phrases: list[str], patterns: list[re.Pattern[str]]
) -> None:
    kind = spec.get("type")
    if kind == "regex" and isinstance(spec.get("pattern"), str) and "{{" not in spec["pattern"]:
        flags = re.IGNORECASE if spec.get("ignore_case") else 0
        try:
            patterns.append(re.compile(spec["pattern"], flags))
        except re.error as exc:
            raise DataFileError.from_catalog(
                "core.data.clean.bad_pattern",
                path=str(path),
                name=repr(spec.get("name")),
                error=exc,
            ) from exc
    elif kind == "string_check" and spec.get("operation", "eq") in ("eq", "like", "ilike"):
        reference = spec.get("reference")
        if isinstance(reference, str) and "{{" not in reference:
            phrases.append(reference)
