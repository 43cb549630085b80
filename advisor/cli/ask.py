"""``advisor ask``: one question through a route (system prompt, RAG, custom assistant)."""

from __future__ import annotations

import threading
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from pydantic import BaseModel, Field

from advisor.cli import context
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json
from advisor.errors import UserInputError

if TYPE_CHECKING:
    from advisor.routes import Route, RouteAnswer


class RouteName(StrEnum):
    system_prompt = "system_prompt"
    rag = "rag"
    custom_assistant = "custom_assistant"


class FewShot(StrEnum):
    fixed = "fixed"
    similar = "similar"


class AskResult(BaseModel):
    """``advisor ask --format json``: the route's answer plus preparation warnings."""

    text: str
    sources: list[dict[str, Any]]
    usage: dict[str, int]
    latency_s: float
    backend: str
    model: str
    route: str
    warnings: list[str] = Field(default_factory=list)


def as_result(answer: RouteAnswer, warnings: list[str]) -> AskResult:
    return AskResult(
        text=answer.text,
        sources=[s.model_dump() for s in answer.sources],
        usage={
            "prompt_tokens": answer.usage.prompt_tokens,
            "completion_tokens": answer.usage.completion_tokens,
            "total_tokens": answer.usage.total_tokens,
        },
        latency_s=round(answer.latency_s, 4),
        backend=answer.backend,
        model=answer.model,
        route=answer.route,
        warnings=warnings,
    )


def print_answer(answer: RouteAnswer) -> None:
    from advisor.cli.rag import shown

    echo(answer.text)
    cited = answer.cited_sources
    if cited:
        echo("")
        echo("sources:")
        numbers = {s.chunk_id: i for i, s in enumerate(answer.sources, start=1)}
        for source in cited:
            echo(f"  [{numbers[source.chunk_id]}] {shown(source.chunk_id)}")
    elif answer.sources:
        echo("")
        echo(f"(no citation; {len(answer.sources)} chunks were retrieved)", err=True)


def ask(
    question: str = typer.Argument(..., help="The question. Use - to read it from stdin."),
    route: RouteName = typer.Option(RouteName.system_prompt, "--route", "-r", help="Route."),
    backend: str | None = typer.Option(None, "--backend", "-b", help="Backend name."),
    model: str | None = typer.Option(None, "--model", "-m", help="Model id (fine-tuned too)."),
    instructions: str | None = typer.Option(
        None, "--instructions", "-i", help="System instructions as text."
    ),
    instructions_file: Path | None = typer.Option(
        None, "--instructions-file", help="System instructions from a text file."
    ),
    few_shot_file: Path | None = typer.Option(
        None, "--few-shot-file", help="Training JSONL to draw few-shot examples from."
    ),
    shots: int = typer.Option(0, "--shots", min=0, max=50, help="Few-shot examples to include."),
    few_shot: FewShot = typer.Option(
        FewShot.fixed, "--few-shot", help="fixed: spread through the file; similar: nearest."
    ),
    kb: str | None = typer.Option(None, "--kb", help="Knowledge base (rag route)."),
    k: int = typer.Option(5, "--k", "-k", min=1, max=50, help="Chunks retrieved (rag route)."),
    where: list[str] | None = typer.Option(
        None, "--where", help="Metadata filter KEY=VALUE for retrieval (repeatable)."
    ),
    assistant: str | None = typer.Option(
        None, "--assistant", "-a", help="Saved assistant (custom_assistant route)."
    ),
    chroma_url: str | None = typer.Option(None, "--chroma-url", help="Chroma server URL."),
    temperature: float = typer.Option(0.0, min=0.0, max=2.0, help="0 means greedy decoding."),
    max_tokens: int | None = typer.Option(None, min=1, help="Cap on generated tokens."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Answer QUESTION through a route, with the sources it cited."""
    import sys

    from backends.types import GenerationParams

    if question == "-":
        question = sys.stdin.read().strip()
    if instructions and instructions_file:
        raise UserInputError("give --instructions or --instructions-file, not both")
    text: str | Path | None = instructions_file or instructions
    chosen: Route
    if route is RouteName.custom_assistant:
        if not assistant:
            raise UserInputError("the custom_assistant route needs --assistant NAME")
        from advisor.routes import AssistantStore, CustomAssistantRoute

        settings = context.settings()
        profile = AssistantStore(settings).get(assistant)
        if backend or model:
            profile = profile.model_copy(
                update={"backend": backend or profile.backend, "model": model or profile.model}
            )
        chosen = CustomAssistantRoute(profile, settings, chroma_url=chroma_url)
    elif route is RouteName.rag:
        if not kb:
            raise UserInputError("the rag route needs --kb NAME", hint="see `advisor rag list`")
        from advisor.cli.rag import parse_where
        from advisor.routes import RagRoute

        chosen = RagRoute(
            context.backend(backend, model=model),
            model,
            kb,
            context.settings(),
            k,
            text,
            chroma_url=chroma_url,
            where=parse_where(where),
        )
    else:
        from advisor.routes import SystemPromptRoute

        chosen = SystemPromptRoute(
            context.backend(backend, model=model),
            model,
            text,
            few_shot_file,
            shots,
            few_shot=few_shot.value,
        )
    answer, warnings = run(
        chosen, question, GenerationParams(temperature=temperature, max_tokens=max_tokens)
    )
    if fmt is OutputFormat.json:
        print_json(as_result(answer, warnings))
        return
    for warning in warnings:
        echo(f"warning: {warning}", err=True)
    print_answer(answer)


def run(route: Route, question: str, params: Any) -> tuple[RouteAnswer, list[str]]:
    """Prepare (cancellable with Ctrl+C) and answer."""
    cancel = threading.Event()
    try:
        report = route.prepare(cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()
        raise
    return route.answer(question, params), list(report.warnings)


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
