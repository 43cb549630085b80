"""Checks of the cleaner that flag and never rewrite: typos, register, words, outliers.

A flag is ``(before, suggestion)``: the suspicious span and, where there is
one, what it might have meant.  People decide; the cleaner does not guess.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from advisor.data.clean.rules import CODE
from advisor.errors import DataFileError

# A correction costs about a millisecond: a text with more unknown words than
# this is not prose to proofread (a word list, an encoded blob), and checking
# every one would make the cleaner slow in proportion to its length times that.
MAX_UNKNOWN = 50
JA_CHAR = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Lower-case words of 5+ letters, not parts of contractions, paths, handles or code.
WORD = re.compile(r"(?<![\w/@.#'’-])[a-z]{5,}(?![\w/@.'’-])")
# Duplicated particles between content words: 「東京のの駅」, 「本をを読む」.
JA_DOUBLE_PARTICLE = re.compile(
    r"(?<=[\u4e00-\u9fff\u30a0-\u30ff])(の|に|を|が|で|へ|と|は)\1(?=[\u3040-\u30ff\u4e00-\u9fff])"
    r"|をを|がが"
)
# Full-width and half-width letters, digits or katakana in one word: 「ＡＰＩkey」, 「ｺﾝピュータ」.
# Each alternative starts only where its run starts (the look-behinds): without
# them a 100,000-character alphanumeric run was rescanned from every position.
_ALNUM = r"A-Za-z0-9\uff10-\uff5a"
_KANA = r"\uff66-\uff9f\u30a1-\u30fc"
JA_MIXED_WIDTH = re.compile(
    rf"(?<![{_ALNUM}])(?:[A-Za-z0-9]+[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+[{_ALNUM}]*"
    rf"|[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+[A-Za-z0-9]+[{_ALNUM}]*)"
    rf"|(?<![{_KANA}])(?:[\uff66-\uff9f]+[\u30a1-\u30fc]+|[\u30a1-\u30fc]+[\uff66-\uff9f]+)"
)
POLITE = re.compile(
    r"(?:です|ます|でした|ました|ません|でしょう|ください|ましょう)(?=[。！？!?」』\n]|$)"
)
PLAIN = re.compile(r"(?:だ|である|だった|ではない|だろう|であった|のだ)(?=[。！？!?」』\n]|$)")


def is_japanese(text: str, lang: str = "auto") -> bool:
    if lang != "auto":
        return lang == "ja"
    sample = text[:2000]
    return bool(sample) and len(JA_CHAR.findall(sample)) >= max(3, len(sample) // 20)


def without_code(text: str) -> str:
    return CODE.sub(" ", text)


def english_typos(text: str, limit: int = 20) -> list[tuple[str, str]]:
    """Lower-case words the dictionary does not know and can correct (proper nouns,
    code, URLs and e-mail addresses are left alone)."""
    from advisor.data.clean.speller import english

    checker = english()
    # Whole tokens holding a URL or an address go; a regular expression such as
    # \S+@\S+ rescans a long run without spaces from every position (quadratic).
    plain = " ".join(
        token for token in without_code(text).split() if "@" not in token and "://" not in token
    )
    words = {m.group(0) for m in WORD.finditer(plain)}
    if not words:
        return []
    flags: list[tuple[str, str]] = []
    for word in sorted(checker.unknown(words))[:MAX_UNKNOWN]:
        # Plurals and verb forms of known words are words ("apps", "influencers").
        if word.endswith("s") and checker.known([word[:-1], word[:-2]]):
            continue
        suggestion = checker.correction(word)
        if suggestion and suggestion != word and suggestion != word[:-1]:
            flags.append((word, suggestion))
            if len(flags) >= limit:
                break
    return flags


def japanese_typos(text: str) -> list[tuple[str, str]]:
    """Duplicated particles, with the single particle as the suggestion."""
    plain = without_code(text)
    return [
        (m.group(0), m.group(0)[: len(m.group(0)) // 2]) for m in JA_DOUBLE_PARTICLE.finditer(plain)
    ]


def mixed_width(text: str) -> list[tuple[str, str]]:
    """Words written partly in full-width and partly in half-width characters."""
    return [(m.group(0), "one width per word") for m in JA_MIXED_WIDTH.finditer(without_code(text))]


def register_of(text: str) -> str | None:
    """ "polite" (です/ます), "plain" (だ/である) or None when unclear."""
    polite = len(POLITE.findall(text))
    plain = len(PLAIN.findall(text))
    if polite == plain:
        return None
    return "polite" if polite > plain else "plain"


def word_list_text(packaged: str, path: str | None) -> str:
    """The text of a word list: the packaged file ``packaged``, or the user's ``path``.

    Raises:
        DataFileError: ``path`` cannot be read as UTF-8 text.
    """
    if path is None:
        return resources.files("advisor.data").joinpath(packaged).read_text(encoding="utf-8")
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError.from_catalog(
            "core.data.clean.word_list_unreadable",
            hint_key="core.data.clean.word_list_unreadable_hint",
            path=path,
        ) from exc


@cache
def inappropriate_words(path: str | None = None) -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    """The word list (the packaged one, or ``path``): a word-bounded regex for Latin
    words and plain substrings for Japanese ones."""
    text = word_list_text("inappropriate_words.txt", path)
    latin: list[str] = []
    other: list[str] = []
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        (latin if word.isascii() else other).append(word.casefold())
    pattern = (
        re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(latin))) + r")\b", re.I)
        if latin
        else None
    )
    return pattern, tuple(other)


def find_inappropriate(text: str, path: str | None = None) -> list[str]:
    pattern, others = inappropriate_words(path)
    found = [m.group(0) for m in pattern.finditer(text)] if pattern else []
    folded = text.casefold()
    found += [w for w in others if w in folded]
    return found


def outlier_bounds(values: list[int]) -> tuple[float, float] | None:
    """Tukey's fences with k=3 (only "far out" values), or None for small samples."""
    if len(values) < 20:
        return None
    ordered = sorted(values)
    q1 = ordered[len(ordered) // 4]
    q3 = ordered[(3 * len(ordered)) // 4]
    # A floor on the spread: when most answers have the same length, a slightly
    # different one is not "far out".
    spread = max(q3 - q1, ordered[len(ordered) // 2] / 2)
    return q1 - 3 * spread, q3 + 3 * spread


MARKDOWN = re.compile(r"^\s{0,3}(?:#{1,6}\s|[-*+]\s|\d+\.\s|\|.*\|)|\*\*[^*]+\*\*", re.M)


def uses_markdown(text: str) -> bool:
    return bool(MARKDOWN.search(text))
