"""Incremental indexing: only what changed is parsed, embedded and written.

* Chunk ids are ``<source>:<chunk_no>``; every chunk records ``content_hash``,
  the hash of its file's bytes and of the chunking settings.  The first chunk
  of each file also says how many chunks the file has.
* An unchanged file is skipped after hashing: no parsing, no embedding.
* A changed file is re-chunked and ``upsert``-ed, re-using the stored vector of
  every chunk whose text did not change; ids the shorter file no longer has are
  deleted.  ``add`` is never used: it silently ignores ids that exist.
* Files that vanished from disk, or from a folder being indexed, are deleted.
* Writes go in batches of at most ``client.get_max_batch_size()``; a file's
  first chunk is written last, so a crash mid-write leaves the old hash and the
  next run redoes the file.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor import messages
from advisor.data.texts import Label
from advisor.errors import CancelledError, KnowledgeBaseError, UserInputError
from advisor.rag.loaders import SUPPORTED_SUFFIXES, LoadError, load
from advisor.rag.models import IndexReport, Skipped
from advisor.rag.textsplit import detect_language

if TYPE_CHECKING:
    from advisor.ids import Progress
    from advisor.rag.chunking import Chunk
    from advisor.rag.knowledge_base import KnowledgeBase

#: Chunks embedded together: big enough for efficient batches, small enough to cancel.
FLUSH_CHUNKS = 512
#: Texts per embedding call between cancel checks and progress updates.
EMBED_SLICE = 128

Record = tuple[str, str, dict[str, Any]]  # (id, text to embed, metadata incl. "_text")


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Path], list[Skipped]]:
    """Supported files under ``paths`` (sorted, absolute), the folder roots, and skips.

    Folders are walked without following links out of them: a symbolic link whose
    target lies outside the folder is skipped with a note in the report, as is a
    sub-folder that cannot be read.

    Raises:
        UserInputError: a path does not exist, or a given folder cannot be read.
    """
    files: set[Path] = set()
    roots: list[Path] = []
    skipped: list[Skipped] = []
    for raw in paths:
        path = raw.expanduser().resolve()
        if path.is_dir():
            roots.append(path)
            files.update(_walk(path, skipped))
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.add(path)
            else:
                unsupported = "core.rag.skip.unsupported"
                skipped.append(Skipped.because(str(path), unsupported, suffix=path.suffix))
        else:
            raise UserInputError.from_catalog("core.rag.no_such_path", path=raw)
    return sorted(files), roots, skipped


def _walk(root: Path, skipped: list[Skipped]) -> list[Path]:
    """Supported, non-hidden files under ``root`` that stay inside it."""
    found: list[Path] = []

    def unreadable(error: OSError) -> None:
        where = Path(error.filename or root)
        if where == root:
            raise UserInputError.from_catalog(
                "core.rag.cannot_read_folder",
                hint_key="core.rag.cannot_read_folder_hint",
                path=root,
                error=error.strerror or error,
            ) from error
        skipped.append(
            Skipped.because(str(where), "core.rag.skip.cannot_read", error=error.strerror)
        )

    for folder, subfolders, names in os.walk(root, onerror=unreadable):  # links not followed
        base = Path(folder)
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(subfolders + names):
            entry = base / name
            if name.startswith(".") or not entry.is_symlink():
                continue
            target = _target(entry)
            if target is None or not target.is_relative_to(root):
                shown = (
                    messages.Localized("core.rag.skip.broken_link") if target is None else target
                )
                outside = "core.rag.skip.outside_link"
                skipped.append(Skipped.because(str(entry), outside, target=shown))
        for name in names:
            entry = base / name
            if name.startswith(".") or Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if entry.is_symlink():
                target = _target(entry)
                if target is None or not target.is_relative_to(root):
                    continue  # reported above
            try:
                if entry.is_file():
                    found.append(entry)
            except OSError as exc:
                unreadable_file = "core.rag.skip.cannot_read"
                skipped.append(Skipped.because(str(entry), unreadable_file, error=exc.strerror))
    return found


def _target(link: Path) -> Path | None:
    try:
        return link.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop
        return None


def file_hash(data: bytes, signature: str) -> str:
    return hashlib.sha256(signature.encode() + b"\0" + data).hexdigest()


def embed_text(chunk: Chunk) -> str:
    """What gets embedded: the heading gives a short chunk its topic."""
    return f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text


def record(
    source: str, number: int, chunk: Chunk, digest: str, total: int, language: str = "en"
) -> Record:
    to_embed = embed_text(chunk)
    metadata: dict[str, Any] = {
        "source": source,
        "language": language,
        "file_name": Path(source).name,
        "chunk_no": number,
        "chunks": total,
        "position": chunk.position,
        "heading": chunk.heading,
        "content_hash": digest,
        "chunk_hash": hashlib.sha256(to_embed.encode()).hexdigest()[:32],
        "_text": chunk.text,
    }
    if chunk.page is not None:
        metadata["page"] = chunk.page
    return f"{source}:{number}", to_embed, metadata


def check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise CancelledError.from_catalog("core.rag.cancelled")


def existing_sources(collection: Any) -> dict[str, tuple[str, int]]:
    """source -> (content hash, chunk count), read from each file's first chunk."""
    found = collection.get(where={"chunk_no": 0}, include=["metadatas"])
    return {
        str(m["source"]): (str(m["content_hash"]), int(m.get("chunks", 0)))
        for m in found["metadatas"] or []
    }


