"""Text rewriting rules of the cleaner: each returns the new text and what it changed.

A rule never touches code (fenced blocks or inline backticks): HTML in an
answer about HTML is content, not noise.  Each edit is reported as
``(before, after)`` of the changed span, not the whole text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

Edit = tuple[str, str]

CODE = re.compile(r"```.*?(?:```|$)|`[^`\n]+`", re.S)
TAG = re.compile(
    r"</?(?:a|abbr|b|br|div|em|font|h[1-6]|hr|i|img|li|ol|p|pre|section|small|span|strong|"
    r"sub|sup|table|tbody|td|th|thead|tr|u|ul|script|style)\b[^<>]*>",
    re.I,
)
SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
# Markup that is the answer (a page, a table, styled elements), not scraped noise.
DOCUMENT = re.compile(
    r"<!doctype|<(?:html|head|body|style|script|table|form)\b|<\w+\b[^<>]*\b(?:class|id|style)=",
    re.I,
)
ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,6});")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u2060\ufeff]")
FULLWIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")
HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    r"(?![A-Za-z0-9-])"
)
PHONE = re.compile(
    r"(?<![0-9A-Za-z_+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?\d{2,4}|\d{2,4}[\s.-]\d{2,4})"
    r"[\s.-]\d{3,4}(?![0-9A-Za-z_-])|(?<!\d)0[789]0\d{8}(?!\d)"
)
JA_COMMA_STYLE = {"touten": ("、", "。"), "comma": ("，", "．")}


def outside_code(text: str, rewrite: Callable[[str], str]) -> str:
    """Apply ``rewrite`` to the parts of ``text`` that are not code."""
    if "`" not in text:
        return rewrite(text)
    out: list[str] = []
    last = 0
    for match in CODE.finditer(text):
        out.append(rewrite(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(rewrite(text[last:]))
    return "".join(out)


def _sub(
    pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str], edits: list[Edit]
) -> str:
    def one(match: re.Match[str]) -> str:
        new = replace(match)
        if new != match.group(0):
            edits.append((match.group(0), new))
        return new

    return outside_code(text, lambda part: pattern.sub(one, part))


def looks_like_markup(text: str) -> bool:
    """True when the HTML in ``text`` is content (outside code fences too)."""
    return "<" in text and DOCUMENT.search(text) is not None


def strip_html(text: str) -> tuple[str, list[Edit]]:
    edits: list[Edit] = []
    if "<" in text:
        text = _sub(SCRIPT, text, lambda m: "", edits)
        text = _sub(
            TAG, text, lambda m: "\n" if m.group(0).lower().startswith("<br") else "", edits
        )
    if "&" in text:
        text = _sub(ENTITY, text, lambda m: html.unescape(m.group(0)), edits)
    return text, edits


def strip_control(text: str) -> tuple[str, list[Edit]]:
    edits: list[Edit] = []
    if "\r" in text:
        edits.append(("\r\n", "\n"))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _sub(CONTROL, text, lambda m: "", edits), edits


def normalize_width(text: str) -> tuple[str, list[Edit]]:
    """Full-width letters and digits to ASCII; half-width katakana to full-width."""
    edits: list[Edit] = []
    text = _sub(FULLWIDTH_ALNUM, text, lambda m: unicodedata.normalize("NFKC", m.group(0)), edits)
    text = _sub(HALFWIDTH_KANA, text, lambda m: unicodedata.normalize("NFKC", m.group(0)), edits)
    return text, edits


Keeper = Callable[[str], bool]


def pii_keeper(patterns: list[str]) -> Keeper:
    """Whether a found address or number is on the allow-list ``patterns``.

    A pattern keeps what equals it (e-mail addresses case-insensitively), what
    it matches whole as a regular expression, and, for a phone number, any
    number with the same digits (「03-1234-5678」 keeps 「03 1234 5678」).
    """
    literal = {p.strip().casefold() for p in patterns if p.strip()}
    digits = {re.sub(r"\D", "", p) for p in literal if re.fullmatch(r"[\d\s()+.-]+", p)}
    regexes = []
    for pattern in literal:
        try:
            regexes.append(re.compile(pattern, re.I))
        except re.error:
            continue  # "+81 ..." is no regex: it is kept as a literal
    digits.discard("")

    def keep(found: str) -> bool:
        folded = found.casefold()
        if folded in literal or any(r.fullmatch(found) for r in regexes):
            return True
        return bool(digits) and re.sub(r"\D", "", found) in digits

    return keep


def mask_pii(text: str, keep: Keeper | None = None) -> tuple[str, list[Edit]]:
    """E-mail addresses and phone numbers masked, except those ``keep`` allows."""
    edits: list[Edit] = []

    def mask(token: str) -> Callable[[re.Match[str]], str]:
        return lambda m: m.group(0) if keep is not None and keep(m.group(0)) else token

    text = _sub(EMAIL, text, mask("[EMAIL]"), edits)
    text = _sub(PHONE, text, mask("[PHONE]"), edits)
    return text, edits


def punctuation_style(text: str) -> dict[str, int]:
    """How often each Japanese comma/period style occurs in ``text``."""
    return {
        "touten": text.count("、") + text.count("。"),
        "comma": text.count("，") + text.count("．"),
    }


def unify_punctuation(text: str, style: str) -> tuple[str, list[Edit]]:
    """Rewrite the other style's Japanese comma and period into ``style``."""
    comma, period = JA_COMMA_STYLE[style]
    other_comma, other_period = JA_COMMA_STYLE["comma" if style == "touten" else "touten"]
    edits: list[Edit] = []
    # Only between Japanese characters: "，" in "1，000" is a thousands separator.
    ja = r"[\u3040-\u30ff\u4e00-\u9fff]"
    pattern = re.compile(f"(?<={ja})[{other_comma}{other_period}]")
    text = _sub(pattern, text, lambda m: comma if m.group(0) == other_comma else period, edits)
    return text, edits


def remove_lines(text: str, boilerplate: set[str]) -> tuple[str, list[Edit]]:
    """Drop lines whose normalised form is in ``boilerplate``."""
    if not boilerplate:
        return text, []
    kept: list[str] = []
    edits: list[Edit] = []
    for line in text.split("\n"):
        if normalized_line(line) in boilerplate:
            edits.append((line, ""))
        else:
            kept.append(line)
    if not edits or not "".join(kept).strip():
        return text, []  # never empty an answer: that is a duplicate, not boilerplate
    return "\n".join(kept).strip("\n"), edits


def normalized_line(line: str) -> str:
    return " ".join(line.split()).casefold()
