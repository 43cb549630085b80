"""The RAG route: retrieve from a knowledge base, answer with numbered citations."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import KnowledgeBaseError, UserInputError
from advisor.ids import Progress
from advisor.rag.knowledge_base import KnowledgeBase
from advisor.rag.models import Hit
from advisor.rag.prompt import build_messages, cited_numbers
from advisor.routes.base import PrepareReport, Route, RouteAnswer, SourceRef
from advisor.routes.system_prompt import read_instructions
from backends.types import ChatMessage, ChatResult

if TYPE_CHECKING:
    from advisor.settings import Settings
    from backends.base import Backend


#: Chunks retrieved per question unless told otherwise (the bench's RAG routes use it).
DEFAULT_K = 5


def source_refs(hits: list[Hit]) -> list[SourceRef]:
    return [
        SourceRef(source=h.source, chunk_id=h.chunk_id, distance=h.distance, text=h.text)
        for h in hits
    ]


class RagRoute(Route):
    """Top-``k`` chunks from knowledge base ``kb``, fenced as data, cited as [n].

    ``kb`` is a name (or an open :class:`KnowledgeBase`); ``where`` filters on
    chunk metadata (``source``, ``file_name``, ``heading``, ``page``, ...).
    """

    id = "rag"

    def __init__(
        self,
        backend: Backend,
        model: str | None,
        kb: str | KnowledgeBase,
        settings: Settings,
        k: int = DEFAULT_K,
        instructions: str | Path | None = None,
        *,
        chroma_url: str | None = None,
        where: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(backend, model)
        if k < 1:
            raise UserInputError.from_catalog("core.routes.k_positive")
        self.kb = kb if isinstance(kb, KnowledgeBase) else KnowledgeBase(kb, settings, chroma_url)
        self.k = k
        self.where = where
        self.instructions = read_instructions(instructions) or None

    def _prepare(self, progress: Progress | None, cancel: threading.Event | None) -> PrepareReport:
        info = self.kb.info()  # raises when missing or built with another embedder
        if info.chunks == 0:
            raise KnowledgeBaseError.from_catalog(
                "core.routes.kb_empty", hint_key="core.routes.kb_empty_hint", name=self.kb.name
            )
        return PrepareReport(
            route=self.id,
            details={"kb": info.name, "chunks": info.chunks, "sources": info.sources, "k": self.k},
        )

    def build_messages(self, question: str) -> tuple[list[ChatMessage], list[SourceRef]]:
        return self.build_many([question])[0]

    def build_many(self, questions: list[str]) -> list[tuple[list[ChatMessage], list[SourceRef]]]:
        self.prepare()
        found = self.kb.query_many(questions, self.k, self.where)
        return [
            (build_messages(q, hits, self.instructions), source_refs(hits))
            for q, hits in zip(questions, found, strict=True)
        ]

    def finish(self, result: ChatResult, sources: list[SourceRef]) -> RouteAnswer:
        cited = cited_numbers(result.text, len(sources))
        marked = [s.model_copy(update={"cited": i in cited}) for i, s in enumerate(sources, 1)]
        return super().finish(result, marked)
