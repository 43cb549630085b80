"""A knowledge base: one Chroma collection of chunks, indexed incrementally.

* Chunk ids are ``<source>:<chunk_no>``; every chunk records the hash of its
  file (and of the chunking settings).  Re-indexing skips unchanged files
  without reading them twice or embedding anything, ``upsert``\\s changed ones
  (reusing the vectors of chunks whose text did not change), deletes chunks a
  shorter file no longer has, and deletes files that vanished.  ``add`` is
  never used: it silently ignores ids that exist.
* Vectors are computed here (see :mod:`advisor.rag.embedding`) and the embedder
  is recorded in the collection's metadata; querying with another is an error.
* Embedded Chroma (one folder per knowledge base under the data directory)
  takes a file lock for writing: concurrent writers corrupt its index.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from advisor.errors import CancelledError, KnowledgeBaseError, UserInputError
from advisor.rag import client as chroma
from advisor.rag.loaders import SUPPORTED_SUFFIXES, LoadError, load
from advisor.rag.models import Hit, IndexReport, KnowledgeBaseInfo, Skipped

if TYPE_CHECKING:
    from advisor.rag.chunking import Chunk, Chunker
    from advisor.rag.embedding import Embedder
    from advisor.routes.base import Progress
    from advisor.settings import Settings

NAME = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$")
COLLECTION_PREFIX = "advisor-"
#: Chunks embedded together: big enough for efficient batches, small enough to cancel.
FLUSH_CHUNKS = 512
LOCK_TIMEOUT_S = 10.0


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise UserInputError(
            f"invalid knowledge base name {name!r}",
            hint="use 1-63 lowercase letters, digits, - or _; start and end with a letter or digit",
        )
    return name


def file_hash(data: bytes, signature: str) -> str:
    return hashlib.sha256(signature.encode() + b"\0" + data).hexdigest()


def embed_text(chunk: Chunk) -> str:
    """What gets embedded: the heading gives a short chunk its topic."""
    return f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Path], list[Skipped]]:
    """Supported files under ``paths`` (sorted, absolute), the folder roots, and skips.

    Raises:
        UserInputError: a path does not exist.
    """
    files: set[Path] = set()
    roots: list[Path] = []
    skipped: list[Skipped] = []
    for raw in paths:
        path = raw.expanduser().resolve()
        if path.is_dir():
            roots.append(path)
            for file in path.rglob("*"):
                hidden = any(part.startswith(".") for part in file.relative_to(path).parts)
                if file.is_file() and not hidden and file.suffix.lower() in SUPPORTED_SUFFIXES:
                    files.add(file)
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.add(path)
            else:
                reason = f"unsupported file type {path.suffix}"
                skipped.append(Skipped(path=str(path), reason=reason))
        else:
            raise UserInputError(f"no such file or folder: {raw}")
    return sorted(files), roots, skipped


class _Pending:
    """Chunks of changed files waiting to be embedded and written together."""

    def __init__(self) -> None:
        self.files: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.files.values())


class KnowledgeBase:
    """Index documents into Chroma and retrieve the chunks nearest a question."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        chroma_url: str | None = None,
        *,
        embedder: Embedder | None = None,
        chunker: Chunker | None = None,
    ) -> None:
        self.name = check_name(name)
        self.settings = settings
        self.url = chroma_url or settings.chroma.url
        self._embedder = embedder
        self._chunker = chunker
        self._client: Any = None

    # --- plumbing ------------------------------------------------------------------------

    @property
    def collection_name(self) -> str:
        return COLLECTION_PREFIX + self.name

    @property
    def path(self) -> Path:
        """The embedded Chroma folder (unused with a server)."""
        return self.settings.knowledge_dir / self.name

    @property
    def location(self) -> str:
        return self.url or str(self.path)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from advisor.rag.embedding import make_embedder

            self._embedder = make_embedder(self.settings)
        return self._embedder

    @property
    def chunker(self) -> Chunker:
        if self._chunker is None:
            from advisor.rag.chunking import Chunker

            chroma_settings = self.settings.chroma
            self._chunker = Chunker(chroma_settings.chunk_tokens, chroma_settings.chunk_overlap)
        return self._chunker

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = (
                chroma.http_client(self.url) if self.url else chroma.persistent_client(self.path)
            )
        return self._client

    def _collection(self) -> Any | None:
        if not self.url and not (self.path / "chroma.sqlite3").is_file():
            return None  # do not create an empty folder just to look
        try:
            return self.client.get_collection(self.collection_name, embedding_function=None)
        except Exception as exc:
            if chroma.is_not_found(exc):
                return None
            raise KnowledgeBaseError(f"cannot open knowledge base {self.name} ({exc})") from exc

    def _require(self) -> Any:
        collection = self._collection()
        if collection is None:
            raise KnowledgeBaseError(
                f"no knowledge base named {self.name} at {self.location}",
                hint=f"build it with `advisor rag index PATH --kb {self.name}`",
            )
        self._check_embedder(collection)
        return collection

    def _check_embedder(self, collection: Any) -> None:
        recorded = (collection.metadata or {}).get("embedding")
        if recorded and recorded != self.embedder.identity:
            raise KnowledgeBaseError(
                f"knowledge base {self.name} was indexed with {recorded}, "
                f"not {self.embedder.identity}",
                hint="use the same embedding backend and model, or re-index with --rebuild",
            )

    def _lock(self) -> FileLock | None:
        if self.url:
            return None  # the server serialises its own writes
        self.settings.knowledge_dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.settings.knowledge_dir / f".{self.name}.lock"))

    # --- status ----------------------------------------------------------------------------

    def exists(self) -> bool:
        return self._collection() is not None

    def count(self) -> int:
        collection = self._collection()
        return 0 if collection is None else int(collection.count())

    def info(self) -> KnowledgeBaseInfo:
        collection = self._require()
        return KnowledgeBaseInfo(
            name=self.name,
            chunks=int(collection.count()),
            sources=len(self._existing(collection)),
            embedding=str((collection.metadata or {}).get("embedding", "")),
            location=self.location,
        )

    def delete(self) -> bool:
        """Drop the knowledge base; False when there was none."""
        import shutil

        lock = self._lock()
        with lock if lock is not None else contextlib.nullcontext():
            if self._collection() is None:
                return False
            self.client.delete_collection(self.collection_name)
            if not self.url:
                # Chroma caches one system per folder; drop it before removing the folder.
                self.client.clear_system_cache()
                self._client = None
                shutil.rmtree(self.path, ignore_errors=True)
        return True

    @staticmethod
    def names(settings: Settings, chroma_url: str | None = None) -> list[str]:
        """Knowledge bases at the server, or in the data directory."""
        url = chroma_url or settings.chroma.url
        if url:
            collections = chroma.http_client(url).list_collections()
            return sorted(
                c.name.removeprefix(COLLECTION_PREFIX)
                for c in collections
                if c.name.startswith(COLLECTION_PREFIX)
            )
        root = settings.knowledge_dir
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if (p / "chroma.sqlite3").is_file())

    # --- indexing --------------------------------------------------------------------------

    def index(
        self,
        paths: Sequence[Path],
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        *,
        rebuild: bool = False,
    ) -> IndexReport:
        """Bring the knowledge base in line with the files under ``paths``.

        Files that vanished from disk, or from a given folder, are deleted.
        Cancelling (``cancel.set()``) stops between batches; every file written
        so far is complete.

        Raises:
            UserInputError: a path does not exist.
            KnowledgeBaseError: another process is writing, or Chroma failed.
            CancelledError: ``cancel`` was set.
        """
        began = time.perf_counter()
        files, roots, skipped = discover(paths)
        report = IndexReport(kb=self.name, files=len(files), skipped=skipped)
        lock = self._lock()
        try:
            if lock is not None:
                lock.acquire(timeout=LOCK_TIMEOUT_S)
        except Timeout as exc:
            raise KnowledgeBaseError(
                f"knowledge base {self.name} is being written by another process",
                hint="wait for that indexing run to finish, then try again",
            ) from exc
        try:
            self._index(files, roots, report, progress, cancel, rebuild)
        finally:
            if lock is not None:
                lock.release()
        report.seconds = round(time.perf_counter() - began, 3)
        return report

    def _writable(self, rebuild: bool) -> Any:
        collection = self._collection()
        if collection is not None and rebuild:
            self.client.delete_collection(self.collection_name)
            collection = None
        if collection is None:
            return self.client.create_collection(
                self.collection_name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={
                    "embedding": self.embedder.identity,
                    "chunker": self.chunker.signature,
                    "advisor_kb": self.name,
                },
            )
        self._check_embedder(collection)
        return collection

    def _existing(self, collection: Any) -> dict[str, tuple[str, int]]:
        """source -> (content hash, chunk count), read from each file's first chunk."""
        found = collection.get(where={"chunk_no": 0}, include=["metadatas"])
        return {
            str(m["source"]): (str(m["content_hash"]), int(m.get("chunks", 0)))
            for m in found["metadatas"] or []
        }

    def _index(
        self,
        files: list[Path],
        roots: list[Path],
        report: IndexReport,
        progress: Progress | None,
        cancel: threading.Event | None,
        rebuild: bool,
    ) -> None:
        collection = self._writable(rebuild)
        existing = self._existing(collection)
        signature = self.chunker.signature
        pending = _Pending()
        seen: set[str] = set()
        for done, file in enumerate(files):
            _check(cancel)
            if progress:
                progress(done, len(files), file.name)
            source = str(file)
            seen.add(source)
            try:
                data = file.read_bytes()
            except OSError as exc:
                report.skipped.append(Skipped(path=source, reason=f"cannot read ({exc.strerror})"))
                continue
            digest = file_hash(data, signature)
            old = existing.get(source)
            if old is not None and old[0] == digest:
                report.unchanged += 1
                report.chunks += old[1]
                continue
            chunks = self._load_chunks(file, report)
            if not chunks:
                if old is not None:  # it had text before: drop what is no longer there
                    collection.delete(where={"source": source})
                    report.deleted += 1
                continue
            if old is None:
                report.added += 1
            else:
                report.updated += 1
            report.chunks += len(chunks)
            pending.files[source] = [
                _record(source, n, chunk, digest, len(chunks)) for n, chunk in enumerate(chunks)
            ]
            if pending.size >= FLUSH_CHUNKS:
                self._flush(collection, pending, existing, cancel)
        self._flush(collection, pending, existing, cancel)
        gone = [
            source
            for source in existing
            if source not in seen
            and (not Path(source).exists() or any(Path(source).is_relative_to(r) for r in roots))
        ]
        for start in range(0, len(gone), 100):
            collection.delete(where={"source": {"$in": gone[start : start + 100]}})
        report.deleted += len(gone)
        if progress:
            progress(len(files), len(files), "done")

    def _load_chunks(self, file: Path, report: IndexReport) -> list[Chunk]:
        try:
            document = load(file)
        except LoadError as exc:
            report.skipped.append(Skipped(path=str(file), reason=str(exc)))
            return []
        report.skipped.extend(Skipped(path=str(file), reason=p) for p in document.problems)
        chunks = self.chunker.chunk(document)
        if not chunks:
            report.skipped.append(Skipped(path=str(file), reason="no text found"))
        return chunks

    def _flush(
        self,
        collection: Any,
        pending: _Pending,
        existing: dict[str, tuple[str, int]],
        cancel: threading.Event | None,
    ) -> None:
        if not pending.files:
            return
        import numpy as np

        changed = [s for s in pending.files if s in existing]
        reuse, stale = self._old_chunks(collection, changed)
        # First chunks last: a crash mid-write leaves the old hash on chunk 0, so the
        # next run redoes the file instead of trusting half of it.
        records = sorted(
            (r for rs in pending.files.values() for r in rs), key=lambda r: r[2]["chunk_no"] == 0
        )
        vectors: list[Any] = [reuse.get(meta["chunk_hash"]) for _, _, meta in records]
        todo = [i for i, v in enumerate(vectors) if v is None]
        step = 256  # cancel checks between embedding slices
        for start in range(0, len(todo), step):
            _check(cancel)
            part = todo[start : start + step]
            embedded = self.embedder.embed([records[i][1] for i in part])
            for i, vector in zip(part, embedded, strict=True):
                vectors[i] = vector
        batch = self.client.get_max_batch_size()
        try:
            for start in range(0, len(records), batch):
                rows = records[start : start + batch]
                collection.upsert(
                    ids=[r[0] for r in rows],
                    embeddings=np.asarray(vectors[start : start + batch], dtype=np.float32),
                    documents=[r[2]["_text"] for r in rows],
                    metadatas=[{k: v for k, v in r[2].items() if k != "_text"} for r in rows],
                )
            new_ids = {r[0] for r in records}
            obsolete = [i for i in stale if i not in new_ids]
            for start in range(0, len(obsolete), batch):
                collection.delete(ids=obsolete[start : start + batch])
        except Exception as exc:
            raise KnowledgeBaseError(f"Chroma failed while writing {self.name} ({exc})") from exc
        pending.files.clear()

    def _old_chunks(self, collection: Any, sources: list[str]) -> tuple[dict[str, Any], list[str]]:
        """Vectors of the changed files' current chunks by text hash, and their ids."""
        if not sources:
            return {}, []
        found = collection.get(
            where={"source": {"$in": sources}}, include=["metadatas", "embeddings"]
        )
        metadatas = found["metadatas"] or []
        embeddings = found["embeddings"] if found["embeddings"] is not None else []
        reuse = {str(m.get("chunk_hash")): e for m, e in zip(metadatas, embeddings, strict=False)}
        return reuse, list(found["ids"])

    # --- retrieval -------------------------------------------------------------------------

    def query(self, text: str, k: int = 5, where: dict[str, Any] | None = None) -> list[Hit]:
        """The ``k`` chunks nearest ``text``, nearest first, optionally filtered by metadata."""
        return self.query_many([text], k, where)[0]

    def query_many(
        self, texts: list[str], k: int = 5, where: dict[str, Any] | None = None
    ) -> list[list[Hit]]:
        if k < 1:
            raise UserInputError("k must be at least 1")
        collection = self._require()
        if not texts:
            return []
        vectors = self.embedder.embed(texts)
        try:
            found = collection.query(
                query_embeddings=vectors,
                n_results=k,
                where=where or None,
                include=["documents", "metadatas", "distances"],
            )
        except Exception as exc:
            if where and ("where" in str(exc).lower() or "operator" in str(exc).lower()):
                raise UserInputError(f"invalid metadata filter {where} ({exc})") from exc
            raise KnowledgeBaseError(f"Chroma failed to query {self.name} ({exc})") from exc
        results: list[list[Hit]] = []
        for row in range(len(texts)):
            hits = []
            for chunk_id, document, metadata, distance in zip(
                found["ids"][row],
                found["documents"][row],
                found["metadatas"][row],
                found["distances"][row],
                strict=True,
            ):
                meta = dict(metadata or {})
                hits.append(
                    Hit(
                        source=str(meta.get("source", chunk_id.rsplit(":", 1)[0])),
                        chunk_id=chunk_id,
                        distance=round(float(distance), 6),
                        text=document or "",
                        metadata=meta,
                    )
                )
            results.append(hits)
        return results


def _record(
    source: str, number: int, chunk: Chunk, digest: str, total: int
) -> tuple[str, str, dict[str, Any]]:
    """(id, text to embed, metadata); the stored document travels as ``_text``."""
    to_embed = embed_text(chunk)
    metadata: dict[str, Any] = {
        "source": source,
        "chunk_no": number,
        "chunks": total,
        "position": chunk.position,
        "heading": chunk.heading,
        "content_hash": digest,
        "chunk_hash": hashlib.sha256(to_embed.encode()).hexdigest()[:32],
        "file_name": Path(source).name,
        "_text": chunk.text,
    }
    if chunk.page is not None:
        metadata["page"] = chunk.page
    return f"{source}:{number}", to_embed, metadata


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise CancelledError("indexing was cancelled; files written so far are complete")
