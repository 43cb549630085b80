"""The cleaner as two passes over the input, with flat memory.

Pass 1 measures what the file-wide rules need: the Japanese punctuation style,
how many examples each answer line recurs in (64-bit line hashes, in a bounded
heavy-hitters table; a third pass recounts the candidates exactly when the
table overflowed), the system prompts (what boilerplate removal must keep), and
per answer its length, register and formatting (6 bytes an answer).  Pass 2
rewrites, flags and removes each example as it streams by and writes it to a
temporary file beside the output; exact duplicates go at once, near duplicates
are found from MinHash signatures kept on disk (:mod:`.dedupe`) once the input
has been read, and the output is copied from the temporary file without them.
Report items are spooled to a temporary file, never held in memory.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from advisor.data.clean import flags as fl
from advisor.data.clean import rules
from advisor.data.clean.protect import Protection, normalized
from advisor.data.clean.registry import Rule, TextInfo
from advisor.data.io import EncodingProblem, iter_lines

MAX_LINE_KEYS = 50_000
MIN_BOILERPLATE_CHARS = 15
REGISTERS = {None: 0, "polite": 1, "plain": 2}
REGISTER_NAMES = {1: "polite", 2: "plain"}

Emit = Callable[[int, str, str, str | None, str | None, str | None], None]


class Text:
    """One text field of an example: where it is and whose it is."""

    __slots__ = ("container", "key", "path", "role")

    def __init__(self, container: dict[str, Any], key: str, path: str, role: str) -> None:
        self.container, self.key, self.path, self.role = container, key, path, role

    @property
    def value(self) -> str:
        return str(self.container[self.key])

    @value.setter
    def value(self, text: str) -> None:
        self.container[self.key] = text


def texts_of(record: dict[str, Any]) -> list[Text]:
    found: list[Text] = []

    def messages(items: Any, prefix: str, role: str | None = None) -> None:
        if not isinstance(items, list):
            return
        for i, message in enumerate(items):
            if not isinstance(message, dict):
                continue
            who = role or str(message.get("role"))
            content = message.get("content")
            if isinstance(content, str):
                found.append(Text(message, "content", f"{prefix}[{i}].content", who))
            elif isinstance(content, list):
                for j, part in enumerate(content):
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        found.append(Text(part, "text", f"{prefix}[{i}].content[{j}].text", who))

    if isinstance(record.get("input"), dict):
        messages(record["input"].get("messages"), "input.messages")
    messages(record.get("messages"), "messages")
    messages(record.get("preferred_output"), "preferred_output", "assistant")
    messages(record.get("non_preferred_output"), "non_preferred_output", "assistant")
    return found


def records(src: Path, encoding: str | None, name: str) -> Iterator[tuple[int, bytes, Any]]:
    """``(line, raw bytes, dict or None)`` for every non-blank line."""
    try:
        for line, raw in iter_lines(src, encoding):
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError:
                record = None
            yield line, raw, record if isinstance(record, dict) else None
    except EncodingProblem as exc:
        raise exc.error(name) from exc


def line_hash(line: str) -> int:
    return int.from_bytes(hashlib.blake2b(line.encode(), digest_size=8).digest(), "little")


@dataclass
class Context:
    """The options of one run, resolved."""

    lang: str
    wordlist: str | None
    skip: frozenset[str]
    protection: Protection
    boilerplate_share: float
    keep_pii: tuple[str, ...] = ()
    register: str | None = None
    noise: list[Rule] = field(default_factory=list)
    checks: list[Rule] = field(default_factory=list)

    def info(self, text: Text) -> TextInfo:
        japanese = fl.is_japanese(text.value, self.lang)
        return TextInfo(text.role, japanese, self.lang, self.wordlist, self.keep_pii, self.register)


def run_rules(
    chosen: list[Rule], texts: list[Text], line: int, ctx: Context, emit: Emit | None
) -> None:
    """Apply per-text rules in order; report what they did through ``emit``."""
    for text in texts:
        info = ctx.info(text)
        for rule in chosen:
            if not rule.wants(info):
                continue
            outcome = rule.apply(text.value, info)
            if outcome.edits:
                text.value = outcome.text
            if emit is None:
                continue
            for before, after in outcome.edits:
                emit(line, rule.name, "changed", text.path, before, after)
            for before, hint in outcome.flags:
                emit(line, rule.name, "flagged", text.path, before, hint)


@dataclass
class Measures:
    """What pass 1 found: the inputs of the file-wide rules."""

    records: int = 0
    answers: int = 0
    style: Counter[str] = field(default_factory=Counter)
    line_counts: dict[int, int] = field(default_factory=dict)
    decrements: int = 0
    lengths: array[int] = field(default_factory=lambda: array("I"))
    markdown: bytearray = field(default_factory=bytearray)
    registers: bytearray = field(default_factory=bytearray)

    def count_lines(self, keys: set[int]) -> None:
        """Misra-Gries: exact until MAX_LINE_KEYS distinct lines, bounded after."""
        for key in keys:
            if key in self.line_counts:
                self.line_counts[key] += 1
            elif len(self.line_counts) < MAX_LINE_KEYS:
                self.line_counts[key] = 1
            else:
                self.decrements += 1
                self.line_counts = {k: n - 1 for k, n in self.line_counts.items() if n > 1}


def measure(src: Path, encoding: str | None, name: str, ctx: Context) -> Measures:
    """Pass 1 (see the module docstring)."""
    found = Measures()
    for _, _, record in records(src, encoding, name):
        if record is None:
            continue
        found.records += 1
        texts = texts_of(record)
        run_rules(ctx.noise, texts, 0, ctx, None)
        seen: set[int] = set()
        for text in texts:
            value = text.value
            japanese = fl.is_japanese(value, ctx.lang)
            if japanese:
                found.style.update(rules.punctuation_style(value))
            if text.role in ("system", "developer"):
                ctx.protection.add_system(value)
            if text.role != "assistant":
                continue
            found.answers += 1
            seen |= answer_lines(value)
            found.lengths.append(min(len(value), 0xFFFFFFFF))
            found.markdown.append(fl.uses_markdown(value))
            plain = value.replace("．", "。").replace("，", "、")  # either style ends a sentence
            found.registers.append(REGISTERS[fl.register_of(plain) if japanese else None])
        found.count_lines(seen)
    return found


def answer_lines(value: str) -> set[int]:
    """Hashes of the lines of an answer that could be boilerplate: only lines beside
    other content (a one-line answer that recurs is a duplicate, not boilerplate)."""
    body = [x for x in value.split("\n") if x.strip()]
    if len(body) < 2:
        return set()
    return {line_hash(normalized(x)) for x in body if len(x.strip()) >= MIN_BOILERPLATE_CHARS}


def recount(
    src: Path, encoding: str | None, name: str, ctx: Context, keys: set[int]
) -> Counter[int]:
    """Exact counts of candidate lines (the third pass, after an overflow)."""
    counts: Counter[int] = Counter()
    for _, _, record in records(src, encoding, name):
        if record is None:
            continue
        texts = texts_of(record)
        run_rules(ctx.noise, texts, 0, ctx, None)
        seen: set[int] = set()
        for text in texts:
            if text.role == "assistant":
                seen |= answer_lines(text.value) & keys
        counts.update(seen)
    return counts


def boilerplate(src: Path, encoding: str | None, name: str, ctx: Context, m: Measures) -> set[int]:
    """Hashes of the lines that recur in at least the boilerplate share of examples."""
    if "boilerplate" in ctx.skip or m.answers < 3:
        return set()
    needed = max(3, int(ctx.boilerplate_share * m.records + 0.999))
    if not m.decrements:
        return {k for k, n in m.line_counts.items() if n >= needed}
    candidates = {k for k, n in m.line_counts.items() if n + m.decrements >= needed}
    exact = recount(src, encoding, name, ctx, candidates)
    return {k for k, n in exact.items() if n >= needed}


def remove_boilerplate(
    text: str, lines: set[int], ctx: Context, own_system: str
) -> tuple[str, list[tuple[str, str]]]:
    """Drop boilerplate lines that no prompt or grader of the data requires."""
    if not lines:
        return text, []
    kept: list[str] = []
    edits: list[tuple[str, str]] = []
    for line in text.split("\n"):
        norm = normalized(line)
        if line_hash(norm) in lines and not ctx.protection.keeps_line(norm, own_system):
            edits.append((line, ""))
        else:
            kept.append(line)
    if not edits or not "".join(kept).strip():
        return text, []  # never empty an answer: that is a duplicate, not boilerplate
    new = "\n".join(kept).strip("\n")
    if ctx.protection.breaks_grader(text, new):
        return text, []
    return new, edits


def own_system(texts: list[Text]) -> str:
    return " ".join(normalized(t.value) for t in texts if t.role in ("system", "developer"))


def minority(values: bytes, empty: int = 0) -> int | None:
    """The most common value when it is a strict majority over the runner-up."""
    counts = Counter(v for v in values if v != empty)
    if len(counts) < 2:
        return None
    (top, top_n), (_, second_n) = counts.most_common(2)
    return None if top_n == second_n else top


def unify_style(text: Text, style: str | None, ctx: Context) -> list[tuple[str, str]]:
    if style is None or "punctuation" in ctx.skip or not fl.is_japanese(text.value, ctx.lang):
        return []
    new, edits = rules.unify_punctuation(text.value, style)
    if edits:
        text.value = new
    return edits


def majority_style(m: Measures) -> str | None:
    """The punctuation style to rewrite into, or None when no text uses the other."""
    majority = "comma" if m.style["comma"] > m.style["touten"] else "touten"
    minority_style = "touten" if majority == "comma" else "comma"
    return majority if m.style[minority_style] else None
