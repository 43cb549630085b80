"""``advisor demo``: the end-to-end tour on the embedded model, no key, no hub."""

from __future__ import annotations

import sys

import typer

from advisor.cli import context
from advisor.cli.output import echo

DEFAULT_QUESTION = (
    "In two sentences: why would a support team give a language model a fixed style guide?"
)


def demo(
    backend: str | None = typer.Option(None, "--backend", "-b", help="Backend to ask."),
    model: str | None = typer.Option(None, "--model", "-m", help="Model id."),
    question: str | None = typer.Option(None, "--question", "-q", help="What to ask."),
) -> None:
    """Ask the embedded local model a question and stream its answer."""
    from backends.types import ChatMessage, GenerationParams

    chosen = context.backend(backend or "local", model=model)
    asked = question or DEFAULT_QUESTION
    echo(f"backend: {chosen.name}, model: {model or chosen.default_model}", err=True)
    echo(f"question: {asked}", err=True)
    stream = chosen.stream(
        [ChatMessage(role="user", content=asked)],
        model=model,
        params=GenerationParams(max_tokens=96),
    )
    for chunk in stream:
        sys.stdout.write(chunk)
        sys.stdout.flush()
    sys.stdout.write("\n")
    if stream.result is not None:
        usage = stream.result.usage
        echo(f"({usage.completion_tokens} tokens in {stream.result.latency_s:.1f} s)", err=True)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
