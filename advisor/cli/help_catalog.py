"""The Japanese texts of ``--help`` and of Click's usage errors (``help_ja.yaml``).

The English texts stay where they are written (the commands' docstrings and
``help=`` of their options); this catalog holds their Japanese, loaded on first
use and checked with pydantic, so nothing is translated at import and
``advisor --help`` in English never reads it.

* ``commands``: command path (``""`` is ``advisor`` itself, ``"data validate"``) ->
  the command's help text.
* ``options``: an option's or argument's English help text -> its Japanese (the
  same text is shared by many commands, e.g. ``--format``), as the wizard's
  catalog is keyed by its English.
* ``headings``, ``extras`` and ``errors``: Click's own words -- section headings, the
  ``[required]`` / ``[default: ...]`` notes, and its usage errors -- as templates
  whose ``{placeholders}`` match any text and are kept in the translation.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

# Placeholders whose captured text is itself a message to translate
# ("Invalid value for '--port': {message}" wraps the type's own complaint; "{kind} {path}
# is a directory." names the kind of path in a word of its own).
NESTED = frozenset({"message", "kind"})


class HelpCatalog(BaseModel):
    """``help_ja.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    headings: dict[str, str]
    try_help: str
    extras: dict[str, str]
    errors: dict[str, str]
    commands: dict[str, str]
    options: dict[str, str]


@cache
def catalog() -> HelpCatalog:
    import yaml  # here, not at the top: only a Japanese help page or usage error reads it

    text = resources.files("advisor.cli").joinpath("help_ja.yaml").read_text("utf-8")
    return HelpCatalog.model_validate(yaml.safe_load(text))


def _pattern(template: str) -> re.Pattern[str]:
    """``template`` as an anchored regex: each ``{name}`` matches any text (non-greedy)."""
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        f"(?P<{part}>.+?)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


@cache
def _patterns(section: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The templates of ``section``, longest first so the most specific one wins."""
    templates: dict[str, str] = getattr(catalog(), section)
    ordered = sorted(templates.items(), key=lambda item: -len(item[0]))
    return tuple((_pattern(english), japanese) for english, japanese in ordered)


def translate(text: str, section: str = "errors") -> str:
    """``text`` in Japanese when a template of ``section`` matches it whole, else unchanged."""
    for pattern, japanese in _patterns(section):
        match = pattern.fullmatch(text)
        if match is None:
            continue
        values = {
            name: translate(value, section) if name in NESTED else value
            for name, value in match.groupdict().items()
        }
        return japanese.format(**values)
    return text


def heading(english: str) -> str:
    return catalog().headings.get(english, english)


def command_help(path: str) -> str | None:
    """The Japanese help of the command at ``path`` (``"data validate"``), None if missing."""
    return catalog().commands.get(path)


def option_help(english: str) -> str | None:
    """The Japanese of an option's or argument's English help text, None if missing."""
    return catalog().options.get(english)
