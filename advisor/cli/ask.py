"""``advisor ask``: one question through a route (system prompt, RAG, custom assistant)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from advisor.app.ask import ask as ask_route
from advisor.app.routes import RouteSpec, build_route
from advisor.cli import context
from advisor.cli.context import t
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json, waiting
from advisor.errors import UserInputError

if TYPE_CHECKING:
    from advisor.routes import RouteAnswer


class RouteName(StrEnum):
    system_prompt = "system_prompt"
    rag = "rag"
    custom_assistant = "custom_assistant"


class FewShot(StrEnum):
    fixed = "fixed"
    similar = "similar"


def print_answer(answer: RouteAnswer) -> None:
    """The answer, then its sources: those it cited, else those it was shown."""
    from advisor.cli.rag import shown

    echo(answer.text)
    if not answer.sources:
        return
    numbers = {s.chunk_id: i for i, s in enumerate(answer.sources, start=1)}
    cited = answer.cited_sources
    echo("")
    echo(t("ask.sources") if cited else t("ask.sources_uncited"))
    for source in cited or answer.sources:
        echo(f"  [{numbers[source.chunk_id]}] {shown(source.chunk_id)}")


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
        raise UserInputError.from_catalog("ask.both_instructions")
    from advisor.cli.rag import parse_where

    spec = RouteSpec(
        route=route.value,
        backend=backend,
        model=model,
        instructions=instructions_file or instructions,
        few_shot_file=few_shot_file,
        shots=shots,
        few_shot=few_shot.value,
        kb=kb,
        k=k,
        where=parse_where(where),
        assistant=assistant,
        chroma_url=chroma_url,
    )
    chosen = build_route(spec, context.settings(), context.backend)
    with waiting(lambda: t("chat.waiting")):
        asked = ask_route(
            chosen, question, GenerationParams(temperature=temperature, max_tokens=max_tokens)
        )
    if fmt is OutputFormat.json:
        print_json(asked.result())
        return
    for warning in asked.warnings_in(context.lang()):
        echo(t("warning", warning=warning), err=True)
    print_answer(asked.answer)


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
