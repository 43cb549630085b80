"""The options, report items and results of ``advisor data clean`` (pydantic models)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Action = Literal["changed", "flagged", "removed"]


class CleanOptions(BaseModel):
    lang: Literal["auto", "en", "ja"] = "auto"
    near_threshold: float = Field(default=0.9, ge=0.5, le=1.0)
    boilerplate_share: float = Field(
        default=0.3, gt=0, le=1, description="A line in this share of answers is boilerplate."
    )
    wordlist: str | None = Field(default=None, description="Own inappropriate-word list.")
    skip_rules: list[str] = Field(
        default_factory=list, description="Rules switched off (names as in the report)."
    )
    keep: list[str] = Field(
        default_factory=list, description="Phrases never removed (a sign-off, a disclaimer)."
    )
    keep_pii: list[str] = Field(
        default_factory=list,
        description="E-mail addresses and phone numbers left unmasked: literal text or regexes.",
    )
    unify_register: Literal["polite", "plain"] | None = Field(
        default=None,
        description="Rewrite Japanese answers' sentence endings into this register (opt-in).",
    )
    graders: list[str] = Field(
        default_factory=list,
        description="Grader or scenario files: what they check is never removed.",
    )


class Change(BaseModel):
    line: int = Field(description="1-based line of the example in the input file.")
    rule: str
    action: Action
    field: str | None = Field(default=None, description='Where, e.g. "messages[2].content".')
    before: str | None = None
    after: str | None = Field(default=None, description="New text, or a suggestion for a flag.")


class CleanSummary(BaseModel):
    """What ``advisor data clean --format json`` prints."""

    input: str
    output: str
    report: str | None
    read: int
    written: int
    removed: int
    changes: int
    flags: int
    by_rule: dict[str, int]


class CleanResult(BaseModel):
    """The report file: the summary and every change and flag.

    ``items`` is empty when :func:`~advisor.data.clean.clean_file` was asked not to
    keep them (the CLI: they go to the report file, not to memory); the counts
    are always complete.
    """

    input: str
    output: str
    report: str | None
    read: int
    written: int
    items: list[Change] = Field(default_factory=list)
    by_rule: dict[str, int] = Field(default_factory=dict)
    by_action: dict[str, int] = Field(default_factory=dict)

    def summary(self) -> CleanSummary:
        return CleanSummary(
            input=self.input,
            output=self.output,
            report=self.report,
            read=self.read,
            written=self.written,
            removed=self.by_action.get("removed", 0),
            changes=self.by_action.get("changed", 0),
            flags=self.by_action.get("flagged", 0),
            by_rule=dict(self.by_rule),
        )
