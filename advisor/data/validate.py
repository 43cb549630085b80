"""Streaming validation of a training file, with stable codes and 1-based lines.

Memory stays flat as the file grows: lines are read in 1 MiB chunks and the
only per-line state is a 64-bit hash for duplicate detection (8 bytes a line).
SFT lines go through the msgspec fast path first (:mod:`advisor.data.fastpath`);
anything it does not accept is parsed and checked in full by
:mod:`advisor.data.checks`.

Error codes (a stable interface): invalid_json, not_object, missing_messages,
invalid_role, missing_content, invalid_weight, no_assistant_message, too_long,
dpo_missing_field, dpo_invalid_output, rft_missing_reference, rft_invalid_prompt,
encoding_error, unknown_key, invalid_tool_call, invalid_tools, too_few_examples,
unreviewed_draft.
Warnings: duplicate_example, few_examples, missing_system_message, blank_line,
unknown_key, no_trained_message, dpo_identical_outputs, rft_no_reference,
errors_truncated.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import BaseModel, Field

from advisor.data.checks import Findings, check_record, reference_keys
from advisor.data.io import EncodingProblem, iter_batches
from advisor.data.texts import Said, say
from advisor.ids import METHODS, Method

if TYPE_CHECKING:
    from advisor.data.tokens import TokenCounter

MIN_EXAMPLES = 10  # OpenAI refuses fewer
RECOMMENDED_EXAMPLES = 100
MAX_ISSUES = 10_000  # per list; a broken 10-million-line file must not fill memory

#: The stable codes (the registry a test holds ``texts.yaml`` to: each has its texts).
ERROR_CODES = frozenset(
    [
        "invalid_json",
        "not_object",
        "missing_messages",
        "invalid_role",
        "missing_content",
        "invalid_weight",
        "no_assistant_message",
        "too_long",
        "dpo_missing_field",
        "dpo_invalid_output",
        "rft_missing_reference",
        "rft_invalid_prompt",
        "encoding_error",
        "unknown_key",
        "invalid_tool_call",
        "invalid_tools",
        "too_few_examples",
        "unreviewed_draft",
    ]
)
WARNING_CODES = frozenset(
    [
        "duplicate_example",
        "few_examples",
        "missing_system_message",
        "blank_line",
        "unknown_key",
        "no_trained_message",
        "dpo_identical_outputs",
        "rft_no_reference",
        "errors_truncated",
    ]
)


class Issue(BaseModel):
    """One problem: where (1-based line, or null for the whole file), what and how to fix.

    ``message`` is the English sentence (JSON output, never translated); ``text``
    keeps the sentence's key and parameters so a shell can render it in the
    reader's language (:meth:`message_in`).
    """

    line: int | None = Field(description="1-based line number; null for the whole file.")
    code: str = Field(description="Stable machine-readable code, e.g. invalid_json.")
    message: str = Field(description="One sentence for people.")
    text: Said | None = Field(default=None, exclude=True, repr=False)

    @classmethod
    def of(cls, line: int | None, said: Said) -> Issue:
        return cls(line=line, code=said.code, message=said.en, text=said)

    def message_in(self, lang: str) -> str:
        """The sentence in ``lang`` (``message`` when the issue carries no text key)."""
        return self.text.render(lang) if self.text is not None else self.message


class ValidationReport(BaseModel):
    """The result of ``advisor data validate`` (the JSON it prints)."""

    ok: bool = Field(description="True when there are no errors (warnings allowed).")
    examples: int = Field(description="Non-blank lines read.")
    errors: list[Issue] = Field(default_factory=list)
    warnings: list[Issue] = Field(default_factory=list)

    def codes(self) -> list[str]:
        return [e.code for e in self.errors]


class _Collector:
    def __init__(self) -> None:
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.dropped = 0

    def error(self, line: int | None, said: Said) -> None:
        if len(self.errors) < MAX_ISSUES:
            self.errors.append(Issue.of(line, said))
        else:
            self.dropped += 1

    def warn(self, line: int | None, said: Said) -> None:
        if len(self.warnings) < MAX_ISSUES:
            self.warnings.append(Issue.of(line, said))
        else:
            self.dropped += 1


def validate_file(
    path: Path | str,
    method: Method | str,
    *,
    grader: Path | str | None = None,
    max_tokens: int | None = None,
    encoding: str | None = None,
    model: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ValidationReport:
    """Check every line of a JSONL training file for ``method``.

    Args:
        path: the JSONL file.
        method: "sft", "dpo" or "rft".
        grader: an RFT grader file; every ``item.<key>`` it uses must be in every line.
        max_tokens: flag examples longer than this (counted with :mod:`advisor.data.tokens`).
        encoding: read a non-UTF-8 file in this encoding instead of reporting it.
        model: the model whose tokenizer counts tokens for ``max_tokens``.
        progress: called with the number of lines read, after every 1 MiB chunk.

    Raises:
        DataFileError: the file or the grader file cannot be read at all.
        UserInputError: ``method`` is unknown.
    """
    from advisor.errors import UserInputError

    if method not in METHODS:
        raise UserInputError.from_catalog(
            "core.data.validate.unknown_method",
            hint_key="core.data.validate.unknown_method_hint",
            method=repr(method),
        )
    checks = _Checks.for_run(method, grader, max_tokens, model)
    out = _Collector()
    hashes = array("q")  # one per line, blank ones as BLANK: the index is the line number - 1
    tally = _Tally()
    try:
        for first, batch in iter_batches(Path(path), encoding, keep_ends=True):
            if progress is not None:
                progress(first + len(batch) - 1)
            hashes.extend(map(hash, batch))
            checks.batch(first, batch, hashes, tally, out)
    except EncodingProblem as exc:
        out.error(exc.line, exc.said)
        return ValidationReport(
            ok=False, examples=tally.examples, errors=out.errors, warnings=out.warnings
        )
    _duplicates(hashes, out)
    _whole_file(
        method,
        tally.examples,
        tally.no_system,
        tally.first_no_system,
        tally.any_reference,
        bool(checks.needed),
        out,
    )
    if out.dropped:
        out.warnings.append(Issue.of(None, say("errors_truncated", count=out.dropped)))
    out.errors.sort(key=lambda i: i.line or 0)
    out.warnings.sort(key=lambda i: (i.line is not None, i.line or 0))
    return ValidationReport(
        ok=not out.errors, examples=tally.examples, errors=out.errors, warnings=out.warnings
    )


@dataclass
class _Tally:
    """What the whole-file checks need to know about the lines seen so far."""

    examples: int = 0
    no_system: int = 0
    first_no_system: int | None = None
    any_reference: bool = False


@dataclass
class _Checks:
    """The per-line checks of one run: the method, the grader's keys, the token limit."""

    method: str
    needed: set[str]
    counter: Any
    max_tokens: int | None
    # The msgspec fast path proves most SFT lines clean; token counting needs the texts.
    accept: Callable[[list[bytes]], list[int]]

    @classmethod
    def for_run(
        cls, method: str, grader: Path | str | None, max_tokens: int | None, model: str | None
    ) -> _Checks:
        needed: set[str] = set()
        if grader is not None:
            from advisor.data.grader_refs import grader_item_keys

            needed = grader_item_keys(Path(grader))
        counter = None
        if max_tokens is not None:
            from advisor.data.tokens import get_counter

            counter = get_counter(model)
        accept: Callable[[list[bytes]], list[int]] = _never
        if method == "sft" and counter is None:
            from advisor.data.fastpath import accept_batch

            accept = accept_batch
        return cls(method, needed, counter, max_tokens, accept)

    def batch(
        self, first: int, batch: list[bytes], hashes: array[int], tally: _Tally, out: _Collector
    ) -> None:
        verdicts = self.accept(batch)
        # Counting in C: a chunk of clean lines needs no Python loop at all.
        clean_without_system = verdicts.count(1)
        if clean_without_system:
            tally.no_system += clean_without_system
            tally.first_no_system = tally.first_no_system or first + verdicts.index(1)
        tally.examples += len(batch)
        if clean_without_system + verdicts.count(2) == len(batch):
            return
        index = -1
        while (index := _next_zero(verdicts, index + 1)) >= 0:
            number = first + index
            raw = batch[index].strip()
            if not raw:
                out.warn(number, say("blank_line"))
                hashes[number - 1] = BLANK
                tally.examples -= 1
                continue
            found = _slow(raw, number, self.method, self.needed, self.counter, self.max_tokens, out)
            if found is None:
                continue
            tally.any_reference = tally.any_reference or found.has_reference
            if not found.errors and not found.has_system:
                tally.no_system += 1
                tally.first_no_system = min(tally.first_no_system or number, number)


