"""Retrieval quality in Japanese and English: dense (MiniLM), lexical (BM25) and hybrid.

Two knowledge bases are indexed with the product's own code (real MiniLM
vectors, the default chunking): the Japanese service manual written for this
benchmark (benchmarks/data/ja-kb: 10 documents, questions phrased as customers
ask, each labelled with its source document) and the English product-manual
scenario's knowledge with the questions of its test set (``source`` labels).

A question is a hit at k when its source document is among the first k
distinct documents of the ranked chunks (the issue's measure: with 10
documents, chance at top 5 is 50%).  MRR uses the rank of that document.
Each arm is a ``KnowledgeBase.query_many(..., retrieval=MODE)`` over the same
index, timed (all questions in one batched call, divided by their number);
``--tokenizer`` chooses how the lexical index splits Japanese.

    nice .venv/bin/python benchmarks/bench_retrieval_ja.py [--tokenizer bigram|mecab]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

JA_DOCS = REPO / "benchmarks" / "data" / "ja-kb" / "docs"
JA_QUESTIONS = REPO / "benchmarks" / "data" / "ja-kb" / "questions.jsonl"
EN_DOCS = REPO / "scenarios" / "product-manual" / "knowledge"
EN_QUESTIONS = REPO / "scenarios" / "product-manual" / "test.jsonl"
MODES = ("dense", "lexical", "hybrid")
DEPTH = 20  # chunks retrieved per question; enough for 5 distinct documents


def load_questions(path: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(r.get("question") or r["prompt"], r["source"]) for r in rows]


def document_rank(sources: list[str], expected: str) -> int | None:
    """1-based rank of ``expected`` among the distinct documents, in retrieval order."""
    seen: list[str] = []
    for source in sources:
        name = Path(source).name
        if name not in seen:
            seen.append(name)
    return seen.index(expected) + 1 if expected in seen else None


def measure(kb: object, questions: list[tuple[str, str]], mode: str) -> dict[str, float]:
    began = time.perf_counter()
    found = kb.query_many([q for q, _ in questions], DEPTH, retrieval=mode)  # type: ignore[attr-defined]
    seconds = time.perf_counter() - began
    ranks = [
        document_rank([h.source for h in hits], source)
        for hits, (_, source) in zip(found, questions, strict=True)
    ]
    n = len(ranks)
    scores = {f"hit@{k}": sum(1 for r in ranks if r and r <= k) / n for k in (1, 3, 5)}
    scores["mrr"] = sum(1 / r for r in ranks if r) / n
    scores["ms"] = seconds * 1000 / n  # per question, in one batched call
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer", default="bigram", choices=("bigram", "mecab"))
    args = parser.parse_args()

    from advisor.rag import KnowledgeBase
    from advisor.rag.embedding import LocalEmbedder
    from advisor.settings import load_settings

    work = Path(tempfile.mkdtemp(prefix="bench-retrieval-"))
    settings = load_settings(data_dir=work / "data", chroma={"lexical_tokenizer": args.tokenizer})
    embedder = LocalEmbedder(settings)
    rows = []
    for label, docs, path in (("ja", JA_DOCS, JA_QUESTIONS), ("en", EN_DOCS, EN_QUESTIONS)):
        kb = KnowledgeBase(f"bench-{label}", settings, embedder=embedder)
        report = kb.index([docs])
        questions = load_questions(path)
        for mode in MODES:
            scores = measure(kb, questions, mode)
            rows.append((label, report.files, len(questions), mode, scores))
            print(label, mode, {k: round(v, 3) for k, v in scores.items()}, flush=True)
    lines = [
        f"Retrieval by document (`python benchmarks/bench_retrieval_ja.py --tokenizer "
        f"{args.tokenizer}`, {platform.machine()}, Python {platform.python_version()}):",
        "",
        "| KB | docs | questions | retrieval | hit@1 | hit@3 | hit@5 | MRR | ms/question |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, files, n, mode, s in rows:
        lines.append(
            f"| {label} | {files} | {n} | {mode} | {s['hit@1']:.2f} | {s['hit@3']:.2f} | "
            f"{s['hit@5']:.2f} | {s['mrr']:.3f} | {s['ms']:.0f} |"
        )
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
