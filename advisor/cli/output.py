"""Output conventions shared by every command.

* Human output by default; ``--format json`` prints only JSON on stdout.
* Errors go to stderr as one sentence, no traceback; exit 2 for bad input or
  configuration, 1 when the command ran but found problems, 0 on success.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, NoReturn

import typer
from pydantic import BaseModel

from advisor.errors import AdvisorError


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class ReportFormat(StrEnum):
    """Commands that also write a Markdown brief."""

    text = "text"
    json = "json"
    md = "md"


FORMAT_OPTION: Any = typer.Option(
    OutputFormat.text, "--format", "-f", help="text for people, json for programs."
)


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def print_json(value: Any) -> None:
    """Write one JSON document to stdout (non-ASCII kept readable)."""
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def echo(text: str = "", *, err: bool = False) -> None:
    typer.echo(text, err=err)


def error_line(error: AdvisorError) -> str:
    """``error: <sentence>`` in the session's language (the catalog's errors are bilingual)."""
    from advisor.cli.context import lang, t

    return t("error.line", message=error.localized(lang()))


def fail(error: AdvisorError) -> NoReturn:
    """Print ``error`` as one sentence on stderr and exit with its code."""
    typer.echo(error_line(error), err=True)
    raise typer.Exit(error.exit_code)


def progress_bar(*, transient: bool = False, console: Any = None) -> Any:
    """The one progress-bar layout of the CLI, drawn on stderr so stdout stays clean.

    Returns a ``rich.progress.Progress`` (imported here, so commands that never
    show progress do not pay for rich's progress module at start-up).
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from advisor.cli import context

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        # An ETA from the measured rate of this very task (answers, chunks, steps).
        TextColumn(context.t("progress.eta")),
        TimeRemainingColumn(compact=True),
        console=console or Console(file=sys.stderr),
        transient=transient,
    )


@contextmanager
def waiting(text: str | Callable[[], str], *, console: Any = None) -> Iterator[Callable[[], None]]:
    """A spinner with ``text`` on stderr while a person waits for a first answer.

    A local model not yet loaded (or converted, the first time) keeps the terminal
    silent for 10-60 s; this says why.  Yields ``done``, which clears the line at
    once (call it on the first streamed words); it is cleared on leaving anyway.
    Drawn only on a terminal: pipes, scripts and tests see nothing.  ``text`` may be
    a function, called only then: a piped warm ``advisor chat`` loads neither rich
    nor the message catalog (tests/cli/test_lazy_commands.py).
    """
    if console is None and not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console

    console = console or Console(file=sys.stderr)
    if not console.is_terminal:
        yield lambda: None
        return
    status = console.status(text() if callable(text) else text, spinner="dots")
    status.start()
    shown = [True]

    def done() -> None:
        if shown[0]:
            status.stop()
            shown[0] = False

    try:
        yield done
    finally:
        done()
