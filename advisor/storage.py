"""SQLite files of the product (job store, generation cache): one way to open them.

WAL mode lets readers (the CLI, the wizard) work while a writer (a training
worker, a benchmark) writes; ``synchronous=NORMAL`` keeps committed writes
across a process crash.  Each :func:`transaction` is a short connection, so a
store object may be shared by threads and processes.

A file that SQLite cannot open or read (damaged, not a database, a folder in
its place) becomes one sentence that names the file and how to recover; the
product never deletes or replaces such a file itself.  This module sits below
``advisor.errors``, so callers pass the exception class to raise (``error``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ErrorFactory = Callable[..., Exception]  # called as error(message, hint=hint)

DAMAGED = ("malformed", "not a database", "disk i/o error", "file is encrypted")


class UnusableStore(Exception):
    """The default ``error``: a store file that cannot be used (callers usually pass their own)."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message, self.hint = message, hint
        super().__init__(f"{message}: {hint}" if hint else message)


def explain(path: Path, exc: BaseException, label: str, error: ErrorFactory) -> Exception | None:
    """The one-sentence error for ``exc`` raised on ``path``; None when it is not about the file."""
    text = str(exc).lower()
    aside = f"mv {path} {path}.broken"
    if isinstance(exc, sqlite3.DatabaseError) and any(word in text for word in DAMAGED):
        return error(
            f"the {label} {path} is damaged ({exc})",
            hint=f"move it aside ({aside}) and run the command again: a new empty {label} "
            f"is created and the old file stays for recovery (sqlite3 {path}.broken .recover)",
        )
    unopenable = isinstance(exc, OSError) or "unable to open" in text
    if unopenable or "readonly" in text:
        if path.is_dir():
            reason = "a folder is in its place"
        elif path.parent.exists() and not path.parent.is_dir():
            reason = f"{path.parent} is a file, not a folder"
        else:
            reason = str(getattr(exc, "strerror", None) or exc)
        return error(
            f"cannot open the {label} {path} ({reason})",
            hint=f"move what is there aside ({aside}) or point ADVISOR_DATA_DIR at a folder "
            "you can write",
        )
    if "database is locked" in text:
        return error(
            f"the {label} {path} stayed locked by another process for 30 s",
            hint="wait for that process to finish (or stop it) and run the command again",
        )
    return None


def create(
    path: Path, schema: str, *, label: str = "database", error: ErrorFactory = UnusableStore
) -> None:
    """Create the file's folder, switch it to WAL and apply ``schema`` (idempotent)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise (explain(path, exc, label, error) or exc) from exc
    with transaction(path, label=label, error=error) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)


@contextmanager
def transaction(
    path: Path,
    *,
    foreign_keys: bool = False,
    label: str = "database",
    error: ErrorFactory = UnusableStore,
) -> Iterator[sqlite3.Connection]:
    """One transaction: committed when the block ends, rolled back on an exception."""
    try:
        db = sqlite3.connect(path, timeout=30.0)
    except sqlite3.Error as exc:
        raise (explain(path, exc, label, error) or exc) from exc
    try:
        if foreign_keys:
            db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
        with db:
            yield db
    except sqlite3.Error as exc:
        translated = explain(path, exc, label, error)
        if translated is None:
            raise
        raise translated from exc
    finally:
        db.close()
