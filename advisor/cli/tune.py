"""``advisor tune create``: start a fine-tuning job (SFT, DPO or RFT) on any backend.

Generic over backends: the command builds a :class:`~backends.jobs.JobRequest`
and hands it to ``backend.fine_tuning()``; local training, OpenAI and Azure
OpenAI differ only in ``--backend``.  Interactive runs show the backend's cost
and time preview and ask before creating anything (``--yes`` skips that).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, cast

import typer

from advisor.cli import context
from advisor.cli.choices import DeploySku, Method
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json
from advisor.errors import UserInputError

tune_app = typer.Typer(
    help="Fine-tune a model with SFT, DPO or RFT, locally or on a provider.",
    no_args_is_help=True,
)


def _auto_number(value: str, option: str, kind: type[float]) -> float | str:
    """``auto``, or a positive ``kind`` (int or float) parsed from an option's text."""
    if value == "auto":
        return value
    try:
        number = kind(value)
    except ValueError:
        number = 0
    if number <= 0:  # for whole numbers: below 1
        what = "whole number" if kind is int else "number"
        raise UserInputError(f"{option} must be a positive {what} or auto, not {value!r}")
    return number


def _auto_int(value: str, option: str) -> int | str:
    return cast("int | str", _auto_number(value, option, int))


def _auto_float(value: str, option: str) -> float | str:
    return _auto_number(value, option, float)


def _read_grader(path: Path) -> dict[str, Any]:
    from advisor.graders import load_grader, read_grader_file

    definition = read_grader_file(path)
    load_grader(definition, settings=context.settings())  # fails now, not in the worker
    return definition


def _show_preview(preview: Any) -> None:
    echo("This job will:", err=True)
    echo(f"  train on {preview.examples} examples", err=True)
    if preview.billed_tokens is not None:
        echo(f"  bill about {preview.billed_tokens:,} training tokens", err=True)
    if preview.estimated_cost_usd is not None:
        dated = f" (prices of {preview.price_date})" if preview.price_date else ""
        echo(f"  cost about ${preview.estimated_cost_usd:,.2f}{dated}", err=True)
    if preview.estimated_seconds is not None:
        echo(f"  take about {preview.estimated_seconds / 60:.1f} minutes", err=True)
    for note in preview.notes:
        echo(f"  {note}", err=True)


@tune_app.command("create")
def create(
    method: Method = typer.Option(..., "--method", "-m", help="sft, dpo or rft."),
    train: Path = typer.Option(..., "--train", help="Training file (OpenAI JSONL)."),
    validation: Path | None = typer.Option(None, "--validation", help="Validation file."),
    grader: Path | None = typer.Option(None, "--grader", help="RFT grader (JSON or YAML)."),
    backend: str | None = typer.Option(None, "--backend", "-b", help="local, openai, azure..."),
    model: str | None = typer.Option(None, "--model", help="Base model; default: the backend's."),
    epochs: str = typer.Option("auto", "--epochs", help="Epochs, or auto."),
    batch_size: str = typer.Option("auto", "--batch-size", help="Batch size, or auto."),
    lr_multiplier: str = typer.Option("auto", "--lr-multiplier", help="Or auto."),
    beta: float | None = typer.Option(None, "--beta", min=0.0, help="DPO strength (0.1)."),
    suffix: str | None = typer.Option(None, "--suffix", help="Part of the model name."),
    seed: int | None = typer.Option(None, "--seed", help="Seed, for reproducible runs."),
    wait: bool = typer.Option(False, "--wait", help="Follow the job until it ends."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    merge: bool = typer.Option(False, "--merge", help="Local: also export merged weights."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Create a fine-tuning job from a JSONL file; --wait follows it to the end."""
    from advisor.app.jobs import Jobs
    from advisor.cli.jobs import describe, follow
    from backends.jobs import Hyperparameters, JobRequest

    if not train.is_file():
        raise UserInputError(f"training file {train} not found", hint="check the --train path")
    if validation is not None and not validation.is_file():
        raise UserInputError(f"validation file {validation} not found")
    if method is Method.rft and grader is None:
        raise UserInputError("an RFT job needs a grader", hint="pass --grader FILE")
    if grader is not None and method is not Method.rft:
        raise UserInputError("--grader is for RFT jobs only", hint="drop it or use --method rft")
    if beta is not None and method is not Method.dpo:
        raise UserInputError("--beta is for DPO jobs only", hint="drop it or use --method dpo")
    chosen = context.backend(backend)
    if merge and chosen.name != "local":
        raise UserInputError("--merge works with the local backend only")
    request = JobRequest(
        method=method.value,
        training_file=str(train.resolve()),
        validation_file=str(validation.resolve()) if validation else None,
        grader=_read_grader(grader) if grader else None,
        model=model,
        hyperparameters=Hyperparameters(
            n_epochs=_auto_int(epochs, "--epochs"),
            batch_size=_auto_int(batch_size, "--batch-size"),
            learning_rate_multiplier=_auto_float(lr_multiplier, "--lr-multiplier"),
            beta=beta,
        ),
        suffix=suffix,
        seed=seed,
        metadata={"merge": "true"} if merge else {},
    )
    jobs = Jobs(context.settings(), context.backend)
    if not yes and fmt is OutputFormat.text and sys.stdin.isatty():
        preview = jobs.preview(chosen.name, request)
        if preview is not None:
            _show_preview(preview)
            if not typer.confirm("Create the job?", default=True, err=True):
                echo("Nothing was created.", err=True)
                raise typer.Exit(1)
    job = jobs.submit(chosen.name, request)
    if fmt is OutputFormat.text:
        echo(f"Created {job.id} ({job.backend}, {job.method}, {job.model}): {job.status}")
    if wait:
        job = follow(job, show_progress=fmt is OutputFormat.text)
    if fmt is OutputFormat.json:
        print_json(job)
    elif wait:
        for line in describe(job):
            echo(line)
    else:
        echo(f"Follow it with: advisor jobs wait {job.id}")
    if wait and job.is_terminal and job.status != "succeeded":
        raise typer.Exit(1)


@tune_app.command("deploy")
def deploy(
    job_id: str = typer.Argument(..., help="A succeeded fine-tuning job."),
    name: str | None = typer.Option(
        None, "--name", help="Deployment name; default: ft-<suffix>-<job id tail>."
    ),
    sku: DeploySku | None = typer.Option(
        None, "--sku", help="developer (testing) or standard; default: [azure] deploy_sku."
    ),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Deploy a fine-tuned model for testing and wait until it answers (Azure OpenAI).

    The deployment is recorded on the job: `advisor bench --backend azure` and
    chat with --model <deployment> then use it.  Ctrl+C stops waiting, not the
    provisioning; run the command again to wait again.
    """
    from advisor.app.deploy import deploy_job

    last: list[str] = []

    def show(done: int, total: int, label: str) -> None:
        if fmt is OutputFormat.text and label not in last:
            last[:] = [label]
            echo(label, err=True)

    chosen = cast("Any", sku.value if sku else None)
    try:
        deployment = deploy_job(context.settings(), job_id, name=name, sku=chosen, progress=show)
    except KeyboardInterrupt:
        echo("Stopped waiting; the deployment keeps provisioning.", err=True)
        raise typer.Exit(130) from None
    if fmt is OutputFormat.json:
        print_json(deployment)
    else:
        echo(f"Deployed {deployment.model} as {deployment.name} ({deployment.sku}).")
        echo(f"Bench it with: advisor bench SCENARIO --backend azure (job {job_id})")


def register(app: typer.Typer) -> None:
    app.add_typer(tune_app, name="tune")
