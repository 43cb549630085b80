"""The built-in per-text rules of the cleaner, registered in the order they run."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from advisor.data.clean import flags as fl
from advisor.data.clean import rules
from advisor.data.clean.registry import Edit, Outcome, Rule, TextInfo, register

SPEAKERS = frozenset({"user", "assistant"})
MARKUP_KEPT = "HTML markup kept: it looks like content, not noise"


def _rewrite(edit: Callable[[str], tuple[str, list[Edit]]]) -> Callable[[str, TextInfo], Outcome]:
    def apply(text: str, info: TextInfo) -> Outcome:
        new, edits = edit(text)
        return Outcome(new, edits=edits)

    return apply


def _html(text: str, info: TextInfo) -> Outcome:
    if rules.looks_like_markup(text):
        return Outcome(text, flags=[(MARKUP_KEPT, None)])
    new, edits = rules.strip_html(text)
    return Outcome(new, edits=edits)


@cache
def _keeper(patterns: tuple[str, ...]) -> rules.Keeper | None:
    return rules.pii_keeper(list(patterns)) if patterns else None


def _pii(text: str, info: TextInfo) -> Outcome:
    new, edits = rules.mask_pii(text, _keeper(info.keep_pii))
    return Outcome(new, edits=edits)


def _mixed_width(text: str, info: TextInfo) -> Outcome:
    return Outcome(text, flags=list(fl.mixed_width(text)))


def _english_typos(text: str, info: TextInfo) -> Outcome:
    return Outcome(text, flags=[] if info.japanese else list(fl.english_typos(text)))


def _japanese_typos(text: str, info: TextInfo) -> Outcome:
    return Outcome(text, flags=list(fl.japanese_typos(text)) if info.japanese else [])


def _inappropriate(text: str, info: TextInfo) -> Outcome:
    return Outcome(text, flags=[(w, None) for w in fl.find_inappropriate(text, info.wordlist)])


for rule in (
    Rule(
        "control_chars",
        "noise",
        "changed",
        "control and zero-width characters removed, CR LF to LF",
        _rewrite(rules.strip_control),
    ),
    Rule("html", "noise", "changed", "HTML tags and entities outside code", _html),
    # Before widths are unified, or there is nothing left to see.
    Rule("typo_ja", "noise", "flagged", "words mixing widths", _mixed_width, roles=SPEAKERS),
    Rule(
        "width",
        "noise",
        "changed",
        "full-width letters and digits to ASCII, half-width katakana to full-width",
        _rewrite(rules.normalize_width),
    ),
    Rule(
        "pii",
        "noise",
        "changed",
        "e-mail addresses and phone numbers masked (except --keep-pii)",
        _pii,
    ),
    Rule(
        "typo_en",
        "flag",
        "flagged",
        "English words the dictionary does not know",
        _english_typos,
        roles=SPEAKERS,
    ),
    Rule(
        "typo_ja",
        "flag",
        "flagged",
        "duplicated Japanese particles",
        _japanese_typos,
        roles=SPEAKERS,
    ),
    Rule(
        "inappropriate",
        "flag",
        "flagged",
        "words of the inappropriate-word list",
        _inappropriate,
        roles=frozenset({"assistant"}),
    ),
):
    register(rule)
