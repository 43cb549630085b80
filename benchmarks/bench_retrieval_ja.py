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
index, timed (all questions in one batched call, divided by their number).
``--tokenizer`` (repeatable) chooses how the lexical index splits Japanese:
the product's values (bigram, mecab, sudachi) and two parts of sudachi
measured alone (sudachi-words: Sudachi's words and synonym ids without the
bigrams; sudachi-nosyn: its words only).  Every Japanese arm is measured on
both question sets: ``ja`` (questions.jsonl, written with the knowledge base)
and ``ja-heldout`` (questions-heldout.jsonl, written later and committed before
any of the Sudachi arms was measured).  ``--questions`` limits the run to one.

    nice .venv/bin/python benchmarks/bench_retrieval_ja.py \\
        [--tokenizer bigram --tokenizer mecab --tokenizer sudachi ...] [--questions ja-heldout]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

JA_DOCS = REPO / "benchmarks" / "data" / "ja-kb" / "docs"
JA_QUESTIONS = REPO / "benchmarks" / "data" / "ja-kb" / "questions.jsonl"
#: The first set, and a second one written before any new method was measured.
JA_SETS = {
    "ja": JA_QUESTIONS,
    "ja-heldout": REPO / "benchmarks" / "data" / "ja-kb" / "questions-heldout.jsonl",
}
PRODUCT_TOKENIZERS = ("bigram", "mecab", "sudachi")
EN_DOCS = REPO / "scenarios" / "product-manual" / "knowledge"
EN_QUESTIONS = REPO / "scenarios" / "product-manual" / "test.jsonl"
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
    return scores_of(ranks, seconds)


def experimental(name: str) -> Callable[[str], list[str]] | None:
    """Tokenizers measured here but not offered as a setting (None: the product's own)."""
    from advisor.rag import textsplit
    from advisor.rag.sudachi import sudachi_words

    if name == "sudachi-words":  # Sudachi's words and synonym ids without the bigrams
        return lambda text: textsplit._by_script(
            text, lambda run: sudachi_words(run) or textsplit.bigrams(run)
        )
    if name == "sudachi-nosyn":  # normalized words and split modes only
        return lambda text: textsplit._by_script(
            text, lambda run: sudachi_words(run, synonyms=False) or textsplit.bigrams(run)
        )
    return None


def use_tokenizer(kb: object, name: str) -> float:
    """Point ``kb`` at a lexical index built with ``name``; returns its build seconds."""
    from advisor.rag.lexical import LexicalIndex

    product = name if name in PRODUCT_TOKENIZERS else "bigram"
    index = LexicalIndex(kb.path / f"lexical-{name}.sqlite3", product)  # type: ignore[attr-defined]
    custom = experimental(name)
    if custom is not None:
        index.tokenizer_name, index._tokenize = name, custom
    kb._lexical = index  # type: ignore[attr-defined]
    began = time.perf_counter()
    kb._sync_lexical(kb._require())  # type: ignore[attr-defined]
    return time.perf_counter() - began


def scores_of(ranks: list[int | None], seconds: float) -> dict[str, float]:
    n = len(ranks)
    scores = {f"hit@{k}": sum(1 for r in ranks if r and r <= k) / n for k in (1, 3, 5)}
    scores["mrr"] = sum(1 / r for r in ranks if r) / n
    scores["ms"] = seconds * 1000 / n  # per question
    return scores


