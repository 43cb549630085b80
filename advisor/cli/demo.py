"""``advisor demo``: the end-to-end tour on the embedded model, no key, no hub.

It assesses a sample use case (a support team that wants a fixed brand voice)
and then asks the embedded local model about it, so a fresh install shows the
advisor and a real model answer in one command.
"""

from __future__ import annotations

import sys

import typer

from advisor.cli import context
from advisor.cli.context import t as msg
from advisor.cli.output import echo, waiting

SAMPLE_ANSWERS: dict[str, object] = {
    "fixed_style": True,
    "minimize_variance": True,
    "strict_format": False,
    "proprietary_rules": False,
    "knowledge_volume": "small",
    "example_count": 300,
    "budget": "moderate",
}


def demo(
    backend: str | None = typer.Option(None, "--backend", "-b", help="Backend to ask."),
    model: str | None = typer.Option(None, "--model", "-m", help="Model id."),
    question: str | None = typer.Option(None, "--question", "-q", help="What to ask."),
) -> None:
    """Assess a sample use case, then stream a real answer from the embedded model."""
    from advisor.criteria import Answers, assess
    from backends.types import ChatMessage, GenerationParams

    assessment = assess(Answers(SAMPLE_ANSWERS), lang=context.lang())
    echo(msg("demo.sample"))
    echo(assessment.recommendation.summary)
    echo(msg("demo.try"))

    chosen = context.backend(backend, model=model)
    asked = question or msg("demo.question")
    echo(msg("demo.asking", model=f"{chosen.name}:{model or chosen.default_model}", question=asked))
    # The tour's first model command: on a fresh install it converts and loads the model
    # (20-60 s) before the first words, so the wait is said as chat says it.
    with waiting(lambda: msg("chat.waiting")) as first_words:
        stream = chosen.stream(
            [ChatMessage(role="user", content=asked)],
            model=model,
            params=GenerationParams(max_tokens=96),
        )
        for chunk in stream:
            first_words()
            sys.stdout.write(chunk)
            sys.stdout.flush()
    sys.stdout.write("\n")
    sys.stdout.flush()
    if stream.result is not None:
        result = stream.result
        tokens, seconds = result.usage.completion_tokens, f"{result.latency_s:.1f}"
        echo(msg("demo.usage", tokens=tokens, seconds=seconds), err=True)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
