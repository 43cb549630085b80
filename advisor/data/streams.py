"""Inputs that may be streams, and outputs that never clobber their input.

Every ``advisor data`` command takes a file, standard input (``-`` or
``/dev/stdin``) or a named pipe.  A stream can be read only once, so nothing
here reopens or seeks it:

* :func:`open_input` hands out one binary handle; single-pass readers sniff the
  encoding from the bytes they already read and carry on from there;
* :func:`reusable` copies a stream once into a private temporary file for the
  commands that read their input twice (clean, split) and yields that path.

Outputs are written through :func:`atomic_output` (a temporary file in the
target folder, renamed into place, so a failure leaves the old file intact) and
checked first with :func:`refuse_overwrite`, which compares resolved paths and
the device and inode of input and output: ``split FILE -o DIR`` with ``FILE``
inside ``DIR`` is refused, not silently truncated.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO

from advisor.errors import DataFileError, UserInputError

STDIN_NAMES = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
COPY_CHUNK = 1 << 20


def display_name(path: Path | str) -> str:
    """How an input is named in messages (``<stdin>`` for ``-``)."""
    return "<stdin>" if str(path) == "-" else str(path)


def is_stream(path: Path | str) -> bool:
    """True for ``-``, ``/dev/stdin`` on a pipe, named pipes and character devices.

    ``/dev/stdin`` redirected from a regular file (``< file``) is a file: it can be
    read twice.
    """
    if str(path) == "-":
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return str(path) in STDIN_NAMES
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def check_input(path: Path | str) -> None:
    """Raise one clear :class:`DataFileError` for a missing file or a folder."""
    if str(path) == "-" or is_stream(path):
        return
    name = display_name(path)
    p = Path(path)
    if p.is_dir():
        raise DataFileError.from_catalog(
            "core.streams.is_folder", hint_key="core.streams.is_folder_hint", path=name
        )
    if not p.exists():
        raise DataFileError.from_catalog(
            "core.streams.no_such_file", hint_key="core.streams.no_such_file_hint", path=name
        )


def open_input(path: Path | str) -> BinaryIO:
    """One binary handle on ``path`` (standard input for ``-``); the caller closes it.

    Closing the handle of ``-`` leaves ``sys.stdin`` open.

    Raises:
        DataFileError: missing file, a folder, or no permission.
    """
    check_input(path)
    if str(path) == "-":
        try:
            return os.fdopen(os.dup(sys.stdin.fileno()), "rb")
        except (AttributeError, OSError, ValueError):
            # A stdin replaced in-process (test runners) has no descriptor.
            return io.BytesIO(sys.stdin.buffer.read())
    try:
        return open(path, "rb")
    except OSError as exc:
        raise DataFileError.from_catalog(
            "core.streams.cannot_open", path=display_name(path), error=exc.strerror
        ) from exc


@contextlib.contextmanager
def reusable(path: Path | str) -> Iterator[Path]:
    """A path that can be read as often as needed: ``path`` itself, or for a stream
    a private copy (read once from the stream) that is removed afterwards."""
    check_input(path)
    if not is_stream(path):
        yield Path(path)
        return
    with tempfile.TemporaryDirectory(prefix="advisor-stdin-") as folder:
        copy = Path(folder) / "input"
        with open_input(path) as source, open(copy, "wb") as target:
            shutil.copyfileobj(source, target, COPY_CHUNK)
        yield copy


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def refuse_overwrite(inputs: Iterable[Path | str], outputs: Iterable[Path | str]) -> None:
    """Raise :class:`UserInputError` when an output is an input or is not a plain file path.

    Compares resolved paths and (device, inode), so links and ``/dev/stdin``
    redirected from the output file are caught too.
    """
    sources = [Path(p) for p in inputs if str(p) != "-"]
    for out in map(Path, outputs):
        if str(out) == "-" or is_stream(out) or out.is_dir():
            raise UserInputError.from_catalog(
                "core.streams.output_not_a_file",
                hint_key="core.streams.output_not_a_file_hint",
                path=str(out),
            )
        found = _identity(out)
        for src in sources:
            same = out.resolve() == src.resolve() or (found is not None and found == _identity(src))
            if same:
                raise UserInputError.from_catalog(
                    "core.streams.output_is_input",
                    hint_key="core.streams.output_is_input_hint",
                    path=str(out),
                )


def output_folder(path: Path | str) -> Path:
    """The folder of an output file, created if needed.

    Raises:
        UserInputError: it cannot be created (a file is in the way, no permission).
    """
    folder = Path(path).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserInputError.from_catalog(
            "core.streams.cannot_create_folder",
            hint_key="core.streams.writable_folder_hint",
            folder=str(folder),
            name=Path(path).name,
            error=exc.strerror,
        ) from exc
    return folder


FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


@contextlib.contextmanager
def atomic_output(path: Path | str, mode: str = "wb") -> Iterator[IO[Any]]:
    """Write ``path`` through a temporary file in its folder, renamed into place.

    On any failure the temporary file is removed and ``path`` keeps its old content.

    Raises:
        UserInputError: the folder cannot be created or written, or the disk is full.
    """
    target = Path(path)
    folder = output_folder(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UserInputError.from_catalog(
            "core.streams.cannot_write_in",
            hint_key="core.streams.writable_folder_hint",
            folder=str(folder),
            error=exc.strerror,
        ) from exc
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.errno in FULL or exc.filename in (tmp, str(target)):
            raise UserInputError.from_catalog(
                "core.streams.cannot_write",
                hint_key="core.streams.cannot_write_hint",
                path=str(target),
                error=exc.strerror,
            ) from exc
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
