"""The error of a training file that failed validation, in the reader's language.

Fine-tuning services refuse such a file before anything is uploaded or trained
(``advisor tune create``).  The error names the first issue with its line and
the fix; its English sentence is what it always was (job logs and JSON keep it),
and :meth:`ValidationRefused.localized` renders the issue, the count and the
hint in Japanese when the CLI asks for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.data.texts import Said, say
from advisor.errors import DataFileError

if TYPE_CHECKING:
    from advisor.data.validate import Issue

# Notes the services append to the hint, with their Japanese text.
_NOTES = {"; nothing was uploaded": "refusal.nothing_uploaded"}


class ValidationRefused(DataFileError):
    """A file failed validation: its first ``issue`` (or None), the count and the fix."""

    def __init__(
        self, path: str, issue: Issue | None, *, more: int, hint: Said, note: str = ""
    ) -> None:
        self.issue = issue
        self.more = more
        self.hint_said = hint
        self.note = note
        message = issue.message if issue is not None else say("refusal.failed").en
        if more:
            message += say("refusal.more", count=more).en
        super().__init__(
            message, path=path, line=issue.line if issue else None, hint=hint.en + note
        )

    def localized(self, lang: str) -> str:
        if lang != "ja":
            return super().localized(lang)
        issue = self.issue
        message = (
            issue.message_in(lang) if issue is not None else say("refusal.failed").render(lang)
        )
        if self.more:
            message += say("refusal.more", count=self.more).render(lang)
        if self.path and self.line:
            message = (
                say("refusal.where_line", path=self.path, line=self.line).render(lang) + message
            )
        elif self.path:
            message = f"{self.path}: {message}"
        note = say(_NOTES[self.note]).render(lang) if self.note in _NOTES else self.note
        return f"{message.rstrip('。')}。{self.hint_said.render(lang)}{note}"


def refused(
    path: str, errors: list[Issue], *, hint: Said, note: str = "", count_more: bool = True
) -> ValidationRefused:
    """The refusal for ``errors`` (line-level ones first); ``count_more``: say how many follow."""
    ordered = sorted(errors, key=lambda e: (e.line is None, e.line or 0))
    first = ordered[0] if ordered else None
    more = len(ordered) - 1 if count_more and len(ordered) > 1 else 0
    return ValidationRefused(path, first, more=more, hint=hint, note=note)