_SPACE = frozenset(b" \t\r\n\f\v")


BLANK = 0  # hash(b"") is 0 as well, and no other line hashes to it in practice


def _next_zero(verdicts: list[int], start: int) -> int:
    """The index of the next unaccepted line (a C-speed search), or -1."""
    try:
        return verdicts.index(0, start)
    except ValueError:
        return -1


def _never(batch: list[bytes]) -> list[int]:
    return [0] * len(batch)


def _slow(
    raw: bytes,
    number: int,
    method: str,
    needed: set[str],
    counter: TokenCounter | None,
    max_tokens: int | None,
    out: _Collector,
) -> Findings | None:
    """Parse and check one line in full; None when it is not even JSON."""
    obj = _parse(raw, number, out)
    if obj is _INVALID:
        return None
    found = check_record(obj, method)
    _report(found, number, out)
    if method == "rft" and isinstance(obj, dict):
        refs = reference_keys(obj)
        found.has_reference = bool(refs)
        missing = sorted(needed - set(obj))
        if missing:
            out.error(number, say("rft_missing_reference", keys=", item.".join(missing)))
    if counter is not None and max_tokens is not None and not found.errors:
        size = counter.count_example(obj, method)
        if size > max_tokens:
            out.error(number, say("too_long", size=size, limit=max_tokens, tokenizer=counter.name))
    return found


