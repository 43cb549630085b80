"""Token-sized chunks that end at sentence boundaries, in English and Japanese.

Sentences end at ``.``, ``!``, ``?`` followed by a space, at ``。！？｡`` and a
full-width ``．`` that is not a decimal point (with any closing brackets, unless
a quotation particle follows: 「本当ですか？」と聞かれた is one sentence), at
blank lines, and before a line that starts a list item (``-``, ``・``, ``1.``,
``①``), since Japanese list items rarely end with a full stop.  Sentences
are packed into chunks of at most ``max_tokens``; the next chunk starts with
the trailing sentences of the previous one that fit in ``overlap`` tokens, so a
fact on a boundary is whole in at least one chunk.  A sentence longer than a chunk is cut at token
boundaries.  Chunks never cross a heading: the heading is their metadata.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from advisor.rag.loaders import Document

#: Bump when chunking changes, so that re-indexing rebuilds rather than trusts old chunks.
CHUNKER_VERSION = 2

_SENTENCE_END = re.compile(
    # Japanese: no space follows the full stop; a quote closed before と/って goes on.
    r"(?<=[。！？｡])(?![」』]+[とっ])[」』）)\]]*"
    r"|(?<=．)(?![0-9０-９])[」』）)\]]*"  # ．, except in １．５
    r"|(?<=[.!?])[\"')\]]*(?=\s)"  # Latin scripts: punctuation then whitespace...
    r"(?<!^\d\.)(?<!\n\d\.)(?<!^\d\d\.)(?<!\n\d\d\.)"  # ...but not "1. " opening an item
    r"|\n\s*\n"  # paragraph breaks
    r"|\n(?=[ \t]*(?:[-*+•]\s|・|[0-9]+[.)．]\s|[①-⑳]))"  # a list item starts
)

TokenCounter = Callable[[list[str]], list[int]]
Splitter = Callable[[str, int], list[str]]


@dataclass
class Chunk:
    text: str
    heading: str
    position: int  # character offset of the chunk in the document's text
    page: int | None = None


def split_sentences(text: str) -> list[tuple[int, str]]:
    """``(offset, sentence)`` pairs; whitespace between sentences is dropped."""
    sentences: list[tuple[int, str]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        _append(sentences, text, start, end)
        start = end
    _append(sentences, text, start, len(text))
    return sentences


def _append(out: list[tuple[int, str]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        out.append((start + piece.index(stripped[0]), stripped))


def minilm_counter() -> TokenCounter:
    from advisor.rag.embedding import chunk_tokenizer

    tokenizer = chunk_tokenizer()

    def count(texts: list[str]) -> list[int]:
        return [len(e.ids) for e in tokenizer.encode_batch(texts, add_special_tokens=False)]

    return count


def minilm_splitter() -> Splitter:
    """Cuts an over-long sentence into pieces of at most ``n`` tokens."""
    from advisor.rag.embedding import chunk_tokenizer

    tokenizer = chunk_tokenizer()

    def split(text: str, n: int) -> list[str]:
        offsets = tokenizer.encode(text, add_special_tokens=False).offsets
        pieces = []
        for i in range(0, len(offsets), n):
            window = offsets[i : i + n]
            end = offsets[i + n][0] if i + n < len(offsets) else len(text)
            pieces.append(text[window[0][0] : end].strip())
        return [p for p in pieces if p]

    return split


class Chunker:
    """Splits loaded documents into chunks of at most ``max_tokens`` tokens."""

    def __init__(
        self,
        max_tokens: int = 200,
        overlap: int = 40,
        counter: TokenCounter | None = None,
        splitter: Splitter | None = None,
    ) -> None:
        if overlap >= max_tokens:
            raise ValueError("the overlap must be smaller than the chunk size")
        self.max_tokens = max_tokens
        self.overlap = overlap
        self._count = counter or minilm_counter()
        self._split = splitter or minilm_splitter()

    @property
    def signature(self) -> str:
        """Changes whenever the same file would be chunked differently."""
        return f"v{CHUNKER_VERSION}:{self.max_tokens}:{self.overlap}"

    def chunk(self, document: Document) -> list[Chunk]:
        chunks: list[Chunk] = []
        offset = 0
        for section in document.sections:
            for position, text in self._pack(section.text):
                chunks.append(Chunk(text, section.heading, offset + position, section.page))
            offset += len(section.text) + 2  # sections are joined by a blank line
        return chunks

    def _pack(self, text: str) -> list[tuple[int, str]]:
        sentences = self._fit(split_sentences(text))
        if not sentences:
            return []
        sizes = self._count([s for _, s in sentences])
        packed: list[tuple[int, str]] = []
        current: list[int] = []  # indexes into sentences
        used = 0
        for i, size in enumerate(sizes):
            if current and used + size > self.max_tokens:
                packed.append(self._join(text, sentences, current))
                current = self._tail(current, sizes, budget=self.max_tokens - size)
                used = sum(sizes[j] for j in current)
            current.append(i)
            used += size
        packed.append(self._join(text, sentences, current))
        return packed

    def _tail(self, current: list[int], sizes: list[int], budget: int) -> list[int]:
        """Trailing sentences of the finished chunk that fit in the overlap."""
        tail: list[int] = []
        used = 0
        for j in reversed(current):
            if used + sizes[j] > min(self.overlap, budget):
                break
            tail.insert(0, j)
            used += sizes[j]
        return tail

    def _fit(self, sentences: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """Cut sentences longer than a chunk into token windows."""
        sizes = self._count([s for _, s in sentences]) if sentences else []
        fitted: list[tuple[int, str]] = []
        for (position, sentence), size in zip(sentences, sizes, strict=True):
            if size <= self.max_tokens:
                fitted.append((position, sentence))
                continue
            cursor = 0
            for piece in self._split(sentence, self.max_tokens):
                cursor = sentence.find(piece, cursor)
                fitted.append((position + max(cursor, 0), piece))
        return fitted

    @staticmethod
    def _join(text: str, sentences: list[tuple[int, str]], indexes: list[int]) -> tuple[int, str]:
        start = sentences[indexes[0]][0]
        last_pos, last = sentences[indexes[-1]]
        # The original text between the sentences keeps line breaks and CJK spacing intact.
        return start, text[start : last_pos + len(last)]
