"""The generation cache: answers keyed by everything that determines them.

A key is the SHA-256 of backend, model, route (with a fingerprint of its
configuration: system prompt, knowledge base), prompt, generation parameters
and repeat index.  Embeddings of answers (for the similarity metrics) are
cached too, keyed by backend, embedding model and text, so that a re-run loads
no model at all.  The repeat index is part of the key so that N repeats are N
independent samples the first time and the same N answers on a re-run;
``--no-cache`` skips reading (and overwrites) to draw fresh samples.

SQLite in WAL mode, one short transaction per call, so threads of the runner's
pool and concurrent benches can share the file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor import storage

if TYPE_CHECKING:
    from advisor.bench.scenario import Scenario

SCHEMA = """
CREATE TABLE IF NOT EXISTS generations (
    key TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS embeddings (
    key TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
"""


def route_fingerprint(scenario: Scenario, route_id: str, route: object) -> str:
    """Route id plus what shapes its prompts, so edited prompts miss the cache."""
    from advisor.bench.routespec import parse_route

    parts = [route_id, scenario.system_prompt]
    if parse_route(route_id).retrieves:
        for path in scenario.knowledge_files():
            parts.append(hashlib.sha256(path.read_bytes()).hexdigest())
    few_shot = getattr(route, "few_shot_file", None)
    if few_shot is not None:  # the examples chosen shape every prompt
        parts.append(hashlib.sha256(few_shot.read_bytes()).hexdigest())
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
    return f"{route_id}:{digest}"


def cache_key(
    *,
    backend: str,
    model: str,
    route: str,
    prompt: str,
    params: dict[str, Any],
    repeat: int,
    engine: str = "",
) -> str:
    """A stable key; ``params`` must be JSON-serialisable (sorted for stability).

    ``engine`` (``Backend.generation_engine``) joins the key only when set, so the
    keys of answers cached before it existed (and of the default engine) stay valid.
    """
    fields = {
        "backend": backend,
        "model": model,
        "route": route,
        "prompt": prompt,
        "params": params,
        "repeat": repeat,
    }
    if engine:
        fields["engine"] = engine
    material = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(material.encode()).hexdigest()


class GenerationCache:
    """A key -> JSON document store for generated answers."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        storage.create(self.path, SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return storage.transaction(self.path)

    def get_many(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The cached documents among ``keys`` (missing keys are absent)."""
        found: dict[str, dict[str, Any]] = {}
        with self._connect() as db:
            # Chunks stay under SQLite's host-parameter limit.
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT key, body FROM generations WHERE key IN ({marks})", chunk
                ).fetchall()
                found.update({k: json.loads(body) for k, body in rows})
        return found

    def put_many(self, items: dict[str, dict[str, Any]]) -> None:
        now = time.time()
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO generations (key, created_at, body) VALUES (?, ?, ?)",
                [(k, now, json.dumps(v, ensure_ascii=False)) for k, v in items.items()],
            )

    def embed_cached(
        self, namespace: str, texts: Sequence[str], embed: Callable[[list[str]], list[list[float]]]
    ) -> list[list[float]]:
        """Vectors for ``texts``, computing (with ``embed``) only those not cached yet."""
        keys = [hashlib.sha256(f"{namespace}\x00{t}".encode()).hexdigest() for t in texts]
        found: dict[str, list[float]] = {}
        with self._connect() as db:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT key, body FROM embeddings WHERE key IN ({marks})", chunk
                ).fetchall()
                found.update({k: json.loads(body) for k, body in rows})
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            vectors = embed([text_of[k] for k in missing])
            fresh = dict(zip(missing, vectors, strict=True))
            found.update(fresh)
            with self._connect() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO embeddings (key, body) VALUES (?, ?)",
                    [(k, json.dumps(v)) for k, v in fresh.items()],
                )
        return [found[k] for k in keys]

    def __len__(self) -> int:
        with self._connect() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM generations").fetchone()
        return int(count)

    def clear(self) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM generations")
            db.execute("DELETE FROM embeddings")