_INVALID: Any = object()


def _parse(raw: bytes, number: int, out: _Collector) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            out.error(number, say("encoding_error.line", byte=bad.start + 1))
            return _INVALID
        out.error(number, say("invalid_json", detail=exc.msg))
        return _INVALID


def _report(found: Findings, number: int, out: _Collector) -> None:
    for _, said in found.errors:
        out.error(number, said)
    for _, said in found.warnings:
        out.warn(number, said)


def _duplicates(hashes: array[int], out: _Collector) -> None:
    """Warn about every line equal to an earlier one, naming the first.

    Sorting a copy of the hashes finds the values that occur twice (numpy's sort
    of 100k int64 takes about a millisecond); only lines with those values are
    then walked in file order.
    """
    import numpy as np

    keys = np.frombuffer(hashes, dtype=np.int64)
    ordered = np.sort(keys)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    repeated = repeated[repeated != BLANK]  # blank lines are reported as such
    if not len(repeated):
        return
    first: dict[int, int] = {}
    for index in np.flatnonzero(np.isin(keys, repeated)):
        key = int(keys[index])
        if key in first:
            out.warn(int(index) + 1, say("duplicate_example", line=first[key]))
        else:
            first[key] = int(index) + 1


def _whole_file(
    method: str,
    examples: int,
    no_system: int,
    first_no_system: int | None,
    any_reference: bool,
    has_grader: bool,
    out: _Collector,
) -> None:
    if examples < MIN_EXAMPLES:
        out.error(None, say("too_few_examples", examples=examples, minimum=MIN_EXAMPLES))
    elif examples < RECOMMENDED_EXAMPLES:
        out.warn(None, say("few_examples", examples=examples, recommended=RECOMMENDED_EXAMPLES))
    if no_system and method in ("sft", "dpo"):
        out.warn(
            first_no_system,
            say(
                "missing_system_message",
                missing=no_system,
                examples=examples,
                first=first_no_system,
            ),
        )
    if method == "rft" and examples and not any_reference and not has_grader:
        out.warn(None, say("rft_no_reference"))
