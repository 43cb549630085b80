"""RAG indexing throughput against sentence-transformers + Chroma called directly.

Both arms embed the same chunks with the same MiniLM model and write them to a
fresh embedded Chroma collection; the baseline is the textbook loop
(``model.encode(texts)`` then ``collection.upsert`` in batches of
``get_max_batch_size()``), ours is ``KnowledgeBase.index`` on the folder, which
also reads, chunks and hashes the files.  The corpus is cut into ``--parts``
folders and the arms alternate folder by folder, so that load from other
processes hits both alike; the figure is chunks per second.  Then the
unchanged corpus is indexed again.  An optional arm embeds with the int8 copy
of MiniLM (``chroma.quantize``).

    nice .venv/bin/python benchmarks/bench_rag_index.py [--files 200] [--parts 6] [--write]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from _machine import machine_line, pin_threads  # noqa: E402

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


def make_corpus(folder: Path, files: int, parts: int = 1, seed: int = 7) -> list[Path]:
    """``files`` Markdown files spread over ``parts`` sub-folders; returns the sub-folders."""
    rng = random.Random(seed)
    folders = [folder / f"part-{p}" for p in range(parts)]
    for sub in folders:
        sub.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        sections = []
        for part in range(5):
            body = " ".join(sentence(rng) for _ in range(rng.randint(12, 22)))
            sections.append(f"## Part {part}\n\n{body}")
        text = f"# Document {number}\n\n" + "\n\n".join(sections) + "\n"
        (folders[number % parts] / f"doc-{number:04d}.md").write_text(text, encoding="utf-8")
    return folders


def baseline_collection(root: Path) -> tuple[Any, int]:
    import chromadb

    client = chromadb.PersistentClient(path=str(root))
    collection = client.create_collection(
        "baseline", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )
    return collection, client.get_max_batch_size()


def baseline(texts: list[str], encoder: Any, collection: Any, batch: int, offset: int) -> float:
    """Seconds for encode + upsert, the way a tutorial does it."""
    import numpy as np

    began = time.perf_counter()
    vectors = encoder.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    for start in range(0, len(texts), batch):
        end = min(start + batch, len(texts))
        collection.upsert(
            ids=[f"c{offset + i}" for i in range(start, end)],
            embeddings=np.asarray(vectors[start:end]),
            documents=texts[start:end],
        )
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="Generated Markdown files.")
    parser.add_argument("--parts", type=int, default=6, help="Slices the arms alternate on.")
    parser.add_argument("--rounds", type=int, default=1, help="Repeat the whole comparison.")
    parser.add_argument("--chunk-tokens", type=int, default=200, help="Chunk size in tokens.")
    parser.add_argument("--overlap", type=int, default=40, help="Chunk overlap in tokens.")
    parser.add_argument("--no-int8", action="store_true", help="Skip the int8 arm.")
    parser.add_argument("--write", action="store_true", help="Record in docs/performance.md.")
    args = parser.parse_args()
    pin_threads()  # the same thread policy for every arm, before torch loads

    from advisor.rag import KnowledgeBase
    from advisor.rag.embedding import LocalEmbedder
    from advisor.rag.indexing import embed_text
    from advisor.rag.loaders import load
    from advisor.settings import load_settings

    work = Path(tempfile.mkdtemp(prefix="bench-rag-index-"))
    parts = make_corpus(work / "corpus", args.files, args.parts)
    settings = load_settings(
        data_dir=work / "data",
        chroma={"chunk_tokens": args.chunk_tokens, "chunk_overlap": args.overlap},
    )
    embedder = LocalEmbedder(settings)
    encoder = embedder.encoder
    encoder.encode(["warm up the model"] * 8)
    probe = KnowledgeBase("probe", settings, embedder=embedder)
    texts = {
        part: [
            embed_text(chunk)
            for path in sorted(part.glob("*.md"))
            for chunk in probe.chunker.chunk(load(path))
        ]
        for part in parts
    }
    chunks = sum(len(t) for t in texts.values())
    print(f"corpus: {args.files} files, {chunks} chunks in {args.parts} slices", flush=True)
    int8 = None if args.no_int8 else LocalEmbedder(settings, quantize=True)
    if int8 is not None:
        int8.encoder.encode(["warm up the model"] * 8)

    base_s, ours_s, reindex_s, int8_s = [], [], [], []
    for round_no in range(args.rounds):
        collection, batch = baseline_collection(work / f"baseline-{round_no}")
        kb = KnowledgeBase(f"ours-{round_no}", settings, embedder=embedder)
        kb8 = KnowledgeBase(f"int8-{round_no}", settings, embedder=int8) if int8 else None
        base = ours = quantised = 0.0
        offset = 0
        # The arms alternate slice by slice, so load from other processes hits both alike.
        for part in parts:
            base += baseline(texts[part], encoder, collection, batch, offset)
            offset += len(texts[part])
            ours += kb.index([part]).seconds
            if kb8 is not None:
                quantised += kb8.index([part]).seconds
        assert kb.count() == collection.count() == chunks, (kb.count(), chunks)
        reindex = kb.index(parts)
        assert reindex.unchanged == args.files
        base_s.append(base)
        ours_s.append(ours)
        reindex_s.append(reindex.seconds)
        int8_s.append(quantised)
        print(
            f"round {round_no + 1}: baseline {base:.1f} s, ours {ours:.1f} s, "
            f"unchanged re-index {reindex.seconds:.2f} s, int8 {quantised:.1f} s",
            flush=True,
        )

    base_rate = chunks / statistics.median(base_s)
    ours_rate = chunks / statistics.median(ours_s)
    first, again = statistics.median(ours_s), statistics.median(reindex_s)
    lines = [
        f"Indexing {chunks} chunks ({args.files} generated Markdown files, "
        f"{args.chunk_tokens}-token chunks, MiniLM on CPU); the arms alternate over "
        f"{args.parts} slices of the corpus, median of {args.rounds} round(s):",
        "",
        "| arm | seconds | chunks/s | ratio |",
        "| --- | ---: | ---: | ---: |",
        f"| baseline: `encode` + `upsert` | {statistics.median(base_s):.1f} | "
        f"{base_rate:.1f} | 1.00x |",
        f"| `KnowledgeBase.index` (first run) | {first:.1f} | {ours_rate:.1f} | "
        f"{ours_rate / base_rate:.2f}x |",
        f"| `KnowledgeBase.index` (unchanged re-run) | {again:.2f} | - | "
        f"{first / again:.0f}x faster than the first run |",
    ]
    if int8 is not None:
        quick = chunks / statistics.median(int8_s)
        sample = texts[parts[0]][:200]
        agreement = float((embedder.embed(sample) * int8.embed(sample)).sum(axis=1).mean())
        lines += [
            f"| `KnowledgeBase.index`, `chroma.quantize` (int8 MiniLM) | "
            f"{statistics.median(int8_s):.1f} | {quick:.1f} | {quick / base_rate:.2f}x |",
            "",
            f"int8 vectors agree with float32 ones at mean cosine {agreement:.3f} "
            f"({len(sample)} chunks).",
        ]
    lines += ["", machine_line()]
    table = "\n".join(lines)
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
