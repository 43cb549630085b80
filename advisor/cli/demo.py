"""``advisor demo``: the end-to-end tour on the embedded model, no key, no hub.

It assesses a sample use case (a support team that wants a fixed brand voice)
and then asks the embedded local model about it, so a fresh install shows the
advisor and a real model answer in one command.
"""

from __future__ import annotations

import sys

import typer

from advisor.cli import context
from advisor.cli.output import echo

SAMPLE_ANSWERS: dict[str, object] = {
    "fixed_style": True,
    "minimize_variance": True,
    "strict_format": False,
    "proprietary_rules": False,
    "knowledge_volume": "small",
    "example_count": 300,
    "budget": "moderate",
}
DEFAULT_QUESTION = (
    "In two sentences: why would a support team give a language model a fixed style guide?"
)


def demo(
    backend: str | None = typer.Option(None, "--backend", "-b", help="Backend to ask."),
    model: str | None = typer.Option(None, "--model", "-m", help="Model id."),
    question: str | None = typer.Option(None, "--question", "-q", help="What to ask."),
) -> None:
    """Assess a sample use case, then stream a real answer from the embedded model."""
    from advisor.criteria import Answers, assess
    from backends.types import ChatMessage, GenerationParams

    assessment = assess(Answers(SAMPLE_ANSWERS), lang=context.settings().language)
    echo("Sample use case: a support team that wants one fixed brand voice.")
    echo(assessment.recommendation.summary)
    echo(
        "Try it on your own: advisor questions --template > answers.yaml; advisor assess "
        "--answers answers.yaml\n"
    )

    chosen = context.backend(backend, model=model)
    asked = question or DEFAULT_QUESTION
    echo(f"Asking {chosen.name}:{model or chosen.default_model}: {asked}")
    stream = chosen.stream(
        [ChatMessage(role="user", content=asked)],
        model=model,
        params=GenerationParams(max_tokens=96),
    )
    for chunk in stream:
        sys.stdout.write(chunk)
        sys.stdout.flush()
    sys.stdout.write("\n")
    sys.stdout.flush()
    if stream.result is not None:
        result = stream.result
        echo(f"({result.usage.completion_tokens} tokens in {result.latency_s:.1f} s)", err=True)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
