"""Exact and near duplicates: the first occurrence stays, later ones go.

Exact: the normalised texts of the example are equal (case and spaces folded),
decided as the file streams by with a 16-byte digest per example.
Near: MinHash signatures of word 3-grams (character 4-grams for Japanese, which
has no spaces) whose estimated Jaccard similarity reaches the threshold.  The
signatures go to a temporary file and only short band hashes stay in memory
(locality-sensitive hashing); once the file has been read, examples that share a
band are compared on their signatures, in file order, against the examples kept
so far, as a streaming index would.  Memory: about 200 bytes per example.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import tempfile
import zlib
from array import array
from collections.abc import Iterator
from functools import cache
from typing import IO

import numpy as np

NUM_PERM = 128
# LSH finds candidates below the threshold too (recall first); the signatures decide.
LSH_MARGIN = 0.2
BATCH = 4096
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64(0xFFFFFFFF)
_RNG = np.random.RandomState(1)
_A = _RNG.randint(1, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_B = _RNG.randint(0, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
WORD = re.compile(r"\S+")

Found = tuple[int, str, float]


def shingles(text: str, japanese: bool) -> Iterator[str]:
    """The shingles of ``text``, one at a time (repeats do not change a MinHash)."""
    if japanese:
        compact = "".join(text.split())
        for i in range(max(1, len(compact) - 3)):
            yield compact[i : i + 4]
        return
    window: list[str] = []
    full = False
    for match in WORD.finditer(text):
        window.append(match.group(0))
        if len(window) == 3:
            yield " ".join(window)
            window.pop(0)
            full = True
    if not full:  # fewer than three words in all: they are the one shingle
        yield " ".join(window)


def signature(text: str, japanese: bool) -> np.ndarray:
    """The MinHash signature (NUM_PERM uint32 values), in batches: flat memory and
    linear time however long the text is."""
    return minhash(shingles(text, japanese))


def minhash(grams: Iterator[str]) -> np.ndarray:
    """The MinHash signature of any shingles."""
    result = np.full(NUM_PERM, _MAX_HASH, dtype=np.uint64)
    while batch := list(itertools.islice(grams, BATCH)):
        values = np.fromiter(
            (zlib.crc32(g.encode()) for g in batch if g), dtype=np.uint64, count=-1
        )
        if len(values):
            np.minimum(result, _permuted_min(values), out=result)
    return result.astype(np.uint32)


def minhash_of_hashes(values: np.ndarray) -> np.ndarray:
    """The MinHash signature of shingles already hashed with CRC-32 (uint64 values),
    as :func:`minhash` gives for the shingles themselves (:mod:`advisor.data.near_dup`)."""
    result = np.full(NUM_PERM, _MAX_HASH, dtype=np.uint64)
    for start in range(0, len(values), BATCH):
        np.minimum(result, _permuted_min(values[start : start + BATCH]), out=result)
    return result.astype(np.uint32)


def _permuted_min(values: np.ndarray) -> np.ndarray:
    hashed = ((_A[:, None] * values[None, :] + _B[:, None]) % _MERSENNE) & _MAX_HASH
    return hashed.min(axis=1)


def band_shape(threshold: float) -> tuple[int, int]:
    """(bands, rows) of the LSH index for candidates around ``threshold``."""
    return _bands(threshold)


@cache
def _bands(threshold: float) -> tuple[int, int]:
    """(bands, rows) for NUM_PERM values that balance missed and spurious candidates
    around ``threshold`` (the LSH parameter choice, by numeric integration)."""
    grid = np.linspace(0, 1, 201)
    best: tuple[float, int, int] = (float("inf"), 1, NUM_PERM)
    for rows in range(1, NUM_PERM + 1):
        bands = NUM_PERM // rows
        chance = 1 - (1 - grid**rows) ** bands
        false_pos = np.where(grid < threshold, chance, 0).mean()
        false_neg = np.where(grid >= threshold, 1 - chance, 0).mean()
        error = false_pos + false_neg
        if error < best[0]:
            best = (float(error), bands, rows)
    return best[1], best[2]


class Deduplicator:
    """Feed the examples in file order with :meth:`add`; :meth:`near` at the end."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._first: dict[bytes, int] = {}
        self._count = 0
        self._near = threshold < 1
        self._signatures: IO[bytes] | None = None
        self._band_hashes = array("I")
        self._bands, self._rows = _bands(max(0.3, threshold - LSH_MARGIN))
        self._ids = array("q")  # example number of each signature
        if self._near:
            # Closed by near(), or with the object.
            self._signatures = tempfile.TemporaryFile(prefix="advisor-minhash-")  # noqa: SIM115

    def add(self, key: str, japanese: bool) -> Found | None:
        """Register example ``index`` (0, 1, ...); return how it duplicates an earlier
        one exactly, or None (near duplicates are decided by :meth:`near`)."""
        index = self._count
        self._count += 1
        digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
        if digest in self._first:
            return self._first[digest], "duplicate", 1.0
        self._first[digest] = index
        if self._signatures is not None:
            sig = signature(key, japanese)
            self._signatures.write(sig.tobytes())
            self._ids.append(index)
            rows = sig[: self._bands * self._rows].reshape(self._bands, self._rows)
            mixed = (rows.astype(np.uint64) * _A[: self._rows]).sum(axis=1) >> np.uint64(29)
            self._band_hashes.extend((mixed & _MAX_HASH).astype(np.uint32).tolist())
        return None

    def near(self) -> dict[int, Found]:
        """Map example -> (the first kept example it is similar to, kind, similarity)."""
        if self._signatures is None or not self._ids:
            return {}
        self._signatures.flush()
        runs = self._shared_bands()
        found: dict[int, Found] = {}
        kept_in: dict[int, list[int]] = {}
        for slot in np.flatnonzero((runs >= 0).any(axis=1)).tolist():
            mine_runs = [int(r) for r in runs[slot] if r >= 0]
            candidates = sorted({k for run in mine_runs for k in kept_in.get(run, ())})
            mine = self._read(slot)
            hit = next(
                (
                    (other, sim)
                    for other in candidates
                    if (sim := float(np.mean(mine == self._read(other)))) >= self.threshold
                ),
                None,
            )
            if hit is not None:
                found[self._ids[slot]] = (self._ids[hit[0]], "near_duplicate", round(hit[1], 3))
            else:
                for run in mine_runs:
                    kept_in.setdefault(run, []).append(slot)
        self._signatures.close()
        return found

    def _shared_bands(self) -> np.ndarray:
        """Per signature slot and band, the LSH bucket it shares with another example
        (-1: none), numbered across bands; 4 bytes per slot and band."""
        table = np.frombuffer(self._band_hashes, dtype=np.uint32).reshape(-1, self._bands)
        runs = np.full(table.shape, -1, dtype=np.int32)
        next_id = 0
        for band in range(self._bands):
            column = table[:, band]
            order = np.argsort(column, kind="stable")
            ordered = column[order]
            new_run = np.ones(len(ordered), dtype=bool)
            new_run[1:] = ordered[1:] != ordered[:-1]
            run = np.cumsum(new_run) - 1  # bucket number of each sorted slot
            size = np.bincount(run)
            shared = size[run] > 1
            runs[order[shared], band] = run[shared] + next_id
            next_id += int(run[-1]) + 1 if len(run) else 0
        return runs

    def _read(self, slot: int) -> np.ndarray:
        assert self._signatures is not None
        size = NUM_PERM * 4
        data = os.pread(self._signatures.fileno(), size, slot * size)
        return np.frombuffer(data, dtype=np.uint32)
