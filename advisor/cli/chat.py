"""``advisor chat``: one prompt to any backend, streamed in text mode."""

from __future__ import annotations

import sys

import typer

from advisor.cli import context
from advisor.cli.output import FORMAT_OPTION, OutputFormat, print_json, waiting


def chat(
    prompt: str = typer.Argument(..., help="The user message. Use - to read it from stdin."),
    backend: str | None = typer.Option(
        None, "--backend", "-b", help="Backend name (see `advisor backends list`)."
    ),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Model id; fine-tuned ids such as local:ft:... work too."
    ),
    system: str | None = typer.Option(None, "--system", "-s", help="System instructions."),
    temperature: float = typer.Option(0.0, min=0.0, max=2.0, help="0 means greedy decoding."),
    max_tokens: int | None = typer.Option(None, min=1, help="Cap on generated tokens."),
    seed: int | None = typer.Option(None, help="Sampling seed, for reproducible sampling."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Send PROMPT to a model and print the answer."""
    from backends.types import ChatMessage, GenerationParams

    if prompt == "-":
        prompt = sys.stdin.read()
    messages = []
    if system:
        messages.append(ChatMessage(role="system", content=system))
    messages.append(ChatMessage(role="user", content=prompt))
    params = GenerationParams(temperature=temperature, max_tokens=max_tokens, seed=seed)
    chosen = context.backend(backend, model=model)

    if fmt is OutputFormat.json:
        # The spinner is drawn on stderr and only on a terminal: stdout stays one JSON value.
        with waiting(lambda: context.t("chat.waiting")):
            result = chosen.chat(messages, model=model, params=params)
        print_json(
            {
                "text": result.text,
                "model": result.model,
                "backend": result.backend,
                "usage": {
                    "prompt_tokens": result.usage.prompt_tokens,
                    "completion_tokens": result.usage.completion_tokens,
                    "total_tokens": result.usage.total_tokens,
                },
                "latency_s": round(result.latency_s, 4),
                "finish_reason": result.finish_reason,
            }
        )
        return
    with waiting(lambda: context.t("chat.waiting")) as first_words:
        for chunk in chosen.stream(messages, model=model, params=params):
            first_words()
            sys.stdout.write(chunk)
            sys.stdout.flush()
    sys.stdout.write("\n")


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