class Indexer:
    """One indexing run of a knowledge base's collection (the caller holds the lock)."""

    def __init__(self, kb: KnowledgeBase, collection: Any, report: IndexReport) -> None:
        self.kb = kb
        self.collection = collection
        self.report = report
        self.existing = existing_sources(collection)
        self.pending: dict[str, list[Record]] = {}
        self.progress: Progress | None = None
        # Measured embedding throughput (all flushes of this run), for the ETA.
        self.embedded = 0
        self.embed_seconds = 0.0

    def run(
        self,
        files: list[Path],
        roots: list[Path],
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> None:
        signature = self.kb.chunker.signature
        self.progress = progress
        for done, file in enumerate(files):
            check_cancel(cancel)
            if progress:
                progress(done, len(files), file.name)
            self._file(file, signature)
            if sum(len(v) for v in self.pending.values()) >= FLUSH_CHUNKS:
                self._flush(cancel)
        self._flush(cancel)
        self._delete_vanished({str(f) for f in files}, roots)
        if progress:
            progress(len(files), len(files), Label("progress.rag_done"))

    def _file(self, file: Path, signature: str) -> None:
        source, report = str(file), self.report
        try:
            data = file.read_bytes()
        except OSError as exc:
            skip = Skipped.because(source, "core.rag.skip.cannot_read", error=exc.strerror)
            report.skipped.append(skip)
            return
        digest = file_hash(data, signature)
        old = self.existing.get(source)
        if old is not None and old[0] == digest:
            report.unchanged += 1
            report.chunks += old[1]
            return
        chunks = self._chunks(file)
        if not chunks:
            if old is not None:  # it had text before: drop what is no longer there
                self.collection.delete(where={"source": source})
                report.deleted += 1
            return
        if old is None:
            report.added += 1
        else:
            report.updated += 1
        report.chunks += len(chunks)
        # Per document: a Japanese manual with English model names is still Japanese.
        language = detect_language("\n".join(c.text for c in chunks[:100]))
        self.pending[source] = [
            record(source, n, chunk, digest, len(chunks), language)
            for n, chunk in enumerate(chunks)
        ]

    def _chunks(self, file: Path) -> list[Chunk]:
        try:
            document = load(file)
        except LoadError as exc:
            self.report.skipped.append(Skipped.of(str(file), exc.sentence))
            return []
        self.report.skipped.extend(Skipped.of(str(file), p.sentence) for p in document.problems)
        chunks = self.kb.chunker.chunk(document)
        if not chunks:
            self.report.skipped.append(Skipped.because(str(file), "core.rag.skip.no_text"))
        return chunks

    def _flush(self, cancel: threading.Event | None) -> None:
        if not self.pending:
            return
        import numpy as np

        # New files are looked up too: a crashed run may have left chunks without chunk 0.
        reuse, stale = self._stored(list(self.pending))
        records = sorted(
            (r for rs in self.pending.values() for r in rs), key=lambda r: r[2]["chunk_no"] == 0
        )
        vectors: list[Any] = [reuse.get(meta["chunk_hash"]) for _, _, meta in records]
        todo = [i for i, v in enumerate(vectors) if v is None]
        for start in range(0, len(todo), EMBED_SLICE):
            check_cancel(cancel)
            if self.progress:  # embedding is the long phase: show it, with an ETA
                self.progress(start, len(todo), self._embedding_label(len(todo) - start))
            part = todo[start : start + EMBED_SLICE]
            began = time.perf_counter()
            embedded = self.kb.embedder.embed([records[i][1] for i in part])
            self.embed_seconds += time.perf_counter() - began
            self.embedded += len(part)
            for i, vector in zip(part, embedded, strict=True):
                vectors[i] = vector
        if self.progress and todo:
            self.progress(len(todo), len(todo), Label("progress.rag_writing"))
        batch = self.kb.client.get_max_batch_size()
        try:
            for start in range(0, len(records), batch):
                rows = records[start : start + batch]
                self.collection.upsert(
                    ids=[r[0] for r in rows],
                    embeddings=np.asarray(vectors[start : start + batch], dtype=np.float32),
                    documents=[r[2]["_text"] for r in rows],
                    metadatas=[{k: v for k, v in r[2].items() if k != "_text"} for r in rows],
                )
            new_ids = {r[0] for r in records}
            obsolete = [i for i in stale if i not in new_ids]
            for start in range(0, len(obsolete), batch):
                self.collection.delete(ids=obsolete[start : start + batch])
        except Exception as exc:
            raise KnowledgeBaseError.from_catalog(
                "core.rag.write_failed", kb=self.kb.name, error=exc
            ) from exc
        self.pending.clear()

    def _embedding_label(self, left: int) -> str:
        """``embedding chunks · 42/s · about 1 min left`` once a throughput is measured."""
        if not self.embedded or self.embed_seconds <= 0:
            return Label("progress.rag_measuring")
        rate = self.embedded / self.embed_seconds
        seconds = left / rate
        if seconds < 90:
            return Label("progress.rag_embedding_s", rate=f"{rate:.0f}", seconds=f"{seconds:.0f}")
        minutes = f"{seconds / 60:.0f}"
        return Label("progress.rag_embedding_min", rate=f"{rate:.0f}", minutes=minutes)

    def _stored(self, sources: list[str]) -> tuple[dict[str, Any], list[str]]:
        """Stored vectors of these files' chunks by text hash, and the chunk ids."""
        found = self.collection.get(
            where={"source": {"$in": sources}}, include=["metadatas", "embeddings"]
        )
        metadatas = found["metadatas"] or []
        embeddings = found["embeddings"] if found["embeddings"] is not None else []
        reuse = {str(m.get("chunk_hash")): e for m, e in zip(metadatas, embeddings, strict=False)}
        return reuse, list(found["ids"])

    def _delete_vanished(self, seen: set[str], roots: list[Path]) -> None:
        gone = [
            source
            for source in self.existing
            if source not in seen
            and (not Path(source).exists() or any(Path(source).is_relative_to(r) for r in roots))
        ]
        for start in range(0, len(gone), 100):
            self.collection.delete(where={"source": {"$in": gone[start : start + 100]}})
        self.report.deleted += len(gone)
