"""``advisor rag``: build, query, evaluate and manage knowledge bases."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel

from advisor.cli import context
from advisor.cli.confirm import confirm
from advisor.cli.context import t
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json, progress_bar
from advisor.data.texts import label_in
from advisor.errors import DataFileError, UserInputError

rag_app = typer.Typer(
    help="Knowledge bases for the RAG route: index documents, query, evaluate retrieval.",
    no_args_is_help=True,
)

KB_OPTION: Any = typer.Option(..., "--kb", help="Knowledge base name (lowercase, - and _).")
URL_OPTION: Any = typer.Option(
    None,
    "--chroma-url",
    help="Chroma server, e.g. http://127.0.0.1:8000; default: embedded Chroma in the data dir.",
)
WHERE_OPTION: Any = typer.Option(
    None, "--where", help="Metadata filter KEY=VALUE (repeatable), e.g. file_name=returns.md."
)


class EvalQuestion(BaseModel):
    question: str
    source: str


class EvalMiss(BaseModel):
    question: str
    expected: str
    retrieved: list[str]


class EvalReport(BaseModel):
    kb: str
    questions: int
    k: int
    hit_rate: float
    mrr: float
    misses: list[EvalMiss]


def parse_where(items: list[str] | None) -> dict[str, Any] | None:
    """``KEY=VALUE`` pairs as a Chroma filter; integers stay integers (``page=3``)."""
    if not items:
        return None
    clauses: list[dict[str, Any]] = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserInputError.from_catalog(
                "rag.bad_where", hint_key="rag.bad_where_hint", item=repr(item)
            )
        clauses.append({key: int(value) if value.lstrip("-").isdigit() else value})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class _Bar:
    """A progress bar on stderr for ``progress(done, total, label)`` callbacks."""

    def __init__(self, enabled: bool, title: str) -> None:
        self.enabled = enabled and sys.stderr.isatty()  # no bar frames in logs or pipes
        self.title = title
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Bar:
        return self

    def __call__(self, done: int, total: int, label: str) -> None:
        # Drawn at the first report, not on entering: input refused before any work
        # (a mistyped path) then shows its error alone, with no bar flashed before it.
        if self.enabled and self._bar is None:
            self._bar = progress_bar(transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task(self.title, total=None)
        if self._bar is not None:
            description = f"{self.title} {label_in(label, context.lang())}"[:60]
            self._bar.update(
                self._task, completed=done, total=total or None, description=description
            )

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def shown(source: str) -> str:
    """A source path relative to the working directory when it is below it."""
    path = Path(source)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return source


@rag_app.command("index")
def index(
    paths: list[Path] = typer.Argument(..., help="Files or folders (.md .txt .html .pdf .docx)."),
    kb: str = KB_OPTION,
    chroma_url: str | None = URL_OPTION,
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop the index and embed everything."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Index documents; unchanged files are skipped, vanished ones deleted."""
    from advisor.rag import KnowledgeBase

    knowledge_base = KnowledgeBase(kb, context.settings(), chroma_url)
    cancel = threading.Event()
    with _Bar(fmt is OutputFormat.text, t("rag.indexing")) as bar:
        try:
            report = knowledge_base.index(paths, progress=bar, cancel=cancel, rebuild=rebuild)
        except KeyboardInterrupt:
            cancel.set()
            raise
    if fmt is OutputFormat.json:
        print_json(report)
        return
    echo(
        t(
            "rag.indexed",
            kb=report.kb,
            files=report.files,
            chunks=report.chunks,
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            deleted=report.deleted,
            seconds=f"{report.seconds:.1f}",
        )
    )
    for skip in report.skipped:
        echo("  " + t("rag.skipped", path=shown(skip.path), reason=skip.said()))
    if report.files == 0 and not report.skipped:
        # An empty or mistyped folder indexes "successfully" into an empty knowledge base.
        echo(t("rag.no_files", paths=", ".join(str(p) for p in paths)), err=True)