def measure_chive(
    kb: object, vocab: Path, questions: list[tuple[str, str]]
) -> dict[str, dict[str, float]]:
    """chiVe alone, and fused by RRF with the current lexical ranking (see _chive.py)."""
    import numpy as np
    from _chive import ChiveEmbedder

    from advisor.rag.retrieval import CANDIDATES, rrf

    chive = ChiveEmbedder(vocab)
    found = kb._require().get(include=["documents", "metadatas"])  # type: ignore[attr-defined]
    ids, metas = found["ids"], found["metadatas"]
    source = {i: str(m["source"]) for i, m in zip(ids, metas, strict=True)}
    texts = [f"{m.get('heading', '')}\n{d}" for d, m in zip(found["documents"], metas, strict=True)]
    matrix = np.stack([chive.embed(text) for text in texts])
    lexical = kb.query_many([q for q, _ in questions], CANDIDATES, retrieval="lexical")  # type: ignore[attr-defined]
    ranks: dict[str, list[int | None]] = {"dense, chive": [], "hybrid, sudachi + chive": []}
    began = time.perf_counter()
    for (question, expected), words in zip(questions, lexical, strict=True):
        near = [ids[i] for i in np.argsort(-(matrix @ chive.embed(question)))][:CANDIDATES]
        fused = [i for i, _ in rrf([near, [h.chunk_id for h in words]])]
        ranks["dense, chive"].append(document_rank([source[i] for i in near], expected))
        ranks["hybrid, sudachi + chive"].append(document_rank([source[i] for i in fused], expected))
    seconds = time.perf_counter() - began  # the chiVe side only; BM25 is timed above
    return {arm: scores_of(found_ranks, seconds) for arm, found_ranks in ranks.items()}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tokenizer",
        action="append",
        choices=(*PRODUCT_TOKENIZERS, "sudachi-words", "sudachi-nosyn"),
        help="repeat to measure several (default: sudachi, the product's default)",
    )
    parser.add_argument(
        "--questions",
        action="append",
        choices=tuple(JA_SETS),
        help="Japanese question sets to measure (default: both)",
    )
    parser.add_argument(
        "--chive",
        type=Path,
        help="the vocab folder of an unpacked ja-ginza 5.3.0 wheel: adds the chiVe arms",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    tokenizers = args.tokenizer or ["sudachi"]
    sets = args.questions or list(JA_SETS)

    from _machine import machine_line

    from advisor.rag import KnowledgeBase
    from advisor.rag.embedding import LocalEmbedder
    from advisor.settings import load_settings

    work = Path(tempfile.mkdtemp(prefix="bench-retrieval-"))
    settings = load_settings(data_dir=work / "data")
    embedder = LocalEmbedder(settings)
    rows = []

    def record(name: str, files: int, n: int, arm: str, scores: dict[str, float]) -> None:
        rows.append((name, files, n, arm, scores))
        print(name, arm, {k: round(v, 3) for k, v in scores.items()}, flush=True)

    plan = (("ja", JA_DOCS, {s: JA_SETS[s] for s in sets}), ("en", EN_DOCS, {"en": EN_QUESTIONS}))
    for label, docs, question_sets in plan:
        kb = KnowledgeBase(f"bench-{label}", settings, embedder=embedder)
        files = kb.index([docs]).files
        loaded = {name: load_questions(path) for name, path in question_sets.items()}
        for name, questions in loaded.items():
            record(name, files, len(questions), "dense", measure(kb, questions, "dense"))
        # English words are split alike by every tokenizer: one arm, the default's.
        english = ["sudachi"] if "sudachi" in tokenizers else tokenizers[:1]
        for tokenizer in tokenizers if label == "ja" else english:
            seconds = use_tokenizer(kb, tokenizer)
            print(label, tokenizer, f"lexical index built in {seconds:.2f} s", flush=True)
            for name, questions in loaded.items():
                for mode in ("lexical", "hybrid"):
                    arm = f"{mode}, {tokenizer}"
                    record(name, files, len(questions), arm, measure(kb, questions, mode))
        if args.chive and label == "ja":
            use_tokenizer(kb, "sudachi")
            for name, questions in loaded.items():
                for arm, scores in measure_chive(kb, args.chive, questions).items():
                    record(name, files, len(questions), arm, scores)
    command = " ".join(f"--tokenizer {t}" for t in tokenizers)
    command += "".join(f" --questions {q}" for q in args.questions or [])
    command += " --chive VOCAB" if args.chive else ""
    lines = [
        f"Retrieval by document (`python benchmarks/bench_retrieval_ja.py {command}`, "
        f"{platform.machine()}, Python {platform.python_version()}):",
        "",
        "| questions | docs | n | retrieval | hit@1 | hit@3 | hit@5 | MRR | ms/question |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, files, n, arm, s in rows:
        lines.append(
            f"| {name} | {files} | {n} | {arm} | {s['hit@1']:.2f} | {s['hit@3']:.2f} | "
            f"{s['hit@5']:.2f} | {s['mrr']:.3f} | {s['ms']:.0f} |"
        )
    print()
    print("\n".join(lines))
    print()
    print(machine_line())


if __name__ == "__main__":
    main()
