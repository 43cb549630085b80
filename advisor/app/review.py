"""The review queue use case: what ``advisor data review`` and the wizard's Review screen do.

Both call these functions on one :class:`~advisor.data.review.ReviewQueue`:
line lists as people type them (``3,5-9``), an edit given as JSON text, "accept
every clean line", and the save.  Decisions are written to the review log as
they are made, so a script can decide in one call and save in another.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from advisor.data.review import ReviewPage, ReviewQueue, ReviewRow, SaveResult, save
from advisor.data.review.models import ReviewCounts
from advisor.data.texts import Label
from advisor.errors import UserInputError, json_problem

__all__ = [
    "ReviewOutcome",
    "ReviewQueue",
    "accept_all_clean",
    "accept_page",
    "open_queue",
    "parse_edit",
    "parse_lines",
    "save",
]


class ReviewOutcome(BaseModel):
    """What one ``advisor data review`` call changed (``--format json``)."""

    file: str
    accepted: int = 0
    rejected: int = 0
    edited: list[int] = Field(default_factory=list)
    undone: list[str] = Field(default_factory=list, description='e.g. "accept line 3".')
    saved: SaveResult | None = None
    counts: ReviewCounts
    page: ReviewPage | None = Field(default=None, description="With --list: the page shown.")


def open_queue(
    path: Path | str,
    *,
    into: Path | str | None = None,
    method: str | None = None,
    page_size: int = 20,
) -> ReviewQueue:
    """The review queue of ``path`` (drafts go to ``into`` when accepted and saved).

    Raises:
        DataFileError: the file is missing, unreadable, or its review log no longer matches.
        UserInputError: ``into`` is the file itself, or ``method`` is unknown.
    """
    from advisor.ids import METHODS

    if method is not None and method not in METHODS:
        raise UserInputError.from_catalog(
            "core.review.unknown_method", hint_key="core.review.method_hint", method=repr(method)
        )
    return ReviewQueue(path, into=into, method=method, page_size=page_size)


def parse_lines(spec: str, total: int) -> list[int]:
    """``"3,5-9"`` -> [3, 5, 6, 7, 8, 9]; ``"all"`` -> every line.

    Raises:
        UserInputError: not a list of numbers and ranges.
    """
    if spec.strip().lower() == "all":
        return list(range(1, total + 1))
    lines: list[int] = []
    for part in spec.split(","):
        bounds = [b.strip() for b in part.split("-")]
        if not part.strip() or len(bounds) > 2 or not all(b.isdigit() for b in bounds):
            raise UserInputError.from_catalog(
                "core.review.bad_lines", hint_key="core.review.bad_lines_hint", spec=repr(spec)
            )
        first, last = int(bounds[0]), int(bounds[-1])
        if first > last:
            raise UserInputError.from_catalog(
                "core.review.backwards",
                hint_key="core.review.backwards_hint",
                range=part.strip(),
                fixed=f"{last}-{first}",
            )
        lines.extend(range(first, last + 1))
    return lines


def parse_edit(text: str, line: int, *, command_line: bool = True) -> Any:
    """The JSON of an edit of ``line``.

    Raises:
        UserInputError: the text is not JSON (with how to quote it on a command line, unless
            ``command_line`` is False: the wizard's editor has no ``--json`` to quote).
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserInputError.from_catalog(
            "core.review.edit_json",
            hint_key="core.review.edit_json_hint" if command_line else None,
            line=line,
            # English as before; Japanese with the line too: the wizard's editor has several.
            error=json_problem(exc, english=f"{exc.msg} at column {exc.colno}"),
            example="'{\"messages\": [...]}'",
        ) from exc


def is_clean(row: ReviewRow) -> bool:
    """A pending line without any finding: safe to accept without reading it twice."""
    return row.status == "pending" and row.example is not None and not row.findings


def accept_all_clean(
    queue: ReviewQueue, progress: Callable[[int, int, str], None] | None = None
) -> int:
    """Accept every pending line that has no finding at all; page by page."""
    accepted = 0
    for number in range(1, queue.pages + 1):
        page = queue.page(number)
        chosen = [row.line for row in page.rows if is_clean(row)]
        if chosen:
            accepted += queue.accept(chosen)
        if progress is not None:
            progress(number, queue.pages, Label("progress.review_pages"))
    return accepted


def accept_page(queue: ReviewQueue, number: int) -> int:
    """Accept the pending lines of page ``number`` that have no errors (the wizard's A)."""
    page = queue.page(number)
    chosen = [r.line for r in page.rows if r.status == "pending" and r.example and not r.errors]
    return queue.accept(chosen) if chosen else 0
