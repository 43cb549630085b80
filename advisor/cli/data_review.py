"""``advisor data review FILE``: the review queue, scriptable.

Each call opens the queue (line offsets only), applies the given actions in a
fixed order - undo, edit, accept, reject, accept-all-clean, save - and lists a
page when asked (or when no action is given).  Decisions go to the review log
``FILE.review.jsonl`` as they are made, so several calls can build one review.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from advisor.cli import context
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json, progress_bar

if TYPE_CHECKING:
    from advisor.app.review import ReviewOutcome
    from advisor.data.review import ReviewPage, ReviewQueue
    from advisor.data.review.models import ReviewCounts

MARK = {"pending": " ", "accepted": "+", "edited": "~", "rejected": "x"}


def review(
    file: Path = typer.Argument(
        ..., help="The training, test or drafts file (JSONL) to review.", show_default=False
    ),
    into: Path | None = typer.Option(
        None, "--into", help="Training file that accepted examples are appended to on --save."
    ),
    method: str | None = typer.Option(
        None, "--method", "-m", help="sft, dpo or rft (default: from the first example)."
    ),
    show: bool = typer.Option(False, "--list", help="List a page of examples with findings."),
    page: int = typer.Option(1, "--page", min=1, help="The page --list shows."),
    page_size: int = typer.Option(20, "--page-size", min=1, max=1000, help="Lines per page."),
    accept: str | None = typer.Option(
        None, "--accept", help="Accept lines: 3,5-9 or all (lines with errors are refused)."
    ),
    reject: str | None = typer.Option(None, "--reject", help="Reject lines: 3,5-9 or all."),
    edit: int | None = typer.Option(
        None, "--edit", min=1, help="Replace this line with --json (validated first)."
    ),
    edit_json: str | None = typer.Option(None, "--json", help="The corrected example (JSON)."),
    undo: int = typer.Option(
        0, "--undo", count=True, help="Undo the last change (repeat to undo more)."
    ),
    accept_all_clean: bool = typer.Option(
        False, "--accept-all-clean", help="Accept every pending line without any finding."
    ),
    save: bool = typer.Option(
        False, "--save", help="Write the result: rejects aside, accepted drafts into --into."
    ),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Page through examples with their findings; accept, edit or reject; undo; save.

    Accepted drafts lose their "draft" key and, with --into, are appended to the
    training file on --save; rejected lines go to FILE.rejects.jsonl; every change
    is logged in FILE.review.jsonl."""
    from advisor.app import review as uc
    from advisor.errors import UserInputError

    if (edit is None) != (edit_json is None):
        raise UserInputError.from_catalog("review.edit_json", hint_key="review.edit_json_hint")
    queue = uc.open_queue(file, into=into, method=method, page_size=page_size)
    outcome = uc.ReviewOutcome(file=str(file), counts=queue.counts())
    undone: list[tuple[str, int | None]] = []  # (action, line) for the text output
    for _ in range(undo):
        entry = queue.undo()
        outcome.undone.append(f"{entry.action} line {entry.line}")
        undone.append((entry.action, entry.line))
    if edit is not None and edit_json is not None:
        queue.edit(edit, uc.parse_edit(edit_json, edit))
        outcome.edited.append(edit)
    if accept is not None:
        outcome.accepted += queue.accept(uc.parse_lines(accept, len(queue)))
    if reject is not None:
        outcome.rejected += queue.reject(uc.parse_lines(reject, len(queue)))
    if accept_all_clean:
        outcome.accepted += _accept_all_clean(queue, fmt)
    if save:
        outcome.saved = uc.save(queue)
    acted = bool(undo or edit or accept or reject or accept_all_clean or save)
    outcome.counts = queue.counts()
    listing = queue.page(page) if show or not acted else None
    if fmt is OutputFormat.json:
        if acted:
            outcome.page = listing
            print_json(outcome)
        else:
            print_json(listing)
        return
    if acted:
        _say(outcome, undone)
    if listing is not None:
        _show(listing)


def _accept_all_clean(queue: ReviewQueue, fmt: OutputFormat) -> int:
    """Every line runs through the cleaning rules: a progress bar on a terminal."""
    import sys

    from advisor.app.review import accept_all_clean

    if fmt is OutputFormat.json or not sys.stderr.isatty():
        return accept_all_clean(queue)
    with progress_bar(transient=True) as bar:
        task = bar.add_task(context.t("review.checking"), total=queue.pages)
        return accept_all_clean(
            queue, lambda done, _total, _label: bar.update(task, completed=done)
        )


def _say(outcome: ReviewOutcome, undone: list[tuple[str, int | None]]) -> None:
    t = context.t
    for action, line in undone:
        echo(t("review.undone", action=t(f"review.action.{action}"), line=line))
    for line in outcome.edited:
        echo(t("review.edited", line=line))
    if outcome.accepted:
        echo(t("review.accepted", count=outcome.accepted))
    if outcome.rejected:
        echo(t("review.rejected", count=outcome.rejected))
    saved = outcome.saved
    if saved is not None:
        into = t("review.saved_into", added=saved.added, into=saved.into) if saved.into else ""
        rejects = (
            t("review.saved_rejects", rejected=saved.rejected, file=saved.rejects_file)
            if saved.rejected
            else ""
        )
        echo(t("review.saved", file=saved.file, kept=saved.kept, into=into, rejects=rejects))
    echo(t("review.lines", lines=outcome.counts.lines, counts=_counts(outcome.counts)))


def _counts(counts: ReviewCounts) -> str:
    return context.t(
        "review.counts",
        pending=counts.pending,
        accepted=counts.accepted,
        edited=counts.edited,
        rejected=counts.rejected,
    )


def _show(listing: ReviewPage) -> None:
    from advisor.data.review.text import preview

    t = context.t
    head = t("review.page", file=listing.file, method=listing.method, page=listing.page,
             pages=listing.pages, counts=_counts(listing.counts))  # fmt: skip
    echo(head)
    for row in listing.rows:
        echo(f"{MARK[row.status]} {row.line:>5}  {preview(row)}")
        if row.draft is not None:
            draft = row.draft
            echo("         " + t("review.draft", origin=t(f"grow.origin.{draft.origin}"),
                                 teacher=draft.teacher or "?", source=draft.source))  # fmt: skip
        for found in row.findings:
            where = f" {found.field}:" if found.field else ""
            level = t(f"review.level.{found.level}")
            echo(f"         {level} [{found.code}]{where} {found.message_in(context.lang())}")


def register(app: typer.Typer) -> None:
    app.command("review")(review)
