"""The review queue of one file: pages on demand, decisions, undo.

Opening indexes line offsets (no parsing); a page parses and checks only its
own lines (``parsed`` counts them, so tests can prove it).  Decisions live in
the review log (:mod:`.log`), which is checked against the file on open: a line
whose content changed since it was reviewed is reported, never silently
mismatched.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from advisor.data.checks import DRAFT_KEY, without_draft
from advisor.data.review import findings as fd
from advisor.data.review.index import LineIndex, line_hash
from advisor.data.review.log import ReviewLog, log_path, now, rejects_path
from advisor.data.review.models import (
    LogAction,
    ReviewCounts,
    ReviewEntry,
    ReviewFinding,
    ReviewPage,
    ReviewRow,
)
from advisor.data.streams import check_input, display_name, is_stream
from advisor.errors import DataFileError, UserInputError

PAGE_SIZE = 20
CACHE_ROWS = 200  # parsed lines kept: a few pages back and forth


class FindingText(NamedTuple):
    """A finding quoted in an error: English as ``str``, and in the reader's language."""

    finding: ReviewFinding

    def __str__(self) -> str:
        return self.finding.message

    def localized(self, lang: str) -> str:
        return self.finding.message_in(lang)


class ReviewQueue:
    """Review ``path`` (JSONL); with ``into``, accepted examples go to that file on save."""

    def __init__(
        self,
        path: Path | str,
        *,
        into: Path | str | None = None,
        method: str | None = None,
        page_size: int = PAGE_SIZE,
        clean: bool = True,
    ) -> None:
        self.path = Path(path)
        check_input(self.path)
        if is_stream(self.path):
            raise UserInputError.from_catalog(
                "core.data.review.stream", hint_key="core.data.review.stream_hint"
            )
        self.into = Path(into) if into is not None else None
        if self.into is not None and self.into.resolve() == self.path.resolve():
            raise UserInputError.from_catalog(
                "core.data.review.into_is_input", hint_key="core.data.review.into_is_input_hint"
            )
        self.page_size = max(1, page_size)
        self.clean = clean
        self.parsed = 0  # lines parsed and checked so far: paging must keep this small
        self._rows: OrderedDict[int, tuple[bytes, Any]] = OrderedDict()
        self._block: tuple[int, list[bytes]] | None = None  # verify's read-ahead
        self.index = LineIndex(self.path)
        self.log = ReviewLog(log_path(self.path))
        self.rejects = rejects_path(self.path)
        self.method = method or self._detect()
        self.verify()

    # --- reading ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.index)

    @property
    def pages(self) -> int:
        return max(1, -(-len(self) // self.page_size))

    def _record(self, line: int) -> tuple[bytes, Any]:
        """The raw bytes and parsed JSON of ``line``, parsed once while cached."""
        if line in self._rows:
            self._rows.move_to_end(line)
            return self._rows[line]
        raw = self.index.read(line)
        self._remember(line, raw)
        return self._rows[line]

    def _remember(self, line: int, raw: bytes) -> None:
        self.parsed += 1
        self._rows[line] = (raw, fd.parse(raw) if raw.strip() else fd.INVALID)
        while len(self._rows) > CACHE_ROWS:
            self._rows.popitem(last=False)

    def _detect(self) -> str:
        for line in range(1, min(len(self), self.page_size) + 1):
            _, record = self._record(line)
            if isinstance(record, dict):
                return fd.detect_method(without_draft(record))
        return "sft"

    def _check_line(self, line: int) -> None:
        if not 1 <= line <= len(self):
            raise UserInputError.from_catalog(
                "core.data.review.no_such_line",
                hint_key="core.data.review.no_such_line_hint",
                line=line,
                file=display_name(self.path),
                count=len(self),
            )

    def row(self, line: int) -> ReviewRow:
        """Line ``line`` with its status, its draft metadata and its findings."""
        self._check_line(line)
        raw, record = self._record(line)
        entry = self.log.replay.decisions().get(line)
        return self._row(line, raw, record, entry)

    def _row(self, line: int, raw: bytes, record: Any, entry: ReviewEntry | None) -> ReviewRow:
        status = self.log.replay.status(line, {line: entry} if entry else {})
        if entry is not None and entry.action == "edit" and entry.example is not None:
            record = entry.example
            raw = orjson.dumps(record)
        draft, problems = fd.draft_of(record)
        found = problems + fd.check(raw, record, self.method, clean=self.clean)
        example = without_draft(record) if isinstance(record, dict) else None
        text = None if isinstance(record, dict) else raw.decode("utf-8", "replace")
        return ReviewRow(
            line=line, status=status, example=example, raw=text, draft=draft, findings=found
        )

    def page(self, number: int = 1) -> ReviewPage:
        """Page ``number`` (1-based; clamped to the last page): only its lines are read."""
        number = min(max(1, number), self.pages)
        first = (number - 1) * self.page_size + 1
        last = min(len(self), first + self.page_size - 1)
        rows: list[ReviewRow] = []
        if len(self):
            missing = [n for n in range(first, last + 1) if n not in self._rows]
            if missing:
                for offset, raw in enumerate(self.index.read_range(missing[0], missing[-1])):
                    if missing[0] + offset not in self._rows:
                        self._remember(missing[0] + offset, raw)
            decisions = self.log.replay.decisions()
            for line in range(first, last + 1):
                raw, record = self._record(line)
                rows.append(self._row(line, raw, record, decisions.get(line)))
        return ReviewPage(
            file=str(self.path),
            into=str(self.into) if self.into else None,
            method=self.method,
            page=number,
            pages=self.pages,
            page_size=self.page_size,
            counts=self.counts(),
            rows=rows,
        )

    def counts(self) -> ReviewCounts:
        replay = self.log.replay
        decisions = replay.decisions()
        tally = {"accepted": 0, "edited": 0, "rejected": 0}
        for line in set(decisions) | replay.saved_accepted:
            if line <= len(self):
                tally[replay.status(line, decisions)] += 1
        decided = sum(tally.values())
        return ReviewCounts(lines=len(self), pending=len(self) - decided, **tally)

    # --- decisions ----------------------------------------------------------------------

    def accept(self, lines: Iterable[int]) -> int:
        """Accept ``lines``; a line with errors is refused (edit or reject it instead)."""
        decisions = self.log.replay.decisions()
        chosen = sorted(set(lines))
        for line in chosen:
            self._check_line(line)
            errors = self.errors(line, decisions)
            if errors:
                raise UserInputError.from_catalog(
                    "core.data.review.cannot_accept",
                    hint_key="core.data.review.cannot_accept_hint",
                    line=line,
                    problem=FindingText(errors[0]),
                    code=errors[0].code,
                )
        for line in chosen:
            entry = decisions.get(line)
            if entry is None or entry.action != "edit":  # an edit is already accepted
                self._decide("accept", line)
        return len(chosen)

    def errors(
        self, line: int, decisions: dict[int, ReviewEntry] | None = None
    ) -> list[ReviewFinding]:
        """The validation errors of ``line`` as it would be saved (no cleaning rules)."""
        raw, record = self._record(line)
        if decisions is None:
            decisions = self.log.replay.decisions()
        entry = decisions.get(line)
        if entry is not None and entry.action == "edit" and entry.example is not None:
            record = entry.example
            raw = orjson.dumps(record)
        found = fd.check(raw, record, self.method, clean=False)
        return [f for f in found if f.level == "error"]

    def reject(self, lines: Iterable[int]) -> int:
        chosen = sorted(set(lines))
        for line in chosen:
            self._check_line(line)
        for line in chosen:
            self._decide("reject", line)
        return len(chosen)

    def edit(self, line: int, example: Any) -> ReviewRow:
        """Replace ``line`` with ``example`` (validated first); it counts as accepted."""
        self._check_line(line)
        if not isinstance(example, dict):
            raise UserInputError.from_catalog(
                "core.data.review.edit_not_object",
                hint_key="core.data.review.edit_not_object_hint",
                line=line,  # always given: the hint's doubled braces need a value to format
            )
        _, record = self._record(line)
        if isinstance(record, dict) and DRAFT_KEY in record and DRAFT_KEY not in example:
            example = {**example, DRAFT_KEY: record[DRAFT_KEY]}  # the draft stays traceable
        problems = [f for f in fd.check(orjson.dumps(example), example, self.method, clean=False)]
        errors = [f for f in problems if f.level == "error"]
        if errors:
            raise UserInputError.from_catalog(
                "core.data.review.edit_invalid",
                hint_key="core.data.review.edit_invalid_hint",
                line=line,
                method=self.method,
                problem=FindingText(errors[0]),
                code=errors[0].code,
            )
        self._decide("edit", line, example)
        return self.row(line)

    def _decide(self, action: LogAction, line: int, example: dict[str, Any] | None = None) -> None:
        raw, _ = self._record(line)
        entry = ReviewEntry(
            time=now(),
            action=action,
            line=line,
            before=line_hash(raw),
            after=line_hash(orjson.dumps(example)) if example is not None else None,
            example=example,
        )
        self.log.append(entry)

    def undo(self) -> ReviewEntry:
        """Cancel the last change still in effect (repeatable back to the last save)."""
        return self.log.undo()

    # --- integrity -----------------------------------------------------------------------

    def verify(self) -> None:
        """Every logged decision must still match its line's content."""
        decisions = self.log.replay.decisions()
        for line in sorted(decisions):
            entry = decisions[line]
            if line > len(self) or line_hash(self._raw(line)) != entry.before:
                raise DataFileError.from_catalog(
                    "core.data.review.line_changed",
                    hint_key="core.data.review.line_changed_hint",
                    path=display_name(self.path),
                    line=line,
                    log=self.log.path.name,
                )
        self._block = None

    def _raw(self, line: int) -> bytes:
        """Line ``line``'s bytes, read a block at a time when lines are asked in order."""
        block = self._block
        if block is None or not block[0] <= line < block[0] + len(block[1]):
            last = min(len(self), line + 999)
            block = self._block = (line, self.index.read_range(line, last))
        return block[1][line - block[0]]

    def reload(self) -> None:
        """Read the file and the log again (after a save, or a change on disk)."""
        self._rows.clear()
        self._block = None
        self.index.build()
        self.log = ReviewLog(self.log.path)
        self.verify()
