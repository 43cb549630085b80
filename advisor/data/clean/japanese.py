"""Japanese cleansing: typos to flag, register to unify, insults to flag.

Everything here works on one text at a time, so the cleaner can call it per
record.  Findings are ``(rule, before, suggestion)``: the suspicious span as
it appears in the text and what it most likely should be; nothing is
rewritten except by :func:`unify_register`, which runs only when asked for.

* doubled characters: a polite ending written twice (「ありますます」), a
  kanji or katakana word written twice (「交換交換」);
* dropped characters: 「お届けしま。」 (す dropped), 「できまん」 (せ),
  「でょう」 (し), 「くだい」 (さ);
* misconversions: a table of common wrong kanji in customer support
  (advisor/data/misconversions_ja.yaml), each with its correction;
* insults and harassment: advisor/data/inappropriate_words_ja.txt, matched
  so that a katakana entry is a whole katakana word (バカ is not in バカンス).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

import yaml

from advisor.data.clean.registry import Outcome, Rule, TextInfo, register
from advisor.data.clean.rules import CODE

Finding = tuple[str, str, str]  # (rule, before, suggestion)
Register = Literal["polite", "plain"]

HIRA = "\u3040-\u309f"
KATA = "\u30a0-\u30ff"
KANJI = "\u4e00-\u9fff\u3005"
END = r"(?=[。！？!?」』）)\n]|$)"

# 「ありますます」: the ending written twice.  The adverb ますます (increasingly)
# is followed by a word, never by the end of a sentence.
DOUBLED_ENDING = re.compile(
    f"(?<=[{HIRA}{KANJI}])(ます|です|ました|でした|ません|ください|ございます)\\1{END}"
)
# A kanji word of 2-8 or a katakana word of 3-12 characters written twice: 「交換交換」.
# Shorter katakana doubles are onomatopoeia (ドキドキ, ガタガタ).  The bounds keep the
# search linear: unbounded, a long run of kana was tried at every length from every
# position (issue 18's quadratic clean).
DOUBLED_WORD = re.compile(f"([{KANJI}]{{2,8}}|[{KATA}]{{3,12}})\\1")
DROPPED: tuple[tuple[re.Pattern[str], str, str], ...] = (
    # 「お届けしま。」: a polite verb that lost its す.
    # Not after ま: 「そのまま。」 is whole.
    (re.compile(f"(?<=[{HIRA}{KANJI}])(?<!ま)(ま){END}"), "ま", "ます"),
    # 「できまん。」: ません that lost its せ.
    (re.compile(f"(?<=[{HIRA}])(まん){END}"), "まん", "ません"),
    # 「でょう」 and 「くだい」 are not Japanese; でしょう and ください are.
    (re.compile("(でょう)"), "でょう", "でしょう"),
    (re.compile("(くだい)"), "くだい", "ください"),
)
# Sentence endings of each register, and their counterpart (longest first).
TO_POLITE = (
    ("ではない", "ではありません"),
    ("じゃない", "ではありません"),
    ("であった", "でした"),
    ("だった", "でした"),
    ("だろう", "でしょう"),
    ("である", "です"),
    ("のだ", "のです"),
    ("できる", "できます"),
    ("あった", "ありました"),
    ("した", "しました"),
    ("する", "します"),
    ("ある", "あります"),
    ("いる", "います"),
    ("なる", "なります"),
    ("だ", "です"),
)
TO_PLAIN = (
    ("ではありません", "ではない"),
    ("ありました", "あった"),
    ("しました", "した"),
    ("できます", "できる"),
    ("あります", "ある"),
    ("なります", "なる"),
    ("でしょう", "だろう"),
    ("でした", "だった"),
    ("します", "する"),
    ("います", "いる"),
    ("です", "だ"),
)


def _plain_text(text: str) -> str:
    """``text`` with code blanked out (same length, so spans stay comparable)."""
    return CODE.sub(lambda m: " " * len(m.group(0)), text)


def typos(text: str) -> list[Finding]:
    """Doubled and dropped characters and known misconversions, in text order."""
    plain = _plain_text(text)
    found: list[tuple[int, Finding]] = []
    for match in DOUBLED_ENDING.finditer(plain):
        context = plain[max(0, match.start() - 2) : match.start()]
        found.append(
            (match.start(), ("typo_ja_doubled", context + match.group(0), context + match.group(1)))
        )
    for match in DOUBLED_WORD.finditer(plain):
        found.append((match.start(), ("typo_ja_doubled", match.group(0), match.group(1))))
    for pattern, wrong, right in DROPPED:
        for match in pattern.finditer(plain):
            # Show the word around the gap: 「しま」 alone says little.
            start = max(0, match.start() - 3)
            before = plain[start : match.end()]
            found.append(
                (match.start(), ("typo_ja_dropped", before, before[: -len(wrong)] + right))
            )
    for pattern, right in misconversions():
        for match in pattern.finditer(plain):
            found.append((match.start(), ("misconversion_ja", match.group(0), right)))
    return [finding for _, finding in sorted(found, key=lambda pair: pair[0])]


@cache
def misconversions() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern, correction) pairs from the packaged table."""
    text = resources.files("advisor.data").joinpath("misconversions_ja.yaml").read_text("utf-8")
    rows = yaml.safe_load(text) or []
    return tuple((re.compile(row["pattern"]), str(row["fix"])) for row in rows)


