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

from advisor.app.text import job_status_text
from advisor.cli import context
from advisor.cli.choices import DeploySku, Method
from advisor.cli.confirm import confirm
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json
from advisor.data.contention import measured_step, timed_steps
from advisor.data.texts import label_in
from advisor.errors import AdvisorError, CapabilityError, UserInputError
from advisor.precision import is_merged_engine

tune_app = typer.Typer(
    help="Fine-tune a model with SFT, DPO or RFT, locally or on a provider.",
    no_args_is_help=True,
)


NO_CALIBRATE_HELP = (
    "Local: do not measure this machine first; the time estimate is then the static, "
    "uncalibrated one."
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
        key = "tune.not_positive_int" if kind is int else "tune.not_positive"
        raise UserInputError.from_catalog(key, option=option, value=repr(value))
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
    t = context.t
    echo(t("tune.preview"), err=True)
    echo("  " + t("tune.preview_examples", examples=preview.examples), err=True)
    if preview.billed_tokens is not None:
        echo("  " + t("tune.preview_billed", tokens=f"{preview.billed_tokens:,}"), err=True)
    if preview.estimated_cost_usd is not None:
        dated = " " + t("tune.prices_of", date=preview.price_date) if preview.price_date else ""
        cost = f"${preview.estimated_cost_usd:,.2f}"
        echo("  " + t("tune.preview_cost", cost=cost) + dated, err=True)
    if preview.estimated_seconds is not None:
        minutes = f"{preview.estimated_seconds / 60:.1f}"
        echo("  " + t("tune.preview_minutes", minutes=minutes), err=True)
    for note in preview.notes_in(context.lang()):
        echo(f"  {note}", err=True)


def _check_options(
    method: Method, train: Path, validation: Path | None, grader: Path | None, beta: float | None
) -> None:
    if not train.is_file():
        raise UserInputError.from_catalog(
            "tune.no_train", hint_key="tune.no_train_hint", path=str(train)
        )
    if validation is not None and not validation.is_file():
        raise UserInputError.from_catalog("tune.no_validation", path=str(validation))
    if method is Method.rft and grader is None:
        raise UserInputError.from_catalog("tune.rft_grader", hint_key="tune.rft_grader_hint")
    if grader is not None and method is not Method.rft:
        raise UserInputError.from_catalog("tune.grader_rft_only", hint_key="tune.grader_hint")
    if beta is not None and method is not Method.dpo:
        raise UserInputError.from_catalog("tune.beta_dpo_only", hint_key="tune.beta_hint")


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
    no_calibrate: bool = typer.Option(False, "--no-calibrate", help=NO_CALIBRATE_HELP),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Create a fine-tuning job from a JSONL file; --wait follows it to the end."""
    from advisor.app.jobs import Jobs
    from advisor.cli.jobs import describe, follow
    from backends.jobs import Hyperparameters, JobRequest

    _check_options(method, train, validation, grader, beta)
    chosen = context.backend(backend)
    if merge and chosen.name != "local":
        raise UserInputError.from_catalog("tune.merge_local")
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
    if not no_calibrate:
        _calibrate_for(chosen, request, quiet=fmt is not OutputFormat.text)
    if not yes and fmt is OutputFormat.text and sys.stdin.isatty():
        preview = jobs.preview(chosen.name, request)
        if preview is not None:
            _show_preview(preview)
            if not confirm(context.t("tune.confirm"), default=True):
                echo(context.t("tune.nothing_created"), err=True)
                raise typer.Exit(1)
    job = jobs.submit(chosen.name, request)
    if fmt is OutputFormat.text:
        echo(
            context.t(
                "tune.created",
                id=job.id,
                backend=job.backend,
                method=job.method,
                model=job.model,
                status=job_status_text(job.status, context.lang()),
            )
        )
    if wait:
        job = follow(job, show_progress=fmt is OutputFormat.text)
    if fmt is OutputFormat.json:
        print_json(job)
    elif wait:
        for line in describe(job):
            echo(line)
    else:
        echo(context.t("tune.follow", id=job.id))
    if wait and job.is_terminal and job.status != "succeeded":
        raise typer.Exit(1)


def _calibrate_for(backend: Any, request: Any, *, quiet: bool) -> None:
    """Measure this machine the first time a local job needs an estimate (stderr progress)."""
    from advisor.app.calibration import ensure_calibrated, training_seq_len

    if not backend.capabilities.runs_locally:
        return
    settings = context.settings()
    model = request.model or backend.default_model
    told: list[bool] = []

    def progress(done: int, total: int, label: str) -> None:
        if quiet:
            return
        if not told:
            told.append(True)
            echo(context.t("tune.calibrating_once"), err=True)
        echo(f"  {label_in(label, context.lang())}", err=True)

    seq_len = training_seq_len(settings, request, model)
    batch = request.hyperparameters.batch_size
    try:
        ensure_calibrated(
            settings,
            backend,
            model=model,
            seq_len=seq_len,
            batch=batch if isinstance(batch, int) else 1,  # auto: 1 below 500 examples
            progress=progress,
        )
    except CapabilityError:
        return  # a backend that cannot calibrate keeps the static estimate
    except AdvisorError as exc:  # an estimate never stops a job; the job reports its own errors
        echo(context.t("tune.calibration_failed", error=exc.localized(context.lang())), err=True)


@tune_app.command("calibrate")
def calibrate(
    backend: str | None = typer.Option(None, "--backend", "-b", help="A local backend."),
    model: str | None = typer.Option(None, "--model", help="Base model; default: the backend's."),
    seq_len: int = typer.Option(
        256, "--seq-len", min=1, help="Tokens per example (rounded up to a power of two)."
    ),
    batch: int = typer.Option(4, "--batch-size", min=1, help="Examples per training step."),
    steps: int = typer.Option(3, "--steps", min=1, help="Timed training steps."),
    no_answers: bool = typer.Option(False, "--no-answers", help="Skip the answering speed."),
    no_indexing: bool = typer.Option(False, "--no-indexing", help="Skip the indexing speed."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Measure training, answering and indexing speed here; estimates then use them."""
    from advisor.app.calibration import CalibrationOptions
    from advisor.app.calibration import calibrate as run_calibration
    from advisor.data.calibration import CACHE_NAME

    chosen = context.backend(backend)
    settings = context.settings()
    options = CalibrationOptions(
        model=model,
        seq_len=seq_len,
        batch=batch,
        steps=steps,
        generation=not no_answers,
        embedding=not no_indexing,
    )

    def progress(done: int, total: int, label: str) -> None:
        if fmt is OutputFormat.text:
            echo(f"[{done}/{total}] {label_in(label, context.lang())}", err=True)

    entry = run_calibration(settings, chosen, options, progress)
    if fmt is OutputFormat.json:
        print_json(entry)
        return
    for line in calibration_lines(entry):
        echo(line)
    echo(context.t("calibrate.saved", path=str(settings.data_dir / CACHE_NAME)))


def calibration_lines(entry: Any) -> list[str]:
    """Human lines for a calibration entry."""
    t, machine = context.t, entry.machine
    lines = [
        t("calibrate.machine", model=entry.model, cpu=machine.cpu, cores=machine.cores,
          torch=machine.torch, device=entry.device, dtype=entry.dtype, threads=entry.threads)
    ]  # fmt: skip
    for rate in entry.training:
        lines.append(
            "  "
            + t(
                "calibrate.training",
                seq_len=rate.seq_len,
                batch=rate.batch,
                step=f"{rate.seconds_per_step:.2f}",
                rate=f"{1 / rate.seconds_per_token:,.0f}",
                startup=f"{rate.startup_seconds:.0f}",
            )
            + ("" if rate.load is None else t("calibrate.training_load", load=f"{rate.load:.1f}"))
        )
        lines.extend("    " + line for line in thread_lines(rate, entry.threads))
    for gen in entry.generations:
        speed = f"{gen.tokens_per_second:,.1f}"
        lines.append(
            "  " + t("calibrate.answering", rate=speed, batch=gen.batch, engine=gen.engine)
        )
        if gen.prompt_tokens_per_second and gen.prompt_tokens:  # absent in older entries
            reading = f"{gen.prompt_tokens_per_second:,.1f}"
            lines.append("  " + t("calibrate.reading", rate=reading, tokens=gen.prompt_tokens))
        if gen.adapter is not None:  # absent in older entries
            lines.append("  " + adapter_line(gen.adapter))
    if entry.embedding is not None:
        emb = entry.embedding
        lines.append(
            "  "
            + t(
                "calibrate.indexing",
                rate=f"{emb.chunks_per_second:,.1f}",
                tokens=emb.chunk_tokens,
                model=emb.model,
            )
        )
    return lines


def thread_lines(rate: Any, calibrated_at: int) -> list[str]:
    """The training steps timed at the other thread count (advisor/data/contention.py)."""
    then = rate.threads or calibrated_at
    timed = [measured_step(rate, then, count) for count in sorted(timed_steps(rate))]
    steps = [step for step in timed if step is not None and step.threads != then]
    if not steps:
        return [context.t("calibrate.training_threads_not_measured")]
    return [
        context.t(
            "calibrate.training_threads",
            threads=step.threads,
            step=f"{step.seconds_per_step:.2f}",
            speed=f"{step.speed:.2f}",
            then=then,
        )
        for step in steps
    ]


def adapter_line(adapter: Any) -> str:
    """The calibration's answering through a LoRA adapter (the fine-tuned routes' models)."""
    if not adapter.tokens_per_second:
        return context.t("calibrate.adapter_not_measured")
    reading = adapter.prompt_tokens_per_second
    merged = is_merged_engine(adapter.engine)  # local.adapter_serving when it was measured
    return context.t(
        "calibrate.adapter_merged" if merged else "calibrate.adapter",
        rank=adapter.lora_r,
        rate=f"{adapter.tokens_per_second:,.1f}",
        reading="-" if reading is None else f"{reading:,.1f}",
    )


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
            echo(label_in(label, context.lang()), err=True)

    chosen = cast("Any", sku.value if sku else None)
    try:
        deployment = deploy_job(context.settings(), job_id, name=name, sku=chosen, progress=show)
    except KeyboardInterrupt:
        echo(context.t("deploy.stopped"), err=True)
        raise typer.Exit(130) from None
    if fmt is OutputFormat.json:
        print_json(deployment)
    else:
        t = context.t
        echo(t("deploy.done", model=deployment.model, name=deployment.name, sku=deployment.sku))
        echo(t("deploy.bench", job=job_id))


def register(app: typer.Typer) -> None:
    app.add_typer(tune_app, name="tune")
