"""Document loaders: text with its headings, and a note for every part that failed.

A loader never fails the whole indexing run.  A file that cannot be opened at
all raises :class:`LoadError` (the indexer reports it and moves on); a part that
cannot be read (a PDF page, an undecodable byte run) becomes a ``problem`` and
the rest of the file is kept.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

from advisor import messages

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx")


class LoadError(Exception):
    """The whole file is unreadable; the message (a catalog key) says why in a few words."""

    def __init__(self, key: str, **values: Any) -> None:
        self.sentence = messages.Localized(key, values)
        super().__init__(str(self.sentence))


class LoadProblem(str):
    """A part of a file that could not be read: the English sentence (a ``str``, as
    reports and tests read it) that keeps its catalog sentence for other languages."""

    sentence: messages.Localized

    def __new__(cls, key: str, **values: Any) -> LoadProblem:
        sentence = messages.Localized(key, values)
        problem = super().__new__(cls, str(sentence))
        problem.sentence = sentence
        return problem


@dataclass
class Section:
    """Text under one heading (``heading`` is the path, e.g. ``Install > Linux``)."""

    text: str
    heading: str = ""
    page: int | None = None


@dataclass
class Document:
    path: Path
    sections: list[Section] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections)


def load(path: Path) -> Document:
    """Load one file by its suffix.

    Raises:
        LoadError: unsupported type, or nothing of the file could be read.
    """
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise LoadError("core.rag.skip.unsupported", suffix=suffix or "(none)")
    try:
        document = loader(path)
    except LoadError:
        raise
    except OSError as exc:
        raise LoadError("core.rag.skip.cannot_read_file", error=exc.strerror or exc) from exc
    except Exception as exc:  # vendor parsers raise anything on corrupt files
        problem = f"{type(exc).__name__}: {exc}"
        raise LoadError("core.rag.skip.cannot_parse", error=problem) from exc
    document.sections = [s for s in document.sections if s.text.strip()]
    return document


def decode(data: bytes, problems: list[LoadProblem]) -> str:
    """UTF-8 (with or without BOM); Shift_JIS (CP932) only for a file that reads as
    Japanese in it; otherwise UTF-8 with the bad bytes replaced and reported by line.

    A UTF-8 file with a stray byte must not be re-read as CP932: that "succeeds"
    and turns the whole file into mojibake without a word.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 127) - bad
    if valid < bad:  # mostly not UTF-8: a legacy Japanese file?
        try:
            legacy = data.decode("cp932")
        except UnicodeDecodeError:
            legacy = ""
        if len(_KANA.findall(legacy)) >= 2:
            return legacy
    line = data.count(b"\n", 0, first_bad) + 1
    problems.append(LoadProblem("core.rag.skip.bad_bytes", line=line, count=bad))
    return text


_KANA = re.compile(r"[\u3041-\u30ff]")


Trail = list[tuple[int, str]]


def _push(trail: Trail, level: int, title: str) -> None:
    """Enter a heading: drop the ones at its level or deeper, then append it."""
    while trail and trail[-1][0] >= level:
        trail.pop()
    trail.append((level, title))


def _path(trail: Trail) -> str:
    return " > ".join(title for _, title in trail)


def _text(path: Path) -> Document:
    document = Document(path)
    document.sections = [Section(decode(path.read_bytes(), document.problems))]
    return document


_ATX = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _markdown(path: Path) -> Document:
    document = Document(path)
    text = decode(path.read_bytes(), document.problems)
    trail: Trail = []
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        if lines:
            document.sections.append(Section("\n".join(lines).strip(), _path(trail)))
            lines.clear()

    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _ATX.match(line)
        if match:
            flush()
            _push(trail, len(match.group(1)), match.group(2))
            continue
        lines.append(line)
    flush()
    return document


class _HTMLText(HTMLParser):
    """Visible text of a page, split into sections at h1-h6."""

    SKIP: ClassVar = frozenset({"script", "style", "noscript", "template", "head"})
    BLOCK: ClassVar = frozenset(
        {"p", "div", "li", "br", "tr", "section", "article", "pre", "table", "ul", "ol"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = []
        self.trail: Trail = []
        self.parts: list[str] = []
        self.heading: list[str] | None = None
        self.level = 0
        self.skipping = 0

    def flush(self) -> None:
        text = re.sub(r"[ \t]+", " ", "".join(self.parts))
        text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
        if text:
            self.sections.append(Section(text, _path(self.trail)))
        self.parts = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.flush()
            self.heading, self.level = [], int(tag[1])
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif re.fullmatch(r"h[1-6]", tag) and self.heading is not None:
            _push(self.trail, self.level, " ".join("".join(self.heading).split()))
            self.heading = None
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        (self.heading if self.heading is not None else self.parts).append(data)


def _html(path: Path) -> Document:
    document = Document(path)
    parser = _HTMLText()
    parser.feed(decode(path.read_bytes(), document.problems))
    parser.close()
    parser.flush()
    document.sections = parser.sections
    return document


def _pdf(path: Path) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    document = Document(path)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise LoadError("core.rag.skip.pdf_encrypted")
        pages = list(reader.pages)
    except PdfReadError as exc:
        raise LoadError("core.rag.skip.bad_pdf", error=exc) from exc
    for number, page in enumerate(pages, start=1):
        with _PdfLog() as log:
            try:
                text = page.extract_text() or ""
            except Exception as exc:  # one bad page must not cost the others
                unreadable = LoadProblem(
                    "core.rag.skip.page_unreadable", page=number, error=type(exc).__name__
                )
                document.problems.append(unreadable)
                continue
        if text.strip():
            document.sections.append(Section(text.strip(), page=number))
        elif log.errors:  # pypdf logs a corrupt stream and returns no text
            problem = LoadProblem("core.rag.skip.page_unreadable", page=number, error=log.errors[0])
            document.problems.append(problem)
        else:
            document.problems.append(LoadProblem("core.rag.skip.page_no_text", page=number))
    return document


class _PdfLog(logging.Handler):
    """Collects what pypdf logs while reading one page, instead of printing it."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self._logger = logging.getLogger("pypdf")

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(record.getMessage().splitlines()[0][:120])

    def __enter__(self) -> _PdfLog:
        self._propagate = self._logger.propagate
        self._logger.addHandler(self)
        self._logger.propagate = False
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
        self._logger.propagate = self._propagate


def _docx(path: Path) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    document = Document(path)
    try:
        source = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise LoadError("core.rag.skip.bad_docx", error=type(exc).__name__) from exc
    trail: Trail = []
    lines: list[str] = []

    def flush() -> None:
        if lines:
            document.sections.append(Section("\n".join(lines), _path(trail)))
            lines.clear()

    for paragraph in source.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = _heading_level(style)
        if level and paragraph.text.strip():
            flush()
            _push(trail, level, paragraph.text.strip())
        elif paragraph.text.strip():
            lines.append(paragraph.text)
    flush()
    for number, table in enumerate(source.tables, start=1):
        try:
            rows = [" | ".join(cell.text.strip() for cell in row.cells) for row in table.rows]
        except Exception as exc:
            problem = LoadProblem(
                "core.rag.skip.table_unreadable", table=number, error=type(exc).__name__
            )
            document.problems.append(problem)
            continue
        document.sections.append(Section("\n".join(rows), f"Table {number}"))
    return document


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    match = re.fullmatch(r"Heading (\d)", style)
    return int(match.group(1)) if match else 0


_LOADERS = {
    ".md": _markdown,
    ".markdown": _markdown,
    ".txt": _text,
    ".html": _html,
    ".htm": _html,
    ".pdf": _pdf,
    ".docx": _docx,
}
