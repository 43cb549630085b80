"""Byte offsets of every line of a file, so that any page is read without the rest.

Indexing streams the file once in 1 MiB chunks and keeps 8 bytes a line (the
offset of each line start); no line is decoded or parsed.  :meth:`LineIndex.read`
then seeks to a line and reads just its bytes.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from pathlib import Path

from advisor.errors import DataFileError

CHUNK = 1 << 20


def line_hash(raw: bytes) -> str:
    """The identity of a line's content (line end and surrounding blanks ignored)."""
    return hashlib.blake2b(raw.strip(), digest_size=8).hexdigest()


class LineIndex:
    """1-based lines of ``path``: ``read(n)`` returns line ``n`` without its line end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.starts = array("q")
        self.size = 0
        self.mtime_ns = 0
        self.build()

    def build(self) -> None:
        """(Re)index the file: one streaming pass, no parsing."""
        starts = array("q")
        try:
            with open(self.path, "rb") as handle:
                info = os.fstat(handle.fileno())
                offset = 0
                pending = False  # the last chunk ended inside a line
                while chunk := handle.read(CHUNK):
                    if not pending:
                        starts.append(offset)
                    at = chunk.find(b"\n")
                    while at >= 0:
                        if at + 1 < len(chunk):
                            starts.append(offset + at + 1)
                        at = chunk.find(b"\n", at + 1)
                    pending = not chunk.endswith(b"\n")
                    offset += len(chunk)
        except OSError as exc:
            raise DataFileError.from_catalog(
                "core.data.review.cannot_read_file", path=str(self.path), error=exc.strerror
            ) from exc
        self.starts, self.size, self.mtime_ns = starts, offset, info.st_mtime_ns

    def __len__(self) -> int:
        return len(self.starts)

    def changed(self) -> bool:
        """True when the file on disk is no longer the one indexed."""
        try:
            info = os.stat(self.path)
        except OSError:
            return True
        return info.st_size != self.size or info.st_mtime_ns != self.mtime_ns

    def read(self, number: int) -> bytes:
        """Line ``number`` (1-based) without its line end."""
        return self.read_range(number, number)[0]

    def read_range(self, first: int, last: int) -> list[bytes]:
        """Lines ``first`` to ``last`` (1-based, inclusive), one seek and one read."""
        if first < 1 or last > len(self) or first > last:
            raise IndexError(f"lines {first}-{last} of {len(self)}")
        begin = self.starts[first - 1]
        end = self.starts[last] if last < len(self) else self.size
        with open(self.path, "rb") as handle:
            handle.seek(begin)
            data = handle.read(end - begin)
        lines = data.split(b"\n")
        if len(lines) > last - first + 1:
            lines.pop()  # what follows the last line end
        return [line.rstrip(b"\r") for line in lines]