@rag_app.command("query")
def query(
    question: str = typer.Argument(..., help="The question to retrieve chunks for."),
    kb: str = KB_OPTION,
    k: int = typer.Option(5, "--k", "-k", min=1, max=100, help="Chunks to return."),
    where: list[str] | None = WHERE_OPTION,
    chroma_url: str | None = URL_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Show the chunks nearest QUESTION, nearest first."""
    from advisor.rag import KnowledgeBase, QueryResult

    knowledge_base = KnowledgeBase(kb, context.settings(), chroma_url)
    hits = knowledge_base.query(question, k, parse_where(where))
    if fmt is OutputFormat.json:
        print_json(QueryResult(hits=hits))
        return
    if not hits:
        echo(t("rag.no_chunks"))
    for number, hit in enumerate(hits, start=1):
        where_text = f" ({hit.heading})" if hit.heading else ""
        distance = t("rag.distance", distance=f"{hit.distance:.3f}")
        echo(f"[{number}] {shown(hit.chunk_id)}{where_text}  {distance}")
        echo("    " + " ".join(hit.text.split())[:300])


def load_questions(path: Path) -> list[EvalQuestion]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise DataFileError.from_catalog(
            "core.cli.questions_unreadable", path=str(path), error=exc.strerror
        ) from exc
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            questions.append(
                EvalQuestion(
                    question=record["question"],
                    source=record.get("source") or record["expected_source"],
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise DataFileError.from_catalog(
                "core.cli.question_line",
                hint_key="core.cli.question_line_hint",
                path=str(path),
                line=number,
                example='{"question": "...", "source": "file.md"}',
            ) from exc
    if not questions:
        raise DataFileError.from_catalog("core.cli.no_questions", path=str(path))
    return questions


def matches(expected: str, source: str) -> bool:
    """A source matches by full path, or by its trailing path parts (``docs/a.md``)."""
    want = Path(expected).parts
    return Path(source).parts[-len(want) :] == want


@rag_app.command("eval")
def evaluate(
    kb: str = KB_OPTION,
    questions: Path = typer.Option(
        ..., "--questions", help='JSONL: {"question": ..., "source": expected file}.'
    ),
    k: int = typer.Option(5, "--k", "-k", min=1, max=100, help="Chunks retrieved per question."),
    chroma_url: str | None = URL_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Retrieval quality: hit rate@k and mean reciprocal rank of the expected source."""
    from advisor.rag import KnowledgeBase

    asked = load_questions(questions)
    knowledge_base = KnowledgeBase(kb, context.settings(), chroma_url)
    found = knowledge_base.query_many([q.question for q in asked], k)
    hits = 0
    reciprocal = 0.0
    misses: list[EvalMiss] = []
    for item, results in zip(asked, found, strict=True):
        sources = [h.source for h in results]
        rank = next((i for i, s in enumerate(sources, 1) if matches(item.source, s)), None)
        if rank is None:
            misses.append(EvalMiss(question=item.question, expected=item.source, retrieved=sources))
            continue
        hits += 1
        reciprocal += 1 / rank
    report = EvalReport(
        kb=kb,
        questions=len(asked),
        k=k,
        hit_rate=round(hits / len(asked), 4),
        mrr=round(reciprocal / len(asked), 4),
        misses=misses,
    )
    if fmt is OutputFormat.json:
        print_json(report)
        return
    echo(
        t(
            "rag.eval",
            kb=kb,
            k=k,
            rate=f"{report.hit_rate:.0%}",
            mrr=f"{report.mrr:.3f}",
            count=len(asked),
        )
    )
    for miss in misses:
        echo("  " + t("rag.missed", question=miss.question, expected=miss.expected))


@rag_app.command("list")
def list_kbs(chroma_url: str | None = URL_OPTION, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """List knowledge bases with their size and embedding model."""
    from advisor.rag import KnowledgeBase

    infos = KnowledgeBase.survey(context.settings(), chroma_url)
    if fmt is OutputFormat.json:
        print_json({"knowledge_bases": infos})
        return
    if not infos:
        echo(t("rag.none"))
    for info in infos:
        if info.error:
            echo(t("rag.damaged", name=info.name, error=info.error, location=str(info.location)))
            continue
        languages = ", ".join(f"{n} {code}" for code, n in info.languages.items())
        echo(
            t(
                "rag.info",
                name=info.name,
                files=info.sources,
                languages=languages,
                chunks=info.chunks,
                embedding=info.embedding,
                retrieval=info.retrieval,
            )
        )


@rag_app.command("delete")
def delete(
    kb: str = KB_OPTION,
    chroma_url: str | None = URL_OPTION,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a knowledge base (the documents themselves are untouched)."""
    from advisor.rag import KnowledgeBase

    if not yes and sys.stdin.isatty():
        confirm(t("rag.delete_question", kb=kb), abort=True)
    if not KnowledgeBase(kb, context.settings(), chroma_url).delete():
        raise UserInputError.from_catalog("rag.no_kb", hint_key="rag.no_kb_hint", kb=kb)
    echo(t("rag.deleted", kb=kb))


def register(app: typer.Typer) -> None:
    app.add_typer(rag_app, name="rag")
