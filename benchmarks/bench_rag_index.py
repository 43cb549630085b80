"""RAG indexing throughput against sentence-transformers + Chroma called directly.

Both arms embed the same chunks with the same MiniLM model and write them to a
fresh embedded Chroma collection; the baseline is the textbook loop
(``model.encode(texts)`` then ``collection.upsert`` in batches of
``get_max_batch_size()``), ours is ``KnowledgeBase.index`` on the folder, which
also reads, chunks and hashes the files.  Arms alternate over ``--rounds`` so
that load from other processes hits both alike; the figure is chunks per
second, median over rounds.  Then the unchanged corpus is indexed again.

    nice .venv/bin/python benchmarks/bench_rag_index.py [--files 200] [--rounds 3] [--write]
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

_VOCABULARY = (
    "tent pole stake guyline rainfly zipper seam tape groundsheet vestibule backpack hip belt "
    "shoulder strap frame sleeping bag down synthetic fill rating stove canister burner fuel "
    "filter bottle jacket membrane breathable waterproof boot sole lace insole warranty return "
    "refund parcel order shipping delivery customer store weekend trail summit valley river "
    "winter summer autumn spring weight grams litres metres comfort durable repair replace"
)
WORDS = _VOCABULARY.split()


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 22))
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "!", "?"])


def make_corpus(folder: Path, files: int, seed: int = 7) -> None:
    """``files`` Markdown files of about ten chunks each (with the default chunk size)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        sections = []
        for part in range(5):
            body = " ".join(sentence(rng) for _ in range(rng.randint(12, 22)))
            sections.append(f"## Part {part}\n\n{body}")
        text = f"# Document {number}\n\n" + "\n\n".join(sections) + "\n"
        (folder / f"doc-{number:04d}.md").write_text(text, encoding="utf-8")


def baseline(texts: list[str], encoder: object, root: Path) -> float:
    """Seconds for encode + upsert, the way a tutorial does it."""
    import chromadb
    import numpy as np

    client = chromadb.PersistentClient(path=str(root))
    collection = client.create_collection(
        "baseline", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )
    began = time.perf_counter()
    vectors = encoder.encode(texts, normalize_embeddings=True, convert_to_numpy=True)  # type: ignore[attr-defined]
    batch = client.get_max_batch_size()
    for start in range(0, len(texts), batch):
        collection.upsert(
            ids=[f"c{i}" for i in range(start, min(start + batch, len(texts)))],
            embeddings=np.asarray(vectors[start : start + batch]),
            documents=texts[start : start + batch],
        )
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="Generated Markdown files.")
    parser.add_argument("--rounds", type=int, default=3, help="Alternating rounds per arm.")
    parser.add_argument("--chunk-tokens", type=int, default=200, help="Chunk size in tokens.")
    parser.add_argument("--overlap", type=int, default=40, help="Chunk overlap in tokens.")
    parser.add_argument("--write", action="store_true", help="Record in docs/performance.md.")
    args = parser.parse_args()

    from advisor.rag import KnowledgeBase
    from advisor.rag.embedding import LocalEmbedder
    from advisor.rag.indexing import embed_text
    from advisor.rag.loaders import load
    from advisor.settings import load_settings

    work = Path(tempfile.mkdtemp(prefix="bench-rag-index-"))
    corpus = work / "corpus"
    make_corpus(corpus, args.files)
    settings = load_settings(
        data_dir=work / "data",
        chroma={"chunk_tokens": args.chunk_tokens, "chunk_overlap": args.overlap},
    )
    embedder = LocalEmbedder(settings)
    encoder = embedder.encoder
    encoder.encode(["warm up the model"] * 8)

    probe = KnowledgeBase("probe", settings, embedder=embedder)
    texts = [
        embed_text(chunk)
        for path in sorted(corpus.glob("*.md"))
        for chunk in probe.chunker.chunk(load(path))
    ]
    print(f"corpus: {args.files} files, {len(texts)} chunks", flush=True)

    int8 = LocalEmbedder(settings, quantize=True)
    int8.encoder.encode(["warm up the model"] * 8)
    ours_s: list[float] = []
    base_s: list[float] = []
    reindex_s: list[float] = []
    int8_s: list[float] = []
    for round_no in range(args.rounds):
        base_s.append(baseline(texts, encoder, work / f"baseline-{round_no}"))
        kb = KnowledgeBase(f"ours-{round_no}", settings, embedder=embedder)
        report = kb.index([corpus])
        assert report.chunks == len(texts), (report.chunks, len(texts))
        ours_s.append(report.seconds)
        reindex = kb.index([corpus])
        assert reindex.unchanged == args.files
        reindex_s.append(reindex.seconds)
        int8_s.append(
            KnowledgeBase(f"int8-{round_no}", settings, embedder=int8).index([corpus]).seconds
        )
        print(
            f"round {round_no + 1}: baseline {base_s[-1]:.1f} s, ours {ours_s[-1]:.1f} s, "
            f"unchanged re-index {reindex_s[-1]:.2f} s, int8 {int8_s[-1]:.1f} s",
            flush=True,
        )
    sample = texts[:200]
    agreement = float((embedder.embed(sample) * int8.embed(sample)).sum(axis=1).mean())

    chunks = len(texts)
    base = chunks / statistics.median(base_s)
    ours = chunks / statistics.median(ours_s)
    first, again = statistics.median(ours_s), statistics.median(reindex_s)
    table = "\n".join(
        [
            f"Indexing {chunks} chunks ({args.files} generated Markdown files, "
            f"{args.chunk_tokens}-token chunks, MiniLM on CPU), median of {args.rounds} "
            "alternating round(s):",
            "",
            "| arm | seconds | chunks/s | ratio |",
            "| --- | ---: | ---: | ---: |",
            f"| baseline: `encode` + `upsert` | {statistics.median(base_s):.1f} | "
            f"{base:.1f} | 1.00x |",
            f"| `KnowledgeBase.index` (first run) | {first:.1f} | {ours:.1f} | "
            f"{ours / base:.2f}x |",
            f"| `KnowledgeBase.index` (unchanged re-run) | {again:.2f} | - | "
            f"{first / again:.0f}x faster than the first run |",
            f"| `KnowledgeBase.index`, `chroma.quantize` (int8 MiniLM) | "
            f"{statistics.median(int8_s):.1f} | {chunks / statistics.median(int8_s):.1f} | "
            f"{chunks / statistics.median(int8_s) / base:.2f}x |",
            "",
            f"int8 vectors agree with float32 ones at mean cosine {agreement:.4f} (200 chunks).",
        ]
    )
    print()
    print(table)
    if args.write:
        record("index", table)


def record(key: str, table: str) -> None:
    """Replace this script's block inside the ``## Retrieval (RAG)`` section."""
    doc = REPO / "docs" / "performance.md"
    text = doc.read_text(encoding="utf-8")
    begin, end = f"<!-- rag-{key}:begin -->", f"<!-- rag-{key}:end -->"
    block = f"{begin}\n{table}\n{end}"
    if begin in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        marker = "## Retrieval (RAG)\n"
        head, rest = text.split(marker, 1)
        text = head + marker + "\n" + block + "\n" + rest
    doc.write_text(text, encoding="utf-8")
    print(f"recorded in {doc}")


if __name__ == "__main__":
    main()
