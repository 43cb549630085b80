"""Spreadsheets (CSV, Excel) as training records, with column mapping.

Business users bring a sheet with a header row; :class:`ColumnMapping` says
which column is the prompt, the answer, the system prompt, or the chosen and
rejected answers.  Unset names are guessed from common headers (prompt,
question, 質問, ...), case-insensitively.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from advisor.data.io import encoding_said, sniff_encoding
from advisor.data.texts import TextFileError
from advisor.errors import DataFileError, UserInputError

GUESSES: dict[str, tuple[str, ...]] = {
    "prompt": ("prompt", "question", "input", "instruction", "user", "query", "質問", "入力"),
    "response": (
        "response",
        "answer",
        "output",
        "completion",
        "assistant",
        "reply",
        "回答",
        "出力",
    ),
    "system": ("system", "system_prompt", "システム"),
    "chosen": ("chosen", "preferred", "preferred_output", "good"),
    "rejected": ("rejected", "non_preferred", "non_preferred_output", "bad"),
}


class ColumnMapping(BaseModel):
    """Which header names hold which part of an example (None: guess)."""

    prompt: str | None = None
    response: str | None = None
    system: str | None = None
    chosen: str | None = None
    rejected: str | None = None

    def resolve(self, headers: list[str]) -> ColumnMapping:
        """Fill unset names from ``headers``; a name given but absent is an error."""
        lower = {h.strip().lower(): h for h in headers if isinstance(h, str)}
        found: dict[str, str | None] = {}
        for field, guesses in GUESSES.items():
            given = getattr(self, field)
            if given is not None:
                if given not in headers and given.lower() not in lower:
                    raise UserInputError.from_catalog(
                        "core.tabular.no_column",
                        hint_key="core.tabular.no_column_hint",
                        name=repr(given),
                        columns=", ".join(map(str, headers)),
                    )
                found[field] = given if given in headers else lower[given.lower()]
            else:
                found[field] = next((lower[g] for g in guesses if g in lower), None)
        return ColumnMapping(**found)


def read_table(
    path: Path, kind: str, *, encoding: str | None = None, sheet: str | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows as dicts keyed by the header row; the number is the spreadsheet row (header = 1)."""
    if kind == "xlsx":
        yield from _read_xlsx(path, sheet)
    else:
        yield from _read_csv(path, encoding)


def _read_csv(path: Path, encoding: str | None) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError.from_catalog(
            "core.streams.cannot_open", path=str(path), error=exc.strerror
        ) from exc
    if encoding is None:
        found = sniff_encoding(raw[: 1 << 16])
        if found is not None:
            raise TextFileError(encoding_said(found), path=str(path))
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataFileError.from_catalog(
            "core.tabular.cannot_decode", path=str(path), encoding=encoding
        ) from exc
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    for row in reader:
        yield reader.line_num, {k: v for k, v in row.items() if k is not None}


def _read_xlsx(path: Path, sheet: str | None) -> Iterator[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise DataFileError.from_catalog(
            "core.tabular.cannot_read_workbook", path=str(path), error=str(exc)
        ) from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise UserInputError.from_catalog(
                "core.tabular.no_sheet",
                hint_key="core.tabular.no_sheet_hint",
                name=repr(sheet),
                sheets=", ".join(book.sheetnames),
            )
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        names = [
            str(h).strip() if h is not None else f"column{i + 1}" for i, h in enumerate(header)
        ]
        for number, values in enumerate(rows, start=2):
            if all(v is None for v in values):
                continue
            yield (
                number,
                {
                    name: (str(v) if v is not None and not isinstance(v, str) else v)
                    for name, v in zip(names, values, strict=False)
                },
            )
    finally:
        book.close()
