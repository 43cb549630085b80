"""``advisor graders run``: try a grader on one sample before using it in RFT or a benchmark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from advisor.cli import context
from advisor.cli.context import t as msg
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json
from advisor.errors import UserInputError

graders_app = typer.Typer(
    help="Graders (OpenAI-shaped): dry-run them on a sample.", no_args_is_help=True
)


def _definition(value: str) -> dict[str, Any] | Path:
    """A grader file path, or the definition itself as inline JSON."""
    if value.lstrip().startswith("{"):
        try:
            data = json.loads(value)
        except ValueError as exc:
            raise UserInputError.from_catalog("graders.bad_grader_json", error=str(exc)) from exc
        return dict(data)
    path = Path(value)
    if not path.is_file():
        raise UserInputError.from_catalog(
            "graders.not_found", hint_key="graders.not_found_hint", path=value
        )
    return path


@graders_app.command("run")
def run(
    grader: str = typer.Option(..., "--grader", "-g", help="Grader file (JSON/YAML) or JSON."),
    sample: str = typer.Option(..., "--sample", "-s", help="The model output to grade."),
    item: str = typer.Option("{}", "--item", "-i", help="The dataset item, as a JSON object."),
    backend: str | None = typer.Option(
        None, "--backend", "-b", help="Backend for score_model judges and cosine embeddings."
    ),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Grade SAMPLE against ITEM; exit 1 when the grade does not pass."""
    from advisor.graders import Sample, load_grader

    try:
        parsed_item = json.loads(item)
    except ValueError as exc:
        raise UserInputError.from_catalog("graders.bad_item_json", error=str(exc)) from exc
    if not isinstance(parsed_item, dict):
        raise UserInputError.from_catalog("graders.item_not_object", example='\'{"answer": "42"}\'')
    settings = context.settings()
    chosen = context.backend(backend) if backend else None
    loaded = load_grader(_definition(grader), backend=chosen, settings=settings)
    result = loaded.grade(Sample.from_text(sample), parsed_item)
    if fmt is OutputFormat.json:
        print_json({"grader": loaded.name, "type": loaded.type, **result.model_dump()})
    else:
        verdict = msg("graders.passed" if result.passed else "graders.failed")
        score = f"{result.score:.4g}"
        echo(
            msg("graders.result", name=loaded.name, type=loaded.type, score=score, verdict=verdict)
        )
        for key, value in result.details.items():
            echo(msg("graders.detail", name=key, value=json.dumps(value, ensure_ascii=False)))
    if not result.passed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(graders_app, name="graders")
