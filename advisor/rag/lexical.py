"""The lexical (BM25) side of a knowledge base: SQLite FTS5 over pre-tokenized chunks.

Why SQLite FTS5: it ships with Python (and Chroma already needs it), it is on
disk, it updates row by row (so indexing stays incremental), and its
``bm25()`` ranking is the standard Okapi BM25 (k1 = 1.2, b = 0.75).
Japanese is split into words by :mod:`advisor.rag.textsplit` before it goes
in, and FTS5's own tokenizer (``porter unicode61``) only separates and stems
those words.

The index is derived from Chroma, never the other way round: :meth:`sync`
compares each file's content hash (stored on its first chunk in Chroma) with
the hash it indexed, and re-reads only the files that changed.  So it follows
every write (incremental re-index, deleted files, ``--rebuild``, a knowledge
base deleted and indexed again: the collection id changes), indexes that
predate it, and a Chroma server that other machines write to.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from advisor.errors import KnowledgeBaseError
from advisor.rag.textsplit import Tokenizer, make_tokenizer

#: Bump when what goes into the index changes, so that existing ones are rebuilt.
LEXICAL_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (source TEXT PRIMARY KEY, content_hash TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5(
    chunk_id UNINDEXED, source UNINDEXED, words, tokenize = 'porter unicode61'
);
"""
GET_BATCH = 200


def fts_query(words: list[str]) -> str:
    """An OR of quoted words: FTS5 syntax characters in a word stay literal."""
    unique = dict.fromkeys(w.replace('"', '""') for w in words if w.strip())
    return " OR ".join(f'"{w}"' for w in unique)


class LexicalIndex:
    """One knowledge base's BM25 index in one SQLite file."""

    def __init__(self, path: Path, tokenizer: str) -> None:
        self.path = path
        self.tokenizer_name = tokenizer
        self._tokenize: Tokenizer = make_tokenizer(tokenizer)

    @property
    def signature(self) -> str:
        return f"v{LEXICAL_VERSION}:{self.tokenizer_name}"

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(self.path, timeout=30)
        except sqlite3.Error as exc:
            raise KnowledgeBaseError.from_catalog(
                "core.rag.cannot_open_lexical",
                hint_key="core.rag.cannot_open_lexical_hint",
                path=self.path,
                error=exc,
            ) from exc
        try:
            with db:  # one transaction: a crash leaves the previous state
                db.executescript(SCHEMA)
                yield db
        except sqlite3.Error as exc:
            raise KnowledgeBaseError.from_catalog(
                "core.rag.lexical_failed",
                hint_key="core.rag.lexical_failed_hint",
                path=self.path,
                error=exc,
            ) from exc
        finally:
            db.close()

    def words(self, text: str) -> list[str]:
        return self._tokenize(text)

    def sync(self, collection: Any, stored: dict[str, tuple[str, int]]) -> int:
        """Bring the index in line with ``collection``; returns the files re-read.

        ``stored`` is source -> (content hash, chunks) as Chroma has it now.
        """
        with self._db() as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            whole = str(collection.id), self.signature
            if (meta.get("collection"), meta.get("signature")) != whole:
                db.execute("DELETE FROM chunks")
                db.execute("DELETE FROM sources")
                db.executemany(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                    [("collection", whole[0]), ("signature", whole[1])],
                )
            known = dict(db.execute("SELECT source, content_hash FROM sources").fetchall())
            stale = [s for s in known if stored.get(s, ("",))[0] != known[s]]
            fresh = [s for s, (digest, _) in stored.items() if known.get(s) != digest]
            for source in stale:
                db.execute("DELETE FROM chunks WHERE source = ?", (source,))
                db.execute("DELETE FROM sources WHERE source = ?", (source,))
            for start in range(0, len(fresh), GET_BATCH):
                self._add(db, collection, fresh[start : start + GET_BATCH], stored)
        return len(fresh)

    def _add(
        self,
        db: sqlite3.Connection,
        collection: Any,
        sources: list[str],
        stored: dict[str, tuple[str, int]],
    ) -> None:
        found = collection.get(
            where={"source": {"$in": sources}}, include=["documents", "metadatas"]
        )
        rows = []
        for chunk_id, text, meta in zip(
            found["ids"], found["documents"] or [], found["metadatas"] or [], strict=False
        ):
            meta = meta or {}
            heading = str(meta.get("heading", ""))
            words = self.words(f"{heading}\n{text or ''}")
            rows.append((chunk_id, str(meta.get("source", "")), " ".join(words)))
        db.executemany("INSERT INTO chunks (chunk_id, source, words) VALUES (?, ?, ?)", rows)
        db.executemany(
            "INSERT OR REPLACE INTO sources VALUES (?, ?)", [(s, stored[s][0]) for s in sources]
        )

    def search(self, text: str, k: int) -> list[tuple[str, float]]:
        """Up to ``k`` ``(chunk id, BM25 score)``, best first (higher is better)."""
        query = fts_query(self.words(text))
        if not query or not self.path.is_file():
            return []
        with self._db() as db:
            found = db.execute(
                "SELECT chunk_id, bm25(chunks) AS rank FROM chunks WHERE chunks MATCH ? "
                "ORDER BY rank LIMIT ?",
                (query, k),
            ).fetchall()
        # FTS5's bm25() is negated so that ascending order is best first.
        return [(str(chunk_id), -float(rank)) for chunk_id, rank in found]

    def drop(self) -> None:
        self.path.unlink(missing_ok=True)
        for suffix in ("-journal", "-wal", "-shm"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
