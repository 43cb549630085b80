"""Reading and writing training files: encodings, JSONL lines, JSON arrays.

Lines are handed out as UTF-8 ``bytes`` without the line end (LF or CRLF), so
the validator can parse them without decoding twice.  A file that is not UTF-8
is recognised (UTF-16 by its BOM or NUL pattern, Shift_JIS/CP932 by a trial
decode) and named in one :class:`EncodingProblem`, unless the caller passes the
encoding explicitly; then every line is transcoded to UTF-8 on the fly.

Nothing here reads a whole file into memory except :func:`read_records` for
JSON array files (``.json``), which cannot be streamed line by line.  Every
reader opens its input once and never seeks, so ``-`` (standard input) and
named pipes read like files (see :mod:`advisor.data.streams`).
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from advisor.data.streams import atomic_output, display_name, open_input
from advisor.data.texts import Said, TextFileError, say
from advisor.errors import DataFileError

CHUNK = 1 << 20
SNIFF = 1 << 16
UTF8_BOM = codecs.BOM_UTF8


class EncodingProblem(Exception):
    """The file is not UTF-8; ``encoding`` names what it looks like (or is None).

    ``said`` is the sentence for people, ``message`` its English rendering.
    """

    def __init__(self, encoding: str | None, line: int, said: Said) -> None:
        self.encoding = encoding
        self.line = line
        self.said = said
        self.message = said.en
        super().__init__(self.message)

    def error(self, path: str) -> DataFileError:
        """The user error for ``path``: its sentence follows the language switch."""
        return TextFileError(self.said, path=path, line=self.line)


def sniff_encoding(head: bytes) -> str | None:
    """The encoding ``head`` (the first bytes of a file) is in, if it is not UTF-8.

    Returns ``None`` for UTF-8 (with or without BOM) and plain ASCII.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(UTF8_BOM):
        return None
    # UTF-16 without a BOM: ASCII characters leave every other byte NUL.
    sample = head[:4096]
    if sample and sample.count(0) > len(sample) // 4:
        odd_nuls = sample[1::2].count(0)
        even_nuls = sample[0::2].count(0)
        return "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
    try:
        # A multi-byte sequence cut at the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return None
    except UnicodeDecodeError:
        pass
    try:
        text = head.decode("cp932", errors="strict")
    except UnicodeDecodeError:
        # The last character may be cut in half by the sample boundary.
        try:
            text = head[:-1].decode("cp932", errors="strict")
        except UnicodeDecodeError:
            return None
    if any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text):
        return "cp932"
    return None


ENCODING_NAMES = {
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 (little-endian, no BOM)",
    "utf-16-be": "UTF-16 (big-endian, no BOM)",
    "cp932": "Shift_JIS (CP932)",
}


def encoding_said(encoding: str | None) -> Said:
    """What to tell people about a file in ``encoding`` (None: not UTF-8, unknown)."""
    if encoding is None:
        return say("encoding_error.not_utf8")
    name = ENCODING_NAMES.get(encoding, encoding)
    return say("encoding_error.named", name=name, upper=encoding.upper(), encoding=encoding)


