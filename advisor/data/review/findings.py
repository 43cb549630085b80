"""The findings of one line: the validator's checks and the cleaner's per-text rules.

The same code as ``advisor data validate`` (:func:`advisor.data.checks.check_record`)
and ``advisor data clean`` (the rule registry, :mod:`advisor.data.clean.registry`)
runs on a single line, so the queue shows what those commands would say about
it.  File-wide findings (duplicates, boilerplate, outliers) need the whole file
and stay with ``validate`` and ``clean``.  A draft's ``"draft"`` key is metadata
here, not an error: the example is checked without it.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import orjson
from pydantic import ValidationError

from advisor.data.checks import DRAFT_KEY, check_record, without_draft
from advisor.data.review.models import DraftInfo, ReviewFinding
from advisor.data.texts import say

INVALID: Any = object()  # a line that is not JSON


def parse(raw: bytes) -> Any:
    """The JSON of a line, or :data:`INVALID`."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return INVALID


def detect_method(record: Any) -> str:
    """sft, dpo or rft from the shape of one example (a test file's prompts are rft-shaped)."""
    if not isinstance(record, dict):
        return "sft"
    if "preferred_output" in record or "non_preferred_output" in record:
        return "dpo"
    messages = record.get("messages")
    last = messages[-1] if isinstance(messages, list) and messages else None
    if isinstance(last, dict) and last.get("role") != "assistant":
        return "rft"
    return "sft"


def draft_of(record: Any) -> tuple[DraftInfo | None, list[ReviewFinding]]:
    """The draft metadata of a line, and a finding when it is malformed."""
    if not isinstance(record, dict) or DRAFT_KEY not in record:
        return None, []
    try:
        return DraftInfo.model_validate(record[DRAFT_KEY]), []
    except ValidationError:
        return None, [ReviewFinding.of("warning", "invalid_draft", say("review.invalid_draft"))]


def check(raw: bytes, record: Any, method: str, *, clean: bool = True) -> list[ReviewFinding]:
    """Every finding of one line, errors first."""
    if not raw.strip():
        return [ReviewFinding.of("warning", "blank_line", say("review.blank_line"))]
    if record is INVALID:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return [ReviewFinding.of("error", "encoding_error", say("review.encoding_error"))]
        return [ReviewFinding.of("error", "invalid_json", say("review.invalid_json"))]
    example = without_draft(record) if isinstance(record, dict) else record
    found = check_record(example, method)
    out = [ReviewFinding.of("error", code, said) for code, said in found.errors]
    out += [ReviewFinding.of("warning", code, said) for code, said in found.warnings]
    if clean and isinstance(example, dict) and not found.errors:
        out += clean_findings(example)
    return out


def clean_findings(example: dict[str, Any]) -> list[ReviewFinding]:
    """What the cleaner's per-text rules (noise, then flags) would change or flag."""
    from advisor.data.clean.pipeline import run_rules, texts_of

    ctx = _context()
    out: list[ReviewFinding] = []

    def emit(
        line: int, rule: str, action: str, where: str | None, before: str | None, after: str | None
    ) -> None:
        if action == "changed":
            said = say("review.would_change", before=_clip(before), after=_clip(after))
        elif after:
            said = say("review.flagged_suggest", before=_clip(before), after=_clip(after))
        else:
            said = say("review.flagged", before=_clip(before))
        out.append(ReviewFinding.of("clean", rule, said, field=where))

    texts = texts_of(copy.deepcopy(example))  # noise rules rewrite: never the shown example
    run_rules(ctx.noise, texts, 0, ctx, emit)
    run_rules(ctx.checks, texts, 0, ctx, emit)
    return out


@cache
def _context() -> Any:
    from advisor.data.clean import pipeline, registry
    from advisor.data.clean.protect import from_files

    ctx = pipeline.Context(
        lang="auto",
        wordlist=None,
        skip=frozenset(),
        protection=from_files([]),
        boilerplate_share=0.3,
    )
    ctx.noise = registry.rules("noise")
    ctx.checks = registry.rules("flag")
    return ctx


def _clip(text: str | None, width: int = 40) -> str:
    if text is None:
        return "''"
    shown = repr(text)
    return shown if len(shown) <= width else shown[: width - 1] + "…"
