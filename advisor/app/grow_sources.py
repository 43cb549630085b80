"""What ``advisor data grow`` drafts from: training examples, test prompts, chunks, prompts.

Every reader raises one :class:`~advisor.errors.DataFileError` or
:class:`~advisor.errors.UserInputError` sentence (with the line where there is
one), so the CLI exits 2 on bad input before the teacher is called.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from advisor.data.drafts import prompt_of
from advisor.data.io import EncodingProblem, iter_lines, read_records
from advisor.data.streams import display_name
from advisor.errors import DataFileError, UserInputError

if TYPE_CHECKING:
    from advisor.settings import Settings


@dataclass(frozen=True)
class TrainExample:
    line: int
    messages: list[dict[str, Any]]  # up to and including the last user message
    prompt: str  # the last user message: what a paraphrase rewrites


@dataclass(frozen=True)
class DocChunk:
    source: str  # <doc path>#<chunk number>
    text: str


def load_train(path: Path) -> list[TrainExample]:
    """The chat examples of a training file that end in a user turn and an answer."""
    examples: list[TrainExample] = []
    for line, record in read_records(path):
        messages = record.get("messages") if isinstance(record, dict) else None
        if not isinstance(messages, list):
            continue
        users = [
            i
            for i, m in enumerate(messages)
            if isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), str)
        ]
        if users and messages[users[-1]]["content"].strip():
            head = [dict(m) for m in messages[: users[-1] + 1]]
            examples.append(TrainExample(line, head, messages[users[-1]]["content"]))
    if not examples:
        raise DataFileError.from_catalog(
            "core.grow.no_chat_examples",
            hint_key="core.grow.no_chat_examples_hint",
            path=display_name(path),
            example='{"messages": [...]}',
        )
    return examples


def common_system(examples: list[TrainExample]) -> str | None:
    """The system prompt most training examples share, for drafts that have none."""
    systems = Counter(
        m["content"]
        for e in examples
        for m in e.messages[:1]
        if m.get("role") == "system" and isinstance(m.get("content"), str)
    )
    return systems.most_common(1)[0][0] if systems else None


def load_prompts(path: Path) -> list[tuple[int, str]]:
    """``(line, prompt)`` of a test set or training file (messages, prompt, input, question)."""
    found = [(line, p) for line, record in read_records(path) if (p := prompt_of(record))]
    if not found:
        raise DataFileError.from_catalog(
            "core.grow.no_prompts", hint_key="core.grow.no_prompts_hint", path=display_name(path)
        )
    return found


def load_distill_prompts(path: Path) -> list[tuple[int, str]]:
    """Real prompts to distil: plain text (one per line) or JSON lines as in a test set."""
    found: list[tuple[int, str]] = []
    try:
        for line, raw in iter_lines(path, None):
            text = raw.decode("utf-8", errors="replace").strip()
            if text and (prompt := prompt_of(_distill_record(text, path, line))):
                found.append((line, prompt))
    except EncodingProblem as exc:
        raise exc.error(display_name(path)) from exc
    if not found:
        raise DataFileError.from_catalog(
            "core.grow.no_prompts",
            hint_key="core.grow.one_prompt_per_line",
            path=display_name(path),
        )
    return found


def _distill_record(text: str, path: Path, line: int) -> Any:
    if not text.startswith("{"):
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise DataFileError.from_catalog(
            "core.grow.invalid_json",
            hint_key="core.grow.invalid_json_hint",
            path=display_name(path),
            line=line,
            error=str(exc),
        ) from exc


def load_chunks(docs: str, settings: Settings) -> list[DocChunk]:
    """The chunks of a document folder or file (chunked as ``advisor rag index`` does),
    or the stored chunks of the knowledge base named ``docs``."""
    path = Path(docs).expanduser()
    if path.exists():
        return _chunk_files(path, settings)
    from advisor.rag.knowledge_base import NAME, KnowledgeBase

    kb = KnowledgeBase(docs, settings) if NAME.fullmatch(docs) else None
    if kb is None or not kb.exists():
        raise UserInputError.from_catalog(
            "core.grow.no_docs", hint_key="core.grow.no_docs_hint", docs=docs
        )
    stored = kb.stored_chunks()
    return [DocChunk(f"{source}#{number}", text) for source, number, text in stored]


def _chunk_files(path: Path, settings: Settings) -> list[DocChunk]:
    from advisor.rag.chunking import Chunker
    from advisor.rag.indexing import discover
    from advisor.rag.loaders import LoadError, load

    files, _, _ = discover([path])
    chunker = Chunker(settings.chroma.chunk_tokens, settings.chroma.chunk_overlap)
    chunks: list[DocChunk] = []
    for file in files:
        try:
            document = load(file)
        except LoadError:
            continue  # `advisor rag index` reports unreadable files; drafting skips them
        shown = _shown(file)
        for number, chunk in enumerate(chunker.chunk(document)):
            text = f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text
            chunks.append(DocChunk(f"{shown}#{number}", text))
    if not chunks:
        raise UserInputError.from_catalog(
            "core.grow.no_text", hint_key="core.grow.no_text_hint", docs=str(path)
        )
    return chunks


def _shown(file: Path) -> str:
    try:
        return str(file.relative_to(Path.cwd()))
    except ValueError:
        return str(file)
