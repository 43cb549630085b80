"""The review log: every decision appended to ``FILE.review.jsonl``, replayed to undo.

The log is append-only (an audit trail): an undo is itself an entry that
cancels the last change still in effect, so undo can be repeated back to the
last save.  A save entry starts a new chapter: the file's lines were renumbered,
so only the lines it names (those that stay accepted) carry over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson
from pydantic import ValidationError

from advisor.data.review.models import ReviewEntry, Status
from advisor.errors import DataFileError, UserInputError

STATUS = {"accept": "accepted", "edit": "edited", "reject": "rejected"}


def log_path(path: Path) -> Path:
    """``train.jsonl`` -> ``train.review.jsonl``, next to it."""
    return path.with_name(path.stem + ".review.jsonl")


def rejects_path(path: Path) -> Path:
    """``train.jsonl`` -> ``train.rejects.jsonl``: rejected lines are kept, not dropped."""
    return path.with_name(path.stem + ".rejects.jsonl")


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Replay:
    """The decisions in effect: the changes since the last save, oldest first."""

    changes: list[ReviewEntry] = field(default_factory=list)
    saved_accepted: set[int] = field(default_factory=set)

    def apply(self, entry: ReviewEntry) -> None:
        if entry.action == "save":
            self.changes, self.saved_accepted = [], set(entry.lines)
        elif entry.action == "undo":
            if self.changes:
                self.changes.pop()
        else:
            self.changes.append(entry)

    def decisions(self) -> dict[int, ReviewEntry]:
        """The last change of each line."""
        return {e.line: e for e in self.changes if e.line is not None}

    def status(self, line: int, decisions: dict[int, ReviewEntry]) -> Status:
        entry = decisions.get(line)
        if entry is not None:
            return STATUS[entry.action]  # type: ignore[return-value]
        return "accepted" if line in self.saved_accepted else "pending"


class ReviewLog:
    """The sidecar log of one reviewed file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.replay = Replay()
        for entry in self._read():
            self.replay.apply(entry)

    def _read(self) -> list[ReviewEntry]:
        if not self.path.exists():
            return []
        entries: list[ReviewEntry] = []
        try:
            text = self.path.read_bytes()
        except OSError as exc:
            raise DataFileError.from_catalog(
                "core.data.review.log_unreadable", path=str(self.path), error=exc.strerror
            ) from exc
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                entries.append(ReviewEntry.model_validate(orjson.loads(raw)))
            except (orjson.JSONDecodeError, ValidationError) as exc:
                raise DataFileError.from_catalog(
                    "core.data.review.log_bad_line",
                    hint_key="core.data.review.log_bad_line_hint",
                    path=str(self.path),
                    line=number,
                ) from exc
        return entries

    def append(self, entry: ReviewEntry) -> None:
        """Write one entry (appended and flushed: a crash loses at most this one)."""
        data = orjson.dumps(entry.model_dump(mode="json", exclude_defaults=True)) + b"\n"
        try:
            with open(self.path, "ab") as handle:
                handle.write(data)
        except OSError as exc:
            raise UserInputError.from_catalog(
                "core.data.review.log_unwritable",
                hint_key="core.data.review.log_unwritable_hint",
                path=self.path,
                error=exc.strerror,
            ) from exc
        self.replay.apply(entry)

    def undo(self) -> ReviewEntry:
        """Cancel the last change in effect and return it."""
        if not self.replay.changes:
            raise UserInputError.from_catalog(
                "core.data.review.nothing_to_undo", hint_key="core.data.review.nothing_to_undo_hint"
            )
        last = self.replay.changes[-1]
        self.append(ReviewEntry(time=now(), action="undo", line=last.line, before=last.before))
        return last
