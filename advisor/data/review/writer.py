"""Saving a review: rejects kept aside, accepted examples moved or kept, nothing lost.

Order of the writes, each atomic (a temporary file renamed into place): the
rejects file (appended), the ``--into`` training file (appended), the reviewed
file (rewritten), then the log's save entry.  A crash between two of them can
leave a line in two files, never in none.  Unreviewed lines always stay in the
reviewed file, in their order.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from advisor.data.checks import DRAFT_KEY, without_draft
from advisor.data.review import findings as fd
from advisor.data.review.log import now
from advisor.data.review.models import ReviewEntry, SaveResult
from advisor.data.review.queue import ReviewQueue
from advisor.data.streams import atomic_output
from advisor.errors import UserInputError


def save(queue: ReviewQueue) -> SaveResult:
    """Write the decisions of ``queue`` to disk and start a new chapter of its log."""
    if queue.index.changed():
        queue.reload()  # lines appended meanwhile (a running `data grow`) are kept
    decisions = queue.log.replay.decisions()
    status = queue.log.replay.status
    rejected: list[bytes] = []
    added: list[bytes] = []
    kept: list[bytes] = []
    still_accepted: list[int] = []
    for line, raw in _lines(queue):
        entry = decisions.get(line)
        state = status(line, decisions)
        if state == "rejected":
            rejected.append(raw)
            continue
        if state == "pending":
            kept.append(raw)
            continue
        text = _accepted(raw, entry.example if entry and entry.action == "edit" else None)
        if not text:
            continue  # an accepted blank line adds nothing
        if queue.into is not None:
            added.append(text)
        else:
            kept.append(text)
            still_accepted.append(len(kept))
    if queue.index.changed():
        raise UserInputError.from_catalog(
            "core.data.review.changed_while_saving",
            hint_key="core.data.review.changed_while_saving_hint",
            path=queue.path,
        )
    if rejected:
        _append(queue.rejects, rejected)
    if added and queue.into is not None:
        _append(queue.into, added)
    with atomic_output(queue.path) as handle:
        _write(handle, iter(kept))
    queue.log.append(ReviewEntry(time=now(), action="save", lines=still_accepted))
    queue.reload()
    return SaveResult(
        file=str(queue.path),
        kept=len(kept),
        into=str(queue.into) if queue.into else None,
        added=len(added),
        rejected=len(rejected),
        rejects_file=str(queue.rejects) if rejected else None,
        log=str(queue.log.path),
    )


def _lines(queue: ReviewQueue, block: int = 1000) -> Iterator[tuple[int, bytes]]:
    """Every line, read a block at a time."""
    for first in range(1, len(queue) + 1, block):
        last = min(len(queue), first + block - 1)
        yield from enumerate(queue.index.read_range(first, last), start=first)


def _accepted(raw: bytes, edit: dict[str, Any] | None) -> bytes:
    """An accepted line as saved: the edit if any, and never its draft key."""
    if edit is not None:
        return orjson.dumps(without_draft(edit))
    record = fd.parse(raw)
    if isinstance(record, dict) and DRAFT_KEY in record:
        return orjson.dumps(without_draft(record))
    return raw.strip()  # an accepted line keeps its exact bytes


def _append(path: Path, lines: list[bytes]) -> None:
    """``path`` plus ``lines``, written atomically (the old content copied first)."""
    with atomic_output(path) as handle:
        if path.exists():
            with open(path, "rb") as old:
                shutil.copyfileobj(old, handle, 1 << 20)
            if path.stat().st_size and not _ends_with_newline(path):
                handle.write(b"\n")
        _write(handle, iter(lines))


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, 2)
        return handle.read(1) == b"\n"


def _write(handle: IO[Any], lines: Iterator[bytes]) -> None:
    for line in lines:
        handle.write(line + b"\n")
