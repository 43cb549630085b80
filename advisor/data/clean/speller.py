"""A compact English dictionary for the typo flags: pyspellchecker's word list in 8 MB.

pyspellchecker keeps its 160,000 words as a Python dict (about 40 MB resident),
more than the whole streaming cleaner may use.  This module reads the same
packaged list once into a sorted fixed-width byte array and an array of
frequencies (about 8 MB), and answers ``known``, ``unknown`` and
``correction`` the way pyspellchecker 0.9 does with ``distance=1`` (ties between
equally frequent corrections go to the alphabetically first, so results do not
depend on hash order).
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

import numpy as np

ENTRY = re.compile(rb'"([^"\\\n]*)":\s*(\d+),?\s*')


class _Words(Sequence[bytes]):
    """The i-th word of a newline-separated blob."""

    def __init__(self, blob: bytes, ends: np.ndarray) -> None:
        self.blob, self.ends = blob, ends

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index: int) -> bytes:  # type: ignore[override]
        start = int(self.ends[index - 1]) + 1 if index else 0
        return self.blob[start : int(self.ends[index])]


def _hashes(blob: np.ndarray) -> np.ndarray:
    """A 64-bit polynomial hash of every newline-terminated word in ``blob`` (uint8),
    computed with array operations (uint64 arithmetic wraps, as intended)."""
    ends = np.flatnonzero(blob == 10)
    starts = np.concatenate(([0], ends[:-1] + 1))
    word = np.cumsum(blob == 10) - (blob == 10)  # the word each byte belongs to
    position = np.arange(len(blob)) - starts[word]
    terms = (blob.astype(np.uint64) + np.uint64(1)) * _POWERS[np.minimum(position, MAX_WORD)]
    terms[ends] = 0
    return np.add.reduceat(terms, starts) if len(starts) else np.zeros(0, dtype=np.uint64)


def _chunked_hashes(raw: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
    """:func:`_hashes` a piece at a time: its temporaries are 40 bytes per byte."""
    parts: list[np.ndarray] = []
    start = 0
    while start < len(raw):
        end = min(start + chunk, len(raw))
        if end < len(raw):
            end = start + int(np.flatnonzero(raw[start:end] == 10)[-1]) + 1
        parts.append(_hashes(raw[start:end]))
        start = end
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


MAX_WORD = 63
CACHE_SIZE = 20_000
_POWERS = np.cumprod(np.full(MAX_WORD + 1, 1_000_003, dtype=np.uint64)) // np.uint64(1_000_003)


class Speller:
    """Lower-case dictionary lookups: sorted word hashes, checked against the words."""

    def __init__(self, blob: bytes, counts: np.ndarray) -> None:
        raw = np.frombuffer(blob, dtype=np.uint8)
        ends = np.flatnonzero(raw == 10)
        self._words = _Words(blob, ends)
        hashes = _chunked_hashes(raw)
        self._order = np.argsort(hashes, kind="stable")
        self._hashes = hashes[self._order]
        self._counts = counts
        self._cache: dict[str, int] = {}
        self.letters = "".join(sorted(set(blob.decode("utf-8")) - {"\n"}))
        starts = np.concatenate(([0], ends[:-1] + 1))
        self.longest = int((ends - starts).max()) if len(ends) else 0

    def _frequencies(self, words: list[str]) -> list[int]:
        """How common each word is (0 when unknown), for many words at once.

        Words repeat from text to text: a bounded cache answers most lookups."""
        cache = self._cache
        missing = [w for w in dict.fromkeys(words) if w not in cache]
        if missing:
            if len(cache) + len(missing) > CACHE_SIZE:
                cache.clear()
            cache.update(zip(missing, self._lookup(missing), strict=True))
        return [cache[w] if w in cache else self._lookup([w])[0] for w in words]

    def _lookup(self, words: list[str]) -> list[int]:
        if not words or not len(self._hashes):
            return [0] * len(words)
        encoded = [w.encode("utf-8") for w in words]
        wanted = _hashes(np.frombuffer(b"\n".join(encoded) + b"\n", dtype=np.uint8))
        where = np.searchsorted(self._hashes, wanted).clip(0, len(self._hashes) - 1)
        hits = np.flatnonzero(self._hashes[where] == wanted)
        found = [0] * len(words)
        for i in hits.tolist():
            index = int(self._order[where[i]])
            if self._words[index] == encoded[i]:  # a hash collision is not a word
                found[i] = int(self._counts[index])
        return found

    def _checkable(self, word: str) -> bool:
        if len(word) == 1 and not word.isalnum():
            return False
        if len(word) > self.longest + 3:
            return False
        try:
            float(word)
        except ValueError:
            return True
        return word.lower() in ("nan", "inf", "infinity")

    def known(self, words: Iterable[str]) -> set[str]:
        items = [w.lower() for w in words]
        freq = self._frequencies(items)
        return {w for w, f in zip(items, freq, strict=True) if f and self._checkable(w)}

    def unknown(self, words: Iterable[str]) -> set[str]:
        items = [w.lower() for w in words if self._checkable(w)]
        freq = self._frequencies(items)
        return {w for w, f in zip(items, freq, strict=True) if not f}

    def correction(self, word: str) -> str | None:
        word = word.lower()
        if self.known([word]) or not self._checkable(word):
            return word
        candidates = sorted(self._edits1(word))
        freq = self._lookup(candidates)  # not cached: they are mostly not words
        known = [(c, int(f)) for c, f in zip(candidates, freq, strict=True) if f]
        if not known:
            return word
        plain = _without_accents(word)
        same = [item for item in known if _without_accents(item[0]) == plain]
        pool = same or known
        best = max(f for _, f in pool)
        return next(c for c, f in pool if f == best)

    def _edits1(self, word: str) -> set[str]:
        letters = self.letters
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        deletes = [a + b[1:] for a, b in splits if b]
        transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
        replaces = [a + c + b[1:] for a, b in splits if b for c in letters]
        inserts = [a + c + b for a, b in splits for c in letters]
        return set(deletes + transposes + replaces + inserts)


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@cache
def english() -> Speller:
    """pyspellchecker's English list (words and frequencies), loaded once per process.

    Parsed with array operations into a blob of sorted words and an array of
    counts, never into a dict of 160,000 Python objects.
    """
    text = gzip.decompress(
        resources.files("spellchecker").joinpath("resources", "en.json.gz").read_bytes()
    ).lower()
    blob, counts = _parse(np.frombuffer(text, dtype=np.uint8))
    del text
    if blob.count(b"\n") != len(counts) or not _is_sorted(blob):
        pairs = sorted(zip(blob.split(b"\n")[:-1], counts.tolist(), strict=False))
        blob = b"".join(w + b"\n" for w, _ in pairs)
        counts = np.array([c for _, c in pairs], dtype=np.uint32)
    return Speller(blob, counts)


def _parse(raw: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Words (newline-separated) and counts of a flat ``{"word": count, ...}`` JSON
    object, with array operations: no Python object per word."""
    quote = raw == ord('"')
    odd = np.cumsum(quote, dtype=np.uint8) & 1  # wraps at 256, which keeps the parity
    inside = (odd == 1) & ~quote
    closing = quote & (odd == 0)
    words = raw[inside | closing].copy()
    words[words == ord('"')] = ord("\n")
    digits = ~inside & ~quote & (((raw >= ord("0")) & (raw <= ord("9"))) | (raw == ord(",")))
    numbers = raw[digits].tobytes().replace(b",", b" ").decode("ascii")
    return words.tobytes(), np.fromstring(numbers, dtype=np.uint32, sep=" ")


def _is_sorted(blob: bytes) -> bool:
    previous = b""
    for match in re.finditer(rb"[^\n]*\n", blob):
        if match.group(0) < previous:
            return False
        previous = match.group(0)
    return True
