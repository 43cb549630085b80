"""The cleaner's rules by name, so each can be switched off and new ones plugged in.

A per-text rule is a :class:`Rule`: a function from a text (and what it is: role,
language) to the rewritten text, the edits made and the spans flagged.  Rules of
the ``noise`` stage run first, in registration order, and rewrite; rules of the
``flag`` stage run after the file-wide style rules and must only flag.

A module that adds rules (``advisor/data/clean/japanese.py``, for example)
calls :func:`register` at import time; every module of this package is
imported by :mod:`advisor.data.clean`, so dropping the file in is enough::

    from advisor.data.clean.registry import Outcome, Rule, TextInfo, register

    def fix_iteration_marks(text: str, info: TextInfo) -> Outcome:
        ...
        return Outcome(new_text, edits=[(before, after)])

    register(Rule("ja_iteration", "noise", "changed", "...", fix_iteration_marks,
                  japanese_only=True))

File-wide rules (punctuation, boilerplate, register, formatting, length
outliers, duplicates) live in the pipeline but are named here too
(:data:`FILE_RULES`), so ``--skip-rule`` knows every name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from advisor.errors import UserInputError

Edit = tuple[str, str]
Flagged = tuple[str, str | None]
Stage = Literal["noise", "flag"]
Action = Literal["changed", "flagged", "removed"]


@dataclass(frozen=True)
class TextInfo:
    """What a rule knows about the text it sees."""

    role: str
    japanese: bool
    lang: str = "auto"
    wordlist: str | None = None
    keep_pii: tuple[str, ...] = ()  # e-mail addresses and numbers never masked
    register: str | None = None  # "polite" or "plain": the opt-in register rewrite


@dataclass
class Outcome:
    text: str
    edits: list[Edit] = field(default_factory=list)
    flags: list[Flagged] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    name: str
    stage: Stage
    action: Action
    description: str
    apply: Callable[[str, TextInfo], Outcome]
    roles: frozenset[str] | None = None  # None: every role
    japanese_only: bool = False

    def wants(self, info: TextInfo) -> bool:
        if self.roles is not None and info.role not in self.roles:
            return False
        return info.japanese or not self.japanese_only


RULES: list[Rule] = []

FILE_RULES: dict[str, str] = {
    "punctuation": "Japanese 、。 versus ，．: the minority style becomes the majority one",
    "boilerplate": "lines recurring in at least 30% of the answers (never required text)",
    "register": "Japanese answers in the minority register (flag)",
    "formatting": "Markdown answers among plain ones or the reverse (flag)",
    "length_outlier": "answers far outside the typical length (flag)",
    "moderation": "OpenAI moderation categories (flag)",
    "duplicate": "exact duplicates (removed)",
    "near_duplicate": "near duplicates, MinHash (removed)",
    "invalid_json": "lines that are not JSON objects (removed; skipped: copied as they are)",
    "emptied": "examples whose text was only noise (removed)",
}


def register(rule: Rule) -> Rule:
    """Add ``rule`` after the rules of its stage registered so far.

    A per-text rule may share its name with a file-wide rule about the same
    thing (``register``): skipping the name switches both off.
    """
    RULES.append(rule)
    return rule


def rules(stage: Stage, skip: Iterable[str] = ()) -> list[Rule]:
    skipped = set(skip)
    return [r for r in RULES if r.stage == stage and r.name not in skipped]


def names() -> list[str]:
    """Every rule name, per-text and file-wide, sorted."""
    return sorted({r.name for r in RULES} | set(FILE_RULES))


def check_names(given: Iterable[str]) -> None:
    """Raise :class:`UserInputError` for a rule name that does not exist."""
    known = set(names())
    for name in given:
        if name not in known:
            raise UserInputError.from_catalog(
                "core.data.clean.unknown_rule",
                hint_key="core.data.clean.unknown_rule_hint",
                name=repr(name),
                names=", ".join(sorted(known)),
            )
