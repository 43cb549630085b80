"""RAG query latency at 10k chunks, question embedding included, against direct calls.

The knowledge base is built with ``KnowledgeBase.index`` on a generated corpus
(real MiniLM vectors), then grown to ``--chunks`` with copies whose vectors are
the originals plus small Gaussian noise, renormalised: embedding 10k chunks on
two shared cores would take most of an hour and measures indexing, not
querying.  Each question is then timed end to end through
``KnowledgeBase.query`` (embed, Chroma HNSW search, hits with metadata) and
through the baseline, ``encoder.encode`` + ``collection.query`` called
directly, alternating question by question.

    nice .venv/bin/python benchmarks/bench_rag_query.py [--chunks 10000] [--queries 200] [--write]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from _machine import machine_line, pin_threads  # noqa: E402
from bench_rag_index import make_corpus, record, sentence  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def grow(collection: object, target: int, batch: int, seed: int = 11) -> None:
    """Add noisy copies of the indexed chunks until the collection holds ``target``."""
    import numpy as np

    rng = np.random.default_rng(seed)
    found = collection.get(include=["embeddings", "documents", "metadatas"])  # type: ignore[attr-defined]
    vectors = np.asarray(found["embeddings"], dtype=np.float32)
    count = len(vectors)
    copy = 0
    while count < target:
        copy += 1
        n = min(len(vectors), target - count)
        noisy = vectors[:n] + rng.normal(0, 0.05, size=vectors[:n].shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        ids = [f"{i}#copy{copy}" for i in found["ids"][:n]]
        documents = found["documents"][:n]
        metadatas = [{**m, "source": f"{m['source']}#copy{copy}"} for m in found["metadatas"][:n]]
        for start in range(0, n, batch):
            collection.upsert(  # type: ignore[attr-defined]
                ids=ids[start : start + batch],
                embeddings=noisy[start : start + batch],
                documents=documents[start : start + batch],
                metadatas=metadatas[start : start + batch],
            )
        count += n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=100, help="Really embedded files.")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--chunk-tokens", type=int, default=200, help="Chunk size in tokens.")
    parser.add_argument("--overlap", type=int, default=40, help="Chunk overlap in tokens.")
    parser.add_argument("--write", action="store_true", help="Record in docs/performance.md.")
    args = parser.parse_args()
    pin_threads()  # the same thread policy for both arms, before torch loads

    from advisor.rag import KnowledgeBase
    from advisor.rag.embedding import LocalEmbedder
    from advisor.settings import load_settings

    work = Path(tempfile.mkdtemp(prefix="bench-rag-query-"))
    make_corpus(work / "corpus", args.files)
    settings = load_settings(
        data_dir=work / "data",
        chroma={"chunk_tokens": args.chunk_tokens, "chunk_overlap": args.overlap},
    )
    embedder = LocalEmbedder(settings)
    kb = KnowledgeBase("query-bench", settings, embedder=embedder)
    real = kb.index([work / "corpus"]).chunks
    collection = kb._require()
    grow(collection, args.chunks, kb.client.get_max_batch_size())
    total = collection.count()
    print(f"{total} chunks ({real} embedded, the rest noisy copies)", flush=True)

    rng = random.Random(3)
    questions = [sentence(rng) for _ in range(args.queries)]
    encoder = embedder.encoder
    for question in questions[:5]:  # warm up both paths
        kb.query(question, args.k)
    ours: list[float] = []
    base: list[float] = []
    for question in questions:
        began = time.perf_counter()
        vector = encoder.encode([question], normalize_embeddings=True, convert_to_numpy=True)
        collection.query(query_embeddings=vector, n_results=args.k)
        base.append(time.perf_counter() - began)
        began = time.perf_counter()
        hits = kb.query(question, args.k)
        ours.append(time.perf_counter() - began)
        assert len(hits) == args.k

    def ms(values: list[float], share: float) -> str:
        return f"{percentile(values, share) * 1000:.1f}"

    table = "\n".join(
        [
            f"Query latency at {total} chunks (top-{args.k}, question embedding included, "
            f"{args.queries} questions, alternating arms):",
            "",
            "| arm | p50 ms | p95 ms | mean ms |",
            "| --- | ---: | ---: | ---: |",
            f"| baseline: `encode` + `collection.query` | {ms(base, 0.5)} | {ms(base, 0.95)} | "
            f"{statistics.mean(base) * 1000:.1f} |",
            f"| `KnowledgeBase.query` | {ms(ours, 0.5)} | {ms(ours, 0.95)} | "
            f"{statistics.mean(ours) * 1000:.1f} |",
            "",
            machine_line(),
        ]
    )
    print()
    print(table)
    if args.write:
        record("query", table)


if __name__ == "__main__":
    main()
