"""Dense, lexical and hybrid retrieval over one Chroma collection.

Hybrid retrieval fuses the dense ranking (cosine distance from Chroma) and
the lexical one (BM25 from :mod:`advisor.rag.lexical`) by reciprocal rank
fusion: a chunk scores ``sum(1 / (RRF_K + rank))`` over the rankings it is
in.  RRF needs no score calibration between BM25 and cosine, which live on
unrelated scales, and ``RRF_K = 60`` is the constant of Cormack et al. (2009)
that later work keeps.  Every hit keeps its real cosine distance (computed
from the stored vector for chunks only the lexical side found), so callers
that show or threshold distances work in every mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from advisor.errors import KnowledgeBaseError, UserInputError
from advisor.rag.models import Hit
from advisor.rag.textsplit import detect_language

if TYPE_CHECKING:
    import numpy as np

    from advisor.rag.lexical import LexicalIndex

Retrieval = Literal["dense", "lexical", "hybrid"]
RETRIEVALS: tuple[Retrieval, ...] = ("dense", "lexical", "hybrid")
RRF_K = 60
#: Candidates each side contributes to the fusion.
CANDIDATES = 30
#: Lexical candidates read when a metadata filter may drop many of them.
FILTERED_CANDIDATES = 300


def rrf(rankings: list[list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Ids by fused score, best first; ties keep the order of first appearance."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])


def _failed(name: str, where: dict[str, Any] | None, exc: Exception) -> Exception:
    if where and ("where" in str(exc).lower() or "operator" in str(exc).lower()):
        return UserInputError.from_catalog("core.rag.bad_filter", where=where, error=exc)
    return KnowledgeBaseError.from_catalog("core.rag.query_failed", kb=name, error=exc)


def _hit(chunk_id: str, text: str | None, metadata: Any, distance: float) -> Hit:
    meta = dict(metadata or {})
    return Hit(
        source=str(meta.get("source", chunk_id.rsplit(":", 1)[0])),
        chunk_id=chunk_id,
        distance=round(float(distance), 6),
        text=text or "",
        metadata=meta,
    )


def dense(
    name: str, collection: Any, vectors: np.ndarray, k: int, where: dict[str, Any] | None
) -> list[list[Hit]]:
    """The ``k`` nearest chunks of each vector, nearest first."""
    try:
        found = collection.query(
            query_embeddings=vectors,
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
    except Exception as exc:
        raise _failed(name, where, exc) from exc
    results: list[list[Hit]] = []
    for row in range(len(vectors)):
        rows = zip(
            found["ids"][row],
            found["documents"][row],
            found["metadatas"][row],
            found["distances"][row],
            strict=True,
        )
        results.append([_hit(i, d, m, dist) for i, d, m, dist in rows])
    for hits in results:
        for hit in hits:
            hit.found_by = ["dense"]
    return results


def _fetch(
    name: str, collection: Any, ids: list[str], vector: np.ndarray, where: dict[str, Any] | None
) -> dict[str, Hit]:
    """Hits for ``ids`` that pass ``where``, with their cosine distance to ``vector``."""
    import numpy as np

    if not ids:
        return {}
    try:
        found = collection.get(
            ids=ids, where=where or None, include=["documents", "metadatas", "embeddings"]
        )
    except Exception as exc:
        raise _failed(name, where, exc) from exc
    query = np.asarray(vector, dtype=np.float32)
    query = query / (np.linalg.norm(query) or 1.0)
    hits: dict[str, Hit] = {}
    embeddings = found["embeddings"] if found["embeddings"] is not None else []
    for chunk_id, text, meta, stored in zip(
        found["ids"], found["documents"] or [], found["metadatas"] or [], embeddings, strict=False
    ):
        other = np.asarray(stored, dtype=np.float32)
        cosine = float(query @ other) / float(np.linalg.norm(other) or 1.0)
        hits[chunk_id] = _hit(chunk_id, text, meta, 1.0 - cosine)
    return hits


def fused(
    name: str,
    collection: Any,
    lexical: LexicalIndex,
    texts: list[str],
    vectors: np.ndarray,
    k: int,
    where: dict[str, Any] | None,
    mode: Retrieval,
    languages: tuple[str, ...] | None = None,
) -> list[list[Hit]]:
    """Lexical-only or hybrid hits, best first.

    In hybrid mode a question in a language the embedding model was not
    trained for (``languages``) is ranked by the lexical side alone: fusing a
    ranking that is close to chance only pushes the right chunks down.
    """
    depth = max(k, CANDIDATES)
    near = dense(name, collection, vectors, depth, where) if mode == "hybrid" else []
    results: list[list[Hit]] = []
    for row, text in enumerate(texts):
        scored = lexical.search(text, FILTERED_CANDIDATES if where else depth)
        bm25 = dict(scored)
        by_id = {h.chunk_id: h for h in near[row]} if near else {}
        missing = [i for i, _ in scored if i not in by_id]
        by_id.update(_fetch(name, collection, missing, vectors[row], where))
        words = [i for i, _ in scored if i in by_id][:depth]  # the filter applies here too
        lexical_ids = set(words)
        trusted = languages is None or detect_language(text) in languages
        if mode == "lexical":
            ranking = [(i, round(bm25[i], 6)) for i in words[:k]]
        elif trusted:
            ranking = rrf([[h.chunk_id for h in near[row]], words])[:k]
        else:
            ranking = rrf([words])[:k]
        hits = []
        for chunk_id, score in ranking:
            hit = by_id[chunk_id].model_copy()
            hit.score = round(score, 6)
            in_dense = trusted and near and any(h.chunk_id == chunk_id for h in near[row])
            hit.found_by = (["dense"] if in_dense else []) + (
                ["lexical"] if chunk_id in lexical_ids else []
            )
            hits.append(hit)
        results.append(hits)
    return results
