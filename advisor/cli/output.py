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


WAIT_HINT_DELAY_S = 0.4  # an answer quicker than this never flashes the hint


def _fit(text: str, columns: int) -> str:
    """``text`` cut to ``columns`` terminal cells (East Asian wide characters take two), so
    that one carriage return can erase it."""
    import unicodedata

    used, kept = 0, []
    for char in text:
        used += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used > columns:
            break
        kept.append(char)
    return "".join(kept)


@contextmanager
def waiting(
    text: str | Callable[[], str], *, stream: Any = None, delay: float | None = None
) -> Iterator[Callable[[], None]]:
    """``… text`` on stderr while a person waits for a first answer, erased when it comes.

    A local model not yet loaded (or converted, the first time) keeps the terminal
    silent for 10-60 s; this says why.  Yields ``done``, which erases the line at
    once (call it on the first streamed words); leaving erases it too.  Drawn only
    on a terminal, so pipes, scripts and tests see nothing; plain escape codes, not
    rich, because a warm chat must start in well under a second.  ``text`` may be a
    function, called only when the line is drawn: the message catalog is not loaded
    for an answer that comes before the hint would.
    """
    import shutil
    import threading

    out = stream or sys.stderr
    if not out.isatty():
        yield lambda: None
        return
    columns = shutil.get_terminal_size().columns - 1
    lock = threading.Lock()
    state = {"shown": False, "over": False}

    def show() -> None:
        with lock:
            if not state["over"]:
                out.write(_fit(f"… {text if isinstance(text, str) else text()}", columns))
                out.flush()
                state["shown"] = True

    timer = threading.Timer(WAIT_HINT_DELAY_S if delay is None else delay, show)
    timer.daemon = True
    timer.start()

    def done() -> None:
        with lock:
            if state["over"]:
                return
            state["over"] = True
            timer.cancel()
            if state["shown"]:
                out.write("\r\x1b[2K")  # back to the line's start, the line erased
                out.flush()

    try:
        yield done
    finally:
        done()
