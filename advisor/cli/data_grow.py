"""``advisor data grow``: draft new training examples with a teacher model, for review."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from advisor.cli import context
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json, progress_bar

if TYPE_CHECKING:
    from advisor.app.grow import GrowSummary

# advisor.data.near_dup.DEFAULT_THRESHOLD (a test keeps them equal), not imported from
# there: near_dup loads numpy and the cleansing rules, which every command would pay for.
DEFAULT_THRESHOLD = 0.6


class _Bar:
    """A progress bar on stderr for ``progress(done, total, label)`` (terminals only)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Bar:
        if self.enabled:
            self._bar = progress_bar(transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task(context.t("grow.drafting"), total=None)
        return self

    def __call__(self, done: int, total: int, label: str) -> None:
        if self._bar is not None:
            from advisor.data.texts import label_in  # here: every command would load its YAML

            shown = label_in(label, context.lang())
            description = context.t("grow.drafting_label", label=shown)[:60]
            self._bar.update(
                self._task, completed=done, total=total or None, description=description
            )

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def grow(
    train: Path = typer.Argument(
        ..., help="The training file (SFT JSONL) to grow.", show_default=False
    ),
    out: Path = typer.Option(..., "--out", "-o", help="The drafts file to write (JSONL)."),
    docs: str | None = typer.Option(
        None, "--docs", help="Knowledge documents: a folder, a file, or a knowledge base name."
    ),
    test: Path | None = typer.Option(
        None, "--test", help="The test set: no draft may (nearly) repeat one of its prompts."
    ),
    count: int = typer.Option(100, "--count", "-n", help="How many drafts to keep."),
    backend: str | None = typer.Option(None, "--backend", "-b", help="The teacher's backend."),
    model: str | None = typer.Option(None, "--model", help="The teacher model."),
    distill: Path | None = typer.Option(
        None, "--distill", help="Real prompts (one per line, or JSONL) for the teacher to answer."
    ),
    threshold: float = typer.Option(
        DEFAULT_THRESHOLD, "--threshold", help="Similarity (0-1) at which a draft is a duplicate."
    ),
    max_tokens: int = typer.Option(256, "--max-tokens", min=1, help="Longest teacher answer."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Draft new examples (paraphrases, questions on documents, distilled answers) for review."""
    from advisor.app.grow import GrowRequest, plan_grow, run_grow

    request = GrowRequest(
        train=train,
        out=out,
        docs=docs,
        test=test,
        count=count,
        backend=backend,
        model=model,
        distill=distill,
        threshold=threshold,
        max_tokens=max_tokens,
    )
    plan = plan_grow(request, context.settings(), _backends)
    # Ctrl+C stops drafting; the drafts so far are written before the CLI exits 130.
    with _Bar(enabled=fmt is OutputFormat.text) as progress:
        summary = run_grow(plan, progress=progress)
    if fmt is OutputFormat.json:
        print_json(summary)
    else:
        _print_text(summary)
    if summary.drafted == 0:
        raise typer.Exit(1)


def _backends(name: str | None) -> Any:
    return context.backend(name)


def _print_text(summary: GrowSummary) -> None:
    t = context.t
    origins = t("grow.list_sep").join(
        t("grow.count_of", count=n, what=t(f"grow.origin.{o}"))
        for o, n in summary.by_origin.items()
        if n
    )
    echo(
        t(
            "grow.drafted",
            drafted=summary.drafted,
            requested=summary.requested,
            out=str(summary.out),
            origins=origins or t("grow.none"),
        )
    )
    dropped = summary.dropped_as_duplicates
    if dropped:
        reasons: dict[str, int] = {}
        for d in dropped:
            reasons[d.reason] = reasons.get(d.reason, 0) + 1
        shown = t("grow.list_sep").join(
            t("grow.count_of", count=n, what=t(f"grow.reason.{r}"))
            for r, n in sorted(reasons.items())
        )
        echo(t("grow.dropped_duplicates", count=len(dropped), reasons=shown))
    if summary.dropped_empty:
        echo(t("grow.dropped_empty", count=summary.dropped_empty))
    if summary.cancelled:
        echo(t("grow.cancelled"))
    elif summary.exhausted:
        echo(t("grow.exhausted"))
    echo(t("grow.teacher", teacher=summary.teacher))
