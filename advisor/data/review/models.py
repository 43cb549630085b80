"""The review queue's file formats and outputs (pydantic models).

* :class:`DraftInfo` - the ``"draft"`` object of a drafts line (the contract with
  ``advisor data grow``): where an unreviewed example came from.
* :class:`ReviewEntry` - one line of the review log ``FILE.review.jsonl``.
* :class:`ReviewPage` and :class:`ReviewRow` - what ``advisor data review --list
  --format json`` prints and what the wizard shows.
* :class:`SaveResult` - what ``--save`` did.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.data.texts import Said

Decision = Literal["accept", "edit", "reject"]
Status = Literal["pending", "accepted", "edited", "rejected"]
LogAction = Literal["accept", "edit", "reject", "undo", "save"]


class DraftInfo(BaseModel):
    """Where a draft came from; extra keys a generator adds are kept."""

    model_config = ConfigDict(extra="allow")
    origin: str = Field(description='How it was made: "paraphrase", "document", "distill", ...')
    teacher: str = Field(default="", description='The model that wrote it, "backend:model".')
    source: str = Field(default="", description="What it was made from (a file, a line).")


class ReviewFinding(BaseModel):
    """A validation finding (error, warning) or a cleansing finding (clean) of one line.

    ``message`` is English (JSON output); ``text`` keeps its key and parameters so
    the shells show it in the reader's language (:meth:`message_in`).
    """

    level: Literal["error", "warning", "clean"]
    code: str = Field(description="The validator's code, or the cleaning rule's name.")
    message: str
    field: str | None = Field(default=None, description='Where, e.g. "messages[2].content".')
    text: Said | None = Field(default=None, exclude=True, repr=False)

    @classmethod
    def of(
        cls, level: Literal["error", "warning", "clean"], code: str, said: Said, **extra: Any
    ) -> ReviewFinding:
        return cls(level=level, code=code, message=said.en, text=said, **extra)

    def message_in(self, lang: str) -> str:
        """The sentence in ``lang`` (``message`` when the finding carries no text key)."""
        return self.text.render(lang) if self.text is not None else self.message


class ReviewRow(BaseModel):
    line: int = Field(description="1-based line in the reviewed file.")
    status: Status
    example: dict[str, Any] | None = Field(
        description="The example as it will be saved (the edit for edited lines), "
        "without its draft key; null for a line that is not a JSON object."
    )
    raw: str | None = Field(default=None, description="The text of a line that is not JSON.")
    draft: DraftInfo | None = None
    findings: list[ReviewFinding] = Field(default_factory=list)

    @property
    def errors(self) -> list[ReviewFinding]:
        return [f for f in self.findings if f.level == "error"]


class ReviewCounts(BaseModel):
    lines: int
    pending: int
    accepted: int
    edited: int
    rejected: int


class ReviewPage(BaseModel):
    """One page of the queue: ``advisor data review FILE --list --format json``."""

    file: str
    into: str | None
    method: str
    page: int = Field(description="1-based page number.")
    pages: int
    page_size: int
    counts: ReviewCounts
    rows: list[ReviewRow]


class ReviewEntry(BaseModel):
    """One change in the review log; the log is replayed to know every decision."""

    time: datetime
    action: LogAction
    line: int | None = None
    before: str | None = Field(default=None, description="Hash of the line in the file.")
    after: str | None = Field(default=None, description="Hash of the replacement (edit).")
    example: dict[str, Any] | None = Field(default=None, description="The corrected example.")
    lines: list[int] = Field(
        default_factory=list, description="save: lines of the new file that stay accepted."
    )


class SaveResult(BaseModel):
    """What ``advisor data review FILE --save`` wrote."""

    file: str
    kept: int = Field(description="Lines left in the reviewed file.")
    into: str | None = None
    added: int = Field(description="Accepted examples appended to --into.")
    rejected: int
    rejects_file: str | None
    log: str