# Endings that are already polite: 「しました」 holds 「した」 but needs nothing.
POLITE_TAIL = re.compile("(?:ました|でした|ません|です|ます)$")
# 「読んだ」「泳いだ」 are past tenses, not the copula だ.
NOT_COPULA = re.compile("[んい]だ$")


def _ending_pattern(pairs: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    words = "|".join(re.escape(old) for old, _ in pairs)
    return re.compile(f"(?<=[{HIRA}{KATA}{KANJI}])({words}){END}")


def unify_register(text: str, target: Register) -> tuple[str, list[tuple[str, str]]]:
    """Rewrite sentence endings into ``target`` (です/ます = polite, だ/である = plain).

    Only endings in the tables are rewritten, at the end of a sentence; every
    edit is returned as ``(before, after)`` with the two characters before the
    ending, so that a reviewer sees the word it belongs to.
    """
    pairs = TO_POLITE if target == "polite" else TO_PLAIN
    mapping = dict(pairs)
    pattern = _ending_pattern(pairs)
    edits: list[tuple[str, str]] = []
    out: list[str] = []
    last = 0
    plain = _plain_text(text)
    for match in pattern.finditer(plain):
        old = match.group(1)
        new = mapping[old]
        head = plain[: match.end()]
        if target == "polite" and (POLITE_TAIL.search(head) or NOT_COPULA.search(head)):
            continue
        if target == "plain" and old == "です" and plain[match.start() - 1] == "い":
            new = ""  # 「良いです」 -> 「良い」, not 「良いだ」
        context = text[max(0, match.start() - 2) : match.start()]
        edits.append((context + old, context + new))
        out.append(text[last : match.start()] + new)
        last = match.end()
    out.append(text[last:])
    return "".join(out), edits


@cache
def insult_words(path: str | None = None) -> tuple[str, ...]:
    """The Japanese word list (the packaged one, or ``path``)."""
    from advisor.data.clean.flags import word_list_text

    text = word_list_text("inappropriate_words_ja.txt", path)
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(w for w in words if w and not w.isascii())


@cache
def _insult_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word)
        # A katakana word must stand alone among katakana: バカ, not バカンス.
        if re.fullmatch(f"[{KATA}]+", word):
            escaped = f"(?<![{KATA}]){escaped}(?![{KATA}])"
        parts.append(escaped)
    return re.compile("|".join(parts))


def insults(text: str, path: str | None = None) -> list[str]:
    """Insults and harassment from the Japanese list found in ``text``."""
    pattern = _insult_pattern(insult_words(path))
    return [m.group(0) for m in pattern.finditer(text)] if pattern else []


# --- the cleaner's rules (registered when advisor.data.clean imports this module) ------

SPEAKERS = frozenset({"user", "assistant"})


@lru_cache(maxsize=256)
def _typos(text: str) -> tuple[Finding, ...]:
    # Three rules ask for the same text in a row: find once.
    return tuple(typos(text))


def _typo_rule(name: str) -> Callable[[str, TextInfo], Outcome]:
    def apply(text: str, info: TextInfo) -> Outcome:
        return Outcome(text, flags=[(b, a) for rule, b, a in _typos(text) if rule == name])

    return apply


def _register(text: str, info: TextInfo) -> Outcome:
    if info.register not in ("polite", "plain"):
        return Outcome(text)
    new, edits = unify_register(text, info.register)  # type: ignore[arg-type]
    return Outcome(new, edits=edits)


def _insults(text: str, info: TextInfo) -> Outcome:
    if info.wordlist is not None:  # an own list replaces both packaged ones
        return Outcome(text)
    from advisor.data.clean.flags import find_inappropriate

    listed = set(find_inappropriate(text))  # already flagged by the packaged list's rule
    return Outcome(text, flags=[(w, None) for w in insults(text) if w not in listed])


register(
    Rule(
        "register",
        "noise",
        "changed",
        "Japanese answers rewritten into one register (opt-in: --register)",
        _register,
        roles=frozenset({"assistant"}),
        japanese_only=True,
    )
)
for _name, _what in (
    ("typo_ja_doubled", "doubled Japanese characters (「ありますます」)"),
    ("typo_ja_dropped", "dropped Japanese characters (「お届けしま。」)"),
    ("misconversion_ja", "common Japanese misconversions"),
):
    register(
        Rule(_name, "flag", "flagged", _what, _typo_rule(_name), roles=SPEAKERS, japanese_only=True)
    )
register(
    Rule(
        "inappropriate",
        "flag",
        "flagged",
        "Japanese insults and harassment",
        _insults,
        roles=frozenset({"assistant"}),
    )
)
