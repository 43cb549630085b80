"""Near-duplicate prompts: is a new text (almost) one we already have?

Used by ``advisor data grow`` so that a draft never repeats a training prompt,
a test prompt or another draft.  Texts are compared on **character n-gram
shingles** of their normalised form (Unicode NFKC, case folded, punctuation and
runs of spaces collapsed), because prompts are short: a small edit to a
ten-word prompt leaves most character 5-grams in place but changes most word
3-grams.  Japanese has no spaces between words, so a text whose letters are at
least a fifth kana or kanji is shingled with spaces removed into character
3-grams (one or two kanji carry a word).

Similarity is the Jaccard index of the two shingle sets.  Candidates come from
a MinHash LSH index (the signatures of :mod:`advisor.data.clean.dedupe`), and
each candidate is then scored exactly on its stored shingle hashes, so the
threshold means what it says.  Memory: the shingle hashes (8 bytes each) and
the band hashes of every indexed text; 10,000 prompts of 300 characters take
about 25 MB.

Threshold: :data:`DEFAULT_THRESHOLD` = 0.6.  Measured on the unit tests'
examples: one word changed in a ten-word English prompt scores 0.65-0.8; one
particle changed in a Japanese sentence about 0.7; two prompts on different
subjects under 0.1; a real paraphrase ("How do I reset my password?" and "What
are the steps to change a forgotten password?") about 0.1, so paraphrases pass
and trivial edits do not.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from advisor.data.clean.dedupe import band_shape, minhash_of_hashes

DEFAULT_THRESHOLD = 0.6
LATIN_GRAM = 5
JAPANESE_GRAM = 3
JAPANESE_SHARE = 0.2
# LSH is a candidate filter: tuned below the threshold so it misses almost nothing.
LSH_MARGIN = 0.2

_JA_CHAR = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff66-\uff9f]")
_LETTER = re.compile(r"\w")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Match:
    """The indexed text a query duplicates: its label, the similarity, exact or near."""

    label: str
    similarity: float
    exact: bool


def normalise(text: str) -> str:
    """NFKC, case folded, punctuation and spaces collapsed to one space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NOT_WORD.sub(" ", folded).strip()


def is_japanese(text: str) -> bool:
    """True when at least a fifth of the letters are kana or kanji."""
    letters = len(_LETTER.findall(text))
    return letters > 0 and len(_JA_CHAR.findall(text)) >= JAPANESE_SHARE * letters


def shingles(text: str) -> set[str]:
    """The character n-grams of ``text`` (3-grams without spaces for Japanese, else
    5-grams); a text shorter than n is its own single shingle."""
    norm = normalise(text)
    if is_japanese(norm):
        norm = norm.replace(" ", "")
        size = JAPANESE_GRAM
    else:
        size = LATIN_GRAM
    if len(norm) <= size:
        return {norm} if norm else set()
    return {norm[i : i + size] for i in range(len(norm) - size + 1)}


def jaccard(a: str, b: str) -> float:
    """The Jaccard similarity of the shingle sets of two texts (1.0 for two empty texts)."""
    left, right = shingles(a), shingles(b)
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


def _hashes(grams: set[str]) -> np.ndarray:
    """The shingles' CRC-32 values, sorted and unique (what MinHash and Jaccard use)."""
    values = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))
    return np.unique(values)


class NearDuplicateIndex:
    """Texts with labels; :meth:`find` returns the most similar one at or above the threshold.

    >>> index = NearDuplicateIndex()
    >>> index.add("How do I reset my password?", "train line 1")
    >>> index.find("How do I reset my password??").label
    'train line 1'
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("the threshold must be in (0, 1]")
        self.threshold = threshold
        self._exact: dict[str, int] = {}
        self._labels: list[str] = []
        self._grams: list[np.ndarray] = []
        self._buckets: dict[tuple[int, int], list[int]] = {}
        self._bands, self._rows = band_shape(max(0.3, threshold - LSH_MARGIN))

    def __len__(self) -> int:
        return len(self._labels)

    def add(self, text: str, label: str) -> None:
        """Index ``text`` under ``label`` (the first label of an exact repeat is kept)."""
        key = normalise(text)
        slot = len(self._labels)
        self._exact.setdefault(key, slot)
        grams = _hashes(shingles(text))
        self._labels.append(label)
        self._grams.append(grams)
        for band in self._band_keys(grams):
            self._buckets.setdefault(band, []).append(slot)

    def find(self, text: str) -> Match | None:
        """The indexed text ``text`` duplicates (exactly, or near at the threshold), or None."""
        key = normalise(text)
        if key in self._exact:
            return Match(self._labels[self._exact[key]], 1.0, exact=True)
        mine = _hashes(shingles(text))
        best: tuple[float, int] | None = None
        for slot in sorted(self._candidates(mine)):
            other = self._grams[slot]
            shared = len(np.intersect1d(mine, other, assume_unique=True))
            union = len(mine) + len(other) - shared
            similarity = shared / union if union else 1.0
            if similarity >= self.threshold and (best is None or similarity > best[0]):
                best = (similarity, slot)
        if best is None:
            return None
        return Match(self._labels[best[1]], round(best[0], 3), exact=False)

    def _candidates(self, grams: np.ndarray) -> set[int]:
        found: set[int] = set()
        for band in self._band_keys(grams):
            found.update(self._buckets.get(band, ()))
        return found

    def _band_keys(self, grams: np.ndarray) -> Iterator[tuple[int, int]]:
        if not len(grams):
            return
        sig = minhash_of_hashes(grams)
        for band in range(self._bands):
            rows = sig[band * self._rows : (band + 1) * self._rows]
            yield band, hash(rows.tobytes())
