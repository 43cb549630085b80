"""SQLite files of the product (job store, generation cache): one way to open them.

WAL mode lets readers (the CLI, the wizard) work while a writer (a training
worker, a benchmark) writes; ``synchronous=NORMAL`` keeps committed writes
across a process crash.  Each :func:`transaction` is a short connection, so a
store object may be shared by threads and processes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def create(path: Path, schema: str) -> None:
    """Create the file's folder, switch it to WAL and apply ``schema`` (idempotent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with transaction(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)


@contextmanager
def transaction(path: Path, *, foreign_keys: bool = False) -> Iterator[sqlite3.Connection]:
    """One transaction: committed when the block ends, rolled back on an exception."""
    db = sqlite3.connect(path, timeout=30.0)
    try:
        if foreign_keys:
            db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
        with db:
            yield db
    finally:
        db.close()
