"""A knowledge base: one Chroma collection of chunks, and retrieval from it.

* Vectors are computed here (see :mod:`advisor.rag.embedding`) and the embedder
  is recorded in the collection's metadata; querying with another is an error.
* Embedded Chroma (one folder per knowledge base under the data directory)
  takes a file lock for writing: concurrent writers corrupt its index.
* Indexing is incremental; see :mod:`advisor.rag.indexing`.
* A BM25 index (:mod:`advisor.rag.lexical`) sits beside the Chroma one and is
  synced from it; retrieval is dense, lexical or hybrid
  (:mod:`advisor.rag.retrieval`), the setting ``chroma.retrieval``.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from advisor.data.texts import Label
from advisor.errors import (
    KnowledgeBaseError,
    KnowledgeBaseMismatchError,
    KnowledgeBaseNotFoundError,
    UserInputError,
)
from advisor.rag import client as chroma
from advisor.rag.indexing import Indexer, discover, existing_sources
from advisor.rag.models import Hit, IndexReport, KnowledgeBaseInfo
from advisor.rag.retrieval import RETRIEVALS, Retrieval

if TYPE_CHECKING:
    from advisor.ids import Progress
    from advisor.rag.chunking import Chunker
    from advisor.rag.embedding import Embedder
    from advisor.rag.lexical import LexicalIndex
    from advisor.settings import Settings

NAME = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$")
COLLECTION_PREFIX = "advisor-"
LOCK_TIMEOUT_S = 10.0


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):  # fullmatch: ``$`` alone accepts a trailing newline
        raise UserInputError.from_catalog(
            "core.rag.invalid_name", hint_key="core.rag.invalid_name_hint", name=repr(name)
        )
    return name


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
        retrieval: Retrieval | None = None,
    ) -> None:
        self.name = check_name(name)
        self.settings = settings
        self.url = chroma_url or settings.chroma.url
        self.retrieval: Retrieval = retrieval or settings.chroma.retrieval
        if self.retrieval not in RETRIEVALS:
            raise UserInputError.from_catalog(
                "core.rag.unknown_retrieval",
                hint_key="core.rag.unknown_retrieval_hint",
                retrieval=repr(self.retrieval),
            )
        self._embedder = embedder
        self._chunker = chunker
        self._client: Any = None
        self._lexical: LexicalIndex | None = None

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
    def lexical(self) -> LexicalIndex:
        """The BM25 index: in the embedded folder, or in the cache for a server."""
        if self._lexical is None:
            from advisor.rag.lexical import LexicalIndex

            if self.url:
                server = hashlib.sha256(self.url.encode()).hexdigest()[:12]
                path = self.settings.cache_dir / "lexical" / server / f"{self.name}.sqlite3"
            else:
                path = self.path / "lexical.sqlite3"
            self._lexical = LexicalIndex(path, self.settings.chroma.lexical_tokenizer)
        return self._lexical

    def _sync_lexical(self, collection: Any) -> None:
        self.lexical.sync(collection, existing_sources(collection))

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
        client = self.client  # its own error (server unreachable) is the one to show
        try:
            return client.get_collection(self.collection_name, embedding_function=None)
        except Exception as exc:
            if chroma.is_not_found(exc):
                return None
            raise KnowledgeBaseError.from_catalog(
                "core.rag.cannot_open_kb", kb=self.name, error=exc
            ) from exc

    def _require(self) -> Any:
        collection = self._collection()
        if collection is None:
            raise KnowledgeBaseNotFoundError.from_catalog(
                "core.rag.no_kb",
                hint_key="core.rag.no_kb_hint",
                kb=self.name,
                location=self.location,
            )
        self._check_embedder(collection)
        return collection

    def _check_embedder(self, collection: Any) -> None:
        recorded = (collection.metadata or {}).get("embedding")
        if recorded and recorded != self.embedder.identity:
            raise KnowledgeBaseMismatchError.from_catalog(
                "core.rag.other_embedder",
                hint_key="core.rag.other_embedder_hint",
                kb=self.name,
                recorded=recorded,
                identity=self.embedder.identity,
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
        return self._info(self._require())

    def stored_chunks(self) -> list[tuple[str, int, str]]:
        """Every chunk as ``(source, chunk number, text)``, by source and number.

        Reads the stored texts only (no embedder is loaded).  Raises
        :class:`KnowledgeBaseError` when the knowledge base does not exist.
        """
        collection = self._collection()
        if collection is None:
            collection = self._require()  # raises the one "no knowledge base" error
        stored = collection.get(include=["documents", "metadatas"])
        pairs = zip(stored["documents"] or [], stored["metadatas"] or [], strict=False)
        found = [
            (str(m.get("source", "")), int(m.get("chunk_no", 0)), str(text or ""))
            for text, m in pairs
        ]
        return sorted(c for c in found if c[2].strip())

    def _info(self, collection: Any) -> KnowledgeBaseInfo:
        firsts = collection.get(where={"chunk_no": 0}, include=["metadatas"])["metadatas"] or []
        languages: dict[str, int] = {}
        for meta in firsts:
            language = str(meta.get("language") or "unknown")  # indexed before detection
            languages[language] = languages.get(language, 0) + 1
        return KnowledgeBaseInfo(
            name=self.name,
            chunks=int(collection.count()),
            sources=len(firsts),
            embedding=str((collection.metadata or {}).get("embedding", "")),
            location=self.location,
            retrieval=self.retrieval,
            languages=dict(sorted(languages.items())),
        )

    def delete(self) -> bool:
        """Drop the knowledge base; False when there was none.

        The embedded folder stays (nearly empty): Chroma caches one system per
        folder per process, and removing it under an open client breaks that
        client and every other one in the process.
        """
        lock = self._lock()
        with lock if lock is not None else contextlib.nullcontext():
            if self._collection() is None:
                return False
            try:
                self.client.delete_collection(self.collection_name)
            except Exception as exc:
                raise KnowledgeBaseError.from_catalog(
                    "core.rag.cannot_delete", kb=self.name, error=exc
                ) from exc
            self.lexical.drop()
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
        return sorted(
            p.name
            for p in root.iterdir()
            if (p / "chroma.sqlite3").is_file()
            and NAME.fullmatch(p.name)
            and KnowledgeBase(p.name, settings)._opens()
        )

    def _opens(self) -> bool:
        """exists(), with a damaged knowledge base counted as absent (see :meth:`survey`)."""
        try:
            return self.exists()
        except KnowledgeBaseError:
            return False

    @staticmethod
    def survey(settings: Settings, chroma_url: str | None = None) -> list[KnowledgeBaseInfo]:
        """Every knowledge base with its figures; one that cannot be read is listed with
        ``error`` set, so that one damaged folder does not hide the others."""
        if chroma_url or settings.chroma.url:
            candidates = KnowledgeBase.names(settings, chroma_url)
        else:
            root = settings.knowledge_dir
            found = root.iterdir() if root.is_dir() else iter(())
            candidates = sorted(
                p.name for p in found if (p / "chroma.sqlite3").is_file() and NAME.fullmatch(p.name)
            )
        infos = []
        for name in candidates:
            kb = KnowledgeBase(name, settings, chroma_url)
            try:
                collection = kb._collection()  # no embedder check: listing needs no model
                if collection is not None:
                    infos.append(kb._info(collection))
            except Exception as exc:  # anything Chroma raises on a damaged folder
                error = str(exc) if isinstance(exc, KnowledgeBaseError) else repr(exc)
                infos.append(
                    KnowledgeBaseInfo(
                        name=name,
                        chunks=0,
                        sources=0,
                        embedding="",
                        location=kb.location,
                        error=error,
                    )
                )
        return infos

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
        if progress is not None:
            # The first call, once the paths are known to exist (a mistyped one raises above,
            # before a bar is drawn); the embedder's load and Chroma's start follow it.
            progress(0, len(files), Label("progress.rag_opening", kb=self.name))
        report = IndexReport(kb=self.name, files=len(files), skipped=skipped)
        lock = self._lock()
        try:
            if lock is not None:
                lock.acquire(timeout=LOCK_TIMEOUT_S)
        except Timeout as exc:
            raise KnowledgeBaseError.from_catalog(
                "core.rag.locked", hint_key="core.rag.locked_hint", kb=self.name
            ) from exc
        try:
            collection = self._writable(rebuild)
            Indexer(self, collection, report).run(files, roots, progress, cancel)
            self._sync_lexical(collection)
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

    # --- retrieval -------------------------------------------------------------------------

    def query(
        self,
        text: str,
        k: int = 5,
        where: dict[str, Any] | None = None,
        *,
        retrieval: Retrieval | None = None,
    ) -> list[Hit]:
        """The best ``k`` chunks for ``text``, best first, optionally filtered by metadata."""
        return self.query_many([text], k, where, retrieval=retrieval)[0]

    def query_many(
        self,
        texts: list[str],
        k: int = 5,
        where: dict[str, Any] | None = None,
        *,
        retrieval: Retrieval | None = None,
    ) -> list[list[Hit]]:
        """Best ``k`` chunks per text, by ``retrieval`` (default: this knowledge base's)."""
        from advisor.rag import retrieval as ranking

        if k < 1:
            raise UserInputError.from_catalog("core.rag.k_too_small")
        collection = self._require()
        if not texts:
            return []
        mode = retrieval or self.retrieval
        vectors = self.embedder.embed(texts)
        if mode == "dense":
            return ranking.dense(self.name, collection, vectors, k, where)
        self._sync_lexical(collection)
        languages = self.embedder.languages
        return ranking.fused(
            self.name, collection, self.lexical, texts, vectors, k, where, mode, languages
        )