def iter_lines(
    path: Path, encoding: str | None = None, *, handle: BinaryIO | None = None
) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_number, utf8_bytes)`` for every line, 1-based, line ends removed.

    Blank lines are yielded too (as ``b""`` or whitespace) so callers can report them.

    Raises:
        DataFileError: the file cannot be opened.
        EncodingProblem: ``encoding`` is None and the file is not UTF-8 as a whole
            (UTF-16, Shift_JIS); single bad lines in a UTF-8 file are yielded as they are
            and fail later at decoding.
    """
    for first, lines in iter_batches(path, encoding, handle=handle):
        yield from enumerate(lines, first)


def iter_batches(
    path: Path,
    encoding: str | None = None,
    *,
    keep_ends: bool = False,
    handle: BinaryIO | None = None,
) -> Iterator[tuple[int, list[bytes]]]:
    """The lines of :func:`iter_lines` a chunk at a time: ``(number of the first, lines)``.

    Hot loops use this to avoid a generator step per line.  With ``keep_ends`` the
    lines keep their line end (the last one gets ``\\n`` if it had none), which
    saves a copy of every line for callers that ignore surrounding whitespace.
    ``path`` may be ``-`` (standard input) or a pipe: it is opened once and read
    once (``handle``, when given, is read instead and left open).

    Raises:
        DataFileError: missing file, a folder, or no permission.
        EncodingProblem: as :func:`iter_lines`.
    """
    own = handle is None
    if handle is None:
        handle = open_input(path)
    try:
        head = _read_head(handle)
        if encoding is not None and _is_foreign(encoding, path):
            yield from _transcoded(_Prefixed(head, handle), encoding, path)
            return
        if encoding is None:
            found = sniff_encoding(head)
            if found is not None:
                raise EncodingProblem(found, 1, encoding_said(found))
        if head.startswith(UTF8_BOM):
            head = head[len(UTF8_BOM) :]
        if keep_ends:
            # The head is already read: a stream cannot seek back to it.
            yield from _with_ends(io.BufferedReader(_Prefixed(head, handle), CHUNK))
            return
        yield from _split(head, handle)
    finally:
        if own:
            handle.close()


def _read_head(handle: BinaryIO) -> bytes:
    """Up to SNIFF bytes: a pipe may hand them out in several smaller reads."""
    head = b""
    while len(head) < SNIFF:
        more = handle.read(SNIFF - len(head))
        if not more:
            break
        head += more
    return head


class _Prefixed(io.RawIOBase):
    """``head`` (bytes already read) followed by the rest of ``handle``: a stream
    is read once and never sought back."""

    def __init__(self, head: bytes, handle: BinaryIO) -> None:
        self._head = memoryview(head)
        self._handle = handle

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._handle.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _is_foreign(encoding: str, path: Path) -> bool:
    try:
        return codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig")
    except LookupError as exc:
        raise DataFileError.from_catalog(
            "core.io.unknown_encoding",
            hint_key="core.io.unknown_encoding_hint",
            path=str(path),
            encoding=repr(encoding),
        ) from exc


def _split(head: bytes, handle: BinaryIO) -> Iterator[tuple[int, list[bytes]]]:
    number = 1
    rest = head
    while True:
        chunk = handle.read(CHUNK)
        data = rest + chunk
        lines = data.split(b"\n")
        rest = lines.pop()  # an unfinished line, or b"" after a final newline
        if not chunk and rest:
            lines.append(rest)
        if b"\r" in data:
            lines = [x[:-1] if x.endswith(b"\r") else x for x in lines]
        if lines:
            yield number, lines
            number += len(lines)
        if not chunk:
            break


def _with_ends(handle: io.BufferedReader) -> Iterator[tuple[int, list[bytes]]]:
    number = 1
    while lines := handle.readlines(CHUNK):
        if not lines[-1].endswith(b"\n"):  # only the file's last line can lack it
            lines[-1] += b"\n"
        yield number, lines
        number += len(lines)


def _transcoded(
    handle: io.RawIOBase, encoding: str, path: Path
) -> Iterator[tuple[int, list[bytes]]]:
    text = io.TextIOWrapper(
        io.BufferedReader(handle, CHUNK), encoding=encoding, errors="strict", newline=None
    )
    number = 0
    batch: list[bytes] = []
    try:
        for line in text:
            number += 1
            batch.append(line.rstrip("\n").lstrip("\ufeff").encode("utf-8"))
            if len(batch) >= 4096:
                yield number - len(batch) + 1, batch
                batch = []
    except UnicodeDecodeError as exc:
        raise EncodingProblem(
            encoding, number + 1, say("encoding_error.near", encoding=encoding, line=number + 1)
        ) from exc
    if batch:
        yield number - len(batch) + 1, batch


def open_check(path: Path, encoding: str | None) -> None:
    """Raise :class:`DataFileError` now if ``path`` is missing or in the wrong encoding."""
    try:
        for _ in iter_lines(path, encoding):
            break
    except EncodingProblem as exc:
        raise exc.error(str(path)) from exc


def read_jsonl(
    path: Path,
    encoding: str | None = None,
    *,
    on_invalid: Callable[[int], None] | None = None,
    handle: BinaryIO | None = None,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, object)`` for every non-blank line of a JSONL file.

    With ``on_invalid``, lines that are not JSON are passed to it and skipped
    instead of raising.

    Raises:
        DataFileError: unreadable file, wrong encoding or invalid JSON (with the line).
    """
    try:
        for number, raw in iter_lines(path, encoding, handle=handle):
            if not raw.strip():
                continue
            try:
                yield number, orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                if on_invalid is not None:
                    on_invalid(number)
                    continue
                raise DataFileError.from_catalog(
                    "core.io.invalid_json",
                    hint_key="core.io.invalid_json_hint",
                    path=display_name(path),
                    line=number,
                    error=exc.msg,
                ) from exc
    except EncodingProblem as exc:
        raise exc.error(display_name(path)) from exc


def read_records(path: Path, encoding: str | None = None) -> Iterator[tuple[int, Any]]:
    """Records of a JSONL file, or of a JSON file holding one array of objects.

    For a JSON array the "line" is the 1-based index of the record in the array.
    The input is opened once and never sought back, so standard input and pipes
    work as files do.
    """
    with open_input(path) as handle:
        head = _read_head(handle)
        if head.lstrip(UTF8_BOM).lstrip().startswith(b"["):
            data = _load_json(head + handle.read(), path, encoding)
            if not isinstance(data, list):
                raise DataFileError.from_catalog("core.io.not_an_array", path=display_name(path))
            yield from enumerate(data, start=1)
            return
        rest = io.BufferedReader(_Prefixed(head, handle), CHUNK)
        yield from read_jsonl(path, encoding, handle=rest)


def _load_json(raw: bytes, path: Path, encoding: str | None) -> Any:
    if encoding is None:
        found = sniff_encoding(raw[:SNIFF])
        if found is not None:
            raise TextFileError(encoding_said(found), path=display_name(path))
        text = raw.decode("utf-8-sig", errors="strict")
    else:
        try:
            text = raw.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise DataFileError.from_catalog(
                "core.io.cannot_decode", path=display_name(path), encoding=encoding
            ) from exc
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        line = text.count("\n", 0, exc.pos) + 1
        raise DataFileError.from_catalog(
            "core.io.invalid_json", path=display_name(path), line=line, error=exc.msg
        ) from exc


def dumps_line(record: Any) -> bytes:
    """One JSONL line (UTF-8, non-ASCII kept readable, no spaces)."""
    return orjson.dumps(record) + b"\n"


def write_jsonl(path: Path, records: Iterable[Any]) -> int:
    """Write records atomically (temporary file, then rename); returns how many."""
    count = 0
    with atomic_output(path) as out:
        for record in records:
            out.write(dumps_line(record))
            count += 1
    return count
