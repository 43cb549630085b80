"""Exact and near duplicates: the first occurrence stays, later ones go.

Exact: the normalised texts of the example are equal (case and spaces folded).
Near: MinHash signatures of word 3-grams (character 4-grams for Japanese, which
has no spaces) whose estimated Jaccard similarity reaches the threshold, found
with locality-sensitive hashing, then confirmed on the signatures.
"""

from __future__ import annotations

import hashlib

NUM_PERM = 128
# LSH finds candidates below the threshold too (recall first); the signatures decide.
LSH_MARGIN = 0.2


def shingles(text: str, japanese: bool) -> set[bytes]:
    if japanese:
        compact = "".join(text.split())
        grams = {compact[i : i + 4] for i in range(max(1, len(compact) - 3))}
    else:
        words = text.split()
        grams = {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
    return {g.encode() for g in grams if g}


def find_duplicates(
    keys: list[str], japanese: list[bool], threshold: float
) -> dict[int, tuple[int, str, float]]:
    """Map index -> (index of the first equal or similar example, kind, similarity)."""
    from datasketch import MinHash, MinHashLSH

    found: dict[int, tuple[int, str, float]] = {}
    exact: dict[bytes, int] = {}
    lsh = (
        MinHashLSH(threshold=max(0.3, threshold - LSH_MARGIN), num_perm=NUM_PERM)
        if threshold < 1
        else None
    )
    signatures: dict[int, MinHash] = {}
    for index, key in enumerate(keys):
        digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
        if digest in exact:
            found[index] = (exact[digest], "duplicate", 1.0)
            continue
        exact[digest] = index
        if lsh is None:
            continue
        grams = shingles(key, japanese[index])
        signature = MinHash(num_perm=NUM_PERM, seed=1)
        signature.update_batch(list(grams))
        best: tuple[int, float] | None = None
        for other in lsh.query(signature):
            similarity = signature.jaccard(signatures[other])
            if similarity >= threshold and (best is None or other < best[0]):
                best = (other, similarity)
        if best is not None:
            found[index] = (best[0], "near_duplicate", round(best[1], 3))
            continue
        lsh.insert(index, signature)
        signatures[index] = signature
    return found
