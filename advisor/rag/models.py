"""Plain data of the RAG layer: what indexing did and what retrieval found."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, Field, InstanceOf

from advisor import messages


class Skipped(BaseModel):
    """A file, or a part of one (``reason`` starts with "page 3: ..."), left out.

    ``reason`` is English (the JSON); a reason from the catalog keeps its key so that
    the shells can show it in the user's language.
    """

    path: str
    reason: str
    sentence: InstanceOf[messages.Localized] | None = Field(default=None, exclude=True, repr=False)

    @classmethod
    def because(cls, path: str, key: str, **values: Any) -> Self:
        """Left out for the catalog reason ``key``."""
        return cls.of(path, messages.Localized(key, values))

    @classmethod
    def of(cls, path: str, sentence: messages.Localized) -> Self:
        """Left out for the catalog reason ``sentence``."""
        return cls(path=path, reason=str(sentence), sentence=sentence)

    def said(self) -> messages.Localized | str:
        """The reason as a value of a message: in that message's language when it can be."""
        return self.reason if self.sentence is None else self.sentence


class IndexReport(BaseModel):
    """The JSON of ``advisor rag index``; file counts except ``chunks``.

    ``chunks`` is the number of chunks the indexed files have in the knowledge
    base after the run, whether they were embedded now or kept from before.
    """

    kb: str
    files: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: list[Skipped] = Field(default_factory=list)
    seconds: float = 0.0


class Hit(BaseModel):
    """One retrieved chunk; ``distance`` is cosine distance (0 = same direction).

    ``score`` is the ranking score of lexical (BM25) and hybrid (reciprocal
    rank fusion) retrieval, higher is better; dense retrieval ranks by
    distance and leaves it unset.  ``found_by`` names the rankings that
    returned the chunk ("dense", "lexical").
    """

    source: str
    chunk_id: str
    distance: float
    text: str
    score: float | None = None
    found_by: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @property
    def heading(self) -> str:
        return str(self.metadata.get("heading", ""))

    @property
    def page(self) -> int | None:
        page = self.metadata.get("page")
        return int(page) if isinstance(page, int) else None


class QueryResult(BaseModel):
    """The JSON of ``advisor rag query``."""

    hits: list[Hit]


class KnowledgeBaseInfo(BaseModel):
    """One entry of ``advisor rag list``; ``error`` is set (and the figures 0) when the
    knowledge base cannot be read."""

    name: str
    chunks: int
    sources: int
    embedding: str
    location: str
    error: str | None = None
    retrieval: str = Field(default="dense", description="dense, lexical or hybrid.")
    languages: dict[str, int] = Field(
        default_factory=dict, description='Files per detected language, e.g. {"ja": 10}.'
    )
