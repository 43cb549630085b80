"""Reading and writing training files: encodings, JSONL lines, JSON arrays.

Lines are handed out as UTF-8 ``bytes`` without the line end (LF or CRLF), so
the validator can parse them without decoding twice.  A file that is not UTF-8
is recognised (UTF-16 by its BOM or NUL pattern, Shift_JIS/CP932 by a trial
decode) and named in one :class:`EncodingProblem`, unless the caller passes the
encoding explicitly; then every line is transcoded to UTF-8 on the fly.

Nothing here reads a whole file into memory except :func:`read_records` for
JSON array files (``.json``), which cannot be streamed line by line.
"""

from __future__ import annotations

import codecs
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from advisor.errors import DataFileError

CHUNK = 1 << 20
SNIFF = 1 << 16
UTF8_BOM = codecs.BOM_UTF8


class EncodingProblem(Exception):
    """The file is not UTF-8; ``encoding`` names what it looks like (or is None)."""

    def __init__(self, encoding: str | None, line: int, message: str) -> None:
        self.encoding = encoding
        self.line = line
        self.message = message
        super().__init__(message)


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


def encoding_message(encoding: str | None) -> str:
    if encoding is None:
        return "the file is not valid UTF-8; save it as UTF-8 or pass --encoding NAME"
    name = ENCODING_NAMES.get(encoding, encoding)
    return (
        f"the file is encoded in {name}, not UTF-8; save it as UTF-8 "
        f"(e.g. iconv -f {encoding.upper()} -t UTF-8) or pass --encoding {encoding}"
    )


def iter_lines(path: Path, encoding: str | None = None) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_number, utf8_bytes)`` for every line, 1-based, line ends removed.

    Blank lines are yielded too (as ``b""`` or whitespace) so callers can report them.

    Raises:
        DataFileError: the file cannot be opened.
        EncodingProblem: ``encoding`` is None and the file is not UTF-8 as a whole
            (UTF-16, Shift_JIS); single bad lines in a UTF-8 file are yielded as they are
            and fail later at decoding.
    """
    for first, lines in iter_batches(path, encoding):
        yield from enumerate(lines, first)


def iter_batches(
    path: Path, encoding: str | None = None, *, keep_ends: bool = False
) -> Iterator[tuple[int, list[bytes]]]:
    """The lines of :func:`iter_lines` a chunk at a time: ``(number of the first, lines)``.

    Hot loops use this to avoid a generator step per line.  With ``keep_ends`` the
    lines keep their line end (the last one gets ``\\n`` if it had none), which
    saves a copy of every line for callers that ignore surrounding whitespace.
    """
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        raise DataFileError(f"cannot open the file ({exc.strerror})", path=str(path)) from exc
    try:
        head = handle.read(SNIFF)
        if encoding is not None and _is_foreign(encoding, path):
            handle.seek(0)
            yield from _transcoded(handle, encoding, path)
            return
        if encoding is None:
            found = sniff_encoding(head)
            if found is not None:
                raise EncodingProblem(found, 1, encoding_message(found))
        if keep_ends:
            handle.seek(len(UTF8_BOM) if head.startswith(UTF8_BOM) else 0)
            yield from _with_ends(handle)
            return
        if head.startswith(UTF8_BOM):
            head = head[len(UTF8_BOM) :]
        yield from _split(head, handle)
    finally:
        handle.close()


def _is_foreign(encoding: str, path: Path) -> bool:
    try:
        return codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig")
    except LookupError as exc:
        raise DataFileError(
            f"unknown encoding {encoding!r}", path=str(path), hint="try utf-8, cp932 or utf-16"
        ) from exc


def _split(head: bytes, handle: io.BufferedReader) -> Iterator[tuple[int, list[bytes]]]:
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
    handle: io.BufferedReader, encoding: str, path: Path
) -> Iterator[tuple[int, list[bytes]]]:
    text = io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline=None)
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
            encoding, number + 1, f"the file is not valid {encoding} near line {number + 1}"
        ) from exc
    if batch:
        yield number - len(batch) + 1, batch


def open_check(path: Path, encoding: str | None) -> None:
    """Raise :class:`DataFileError` now if ``path`` is missing or in the wrong encoding."""
    try:
        for _ in iter_lines(path, encoding):
            break
    except EncodingProblem as exc:
        raise DataFileError(exc.message, path=str(path), line=exc.line) from exc


def read_jsonl(
    path: Path,
    encoding: str | None = None,
    *,
    on_invalid: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, object)`` for every non-blank line of a JSONL file.

    With ``on_invalid``, lines that are not JSON are passed to it and skipped
    instead of raising.

    Raises:
        DataFileError: unreadable file, wrong encoding or invalid JSON (with the line).
    """
    try:
        for number, raw in iter_lines(path, encoding):
            if not raw.strip():
                continue
            try:
                yield number, orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                if on_invalid is not None:
                    on_invalid(number)
                    continue
                raise DataFileError(
                    f"invalid JSON ({exc.msg})",
                    path=str(path),
                    line=number,
                    hint="run `advisor data validate` to see every problem",
                ) from exc
    except EncodingProblem as exc:
        raise DataFileError(exc.message, path=str(path), line=exc.line) from exc


def read_records(path: Path, encoding: str | None = None) -> Iterator[tuple[int, Any]]:
    """Records of a JSONL file, or of a JSON file holding one array of objects.

    For a JSON array the "line" is the 1-based index of the record in the array.
    """
    with open(path, "rb") as handle:
        start = handle.read(SNIFF).lstrip(UTF8_BOM).lstrip()
    if start.startswith(b"["):
        data = _load_json(path, encoding)
        if not isinstance(data, list):
            raise DataFileError("expected a JSON array of records", path=str(path))
        yield from enumerate(data, start=1)
    else:
        yield from read_jsonl(path, encoding)


def _load_json(path: Path, encoding: str | None) -> Any:
    raw = path.read_bytes()
    if encoding is None:
        found = sniff_encoding(raw[:SNIFF])
        if found is not None:
            raise DataFileError(encoding_message(found), path=str(path))
        text = raw.decode("utf-8-sig", errors="strict")
    else:
        text = raw.decode(encoding)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        line = text.count("\n", 0, exc.pos) + 1
        raise DataFileError(f"invalid JSON ({exc.msg})", path=str(path), line=line) from exc


def dumps_line(record: Any) -> bytes:
    """One JSONL line (UTF-8, non-ASCII kept readable, no spaces)."""
    return orjson.dumps(record) + b"\n"


def write_jsonl(path: Path, records: Iterable[Any]) -> int:
    """Write records atomically (temporary file, then rename); returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for record in records:
                out.write(dumps_line(record))
                count += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
