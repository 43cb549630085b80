"""``advisor data validate|stats|clean|convert|split|grow|review``: the training data toolkit."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import typer

from advisor.cli import context
from advisor.cli.context import t
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json

data_app = typer.Typer(
    help="Training data: validate, measure and estimate, cleanse, convert, split, grow, review.",
    no_args_is_help=True,
)


class Method(StrEnum):
    sft = "sft"
    dpo = "dpo"
    rft = "rft"


class Source(StrEnum):
    alpaca = "alpaca"
    sharegpt = "sharegpt"
    openai = "openai"
    trl = "trl"
    csv = "csv"
    xlsx = "xlsx"
    llamafactory_dpo = "llamafactory-dpo"


class Target(StrEnum):
    sft = "sft"
    dpo = "dpo"


class Lang(StrEnum):
    auto = "auto"
    en = "en"
    ja = "ja"


class JaRegister(StrEnum):
    polite = "polite"
    plain = "plain"


class GroupBy(StrEnum):
    example = "example"
    prompt = "prompt"


FILE = typer.Argument(..., help="The training file (JSONL).", show_default=False)
METHOD = typer.Option(..., "--method", "-m", help="The fine-tuning method the file is for.")
ENCODING = typer.Option(
    None, "--encoding", help="Read a non-UTF-8 file in this encoding (cp932, utf-16)."
)


def _progress(fmt: OutputFormat) -> Callable[[int], None] | None:
    if fmt is OutputFormat.json or not sys.stderr.isatty():
        return None

    def show(lines: int) -> None:
        sys.stderr.write("\r  " + context.t("data.lines_read", lines=f"{lines:,}"))
        sys.stderr.flush()

    return show


def _end_progress(fmt: OutputFormat) -> None:
    if _progress(fmt) is not None:
        sys.stderr.write("\r" + " " * 30 + "\r")


@data_app.command("validate")
def validate(
    file: Path = FILE,
    method: Method = METHOD,
    grader: Path | None = typer.Option(
        None, "--grader", help="RFT grader file: every item.<key> it uses must be in every line."
    ),
    max_tokens: int | None = typer.Option(
        None, "--max-tokens", min=1, help="Flag examples with more tokens than this."
    ),
    model: str | None = typer.Option(
        None, "--model", help="Model whose tokenizer counts for --max-tokens."
    ),
    encoding: str | None = ENCODING,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Check every line before any job starts; exit 1 when there are errors."""
    from advisor.data.validate import validate_file

    report = validate_file(
        file,
        method.value,
        grader=grader,
        max_tokens=max_tokens,
        encoding=encoding,
        model=model,
        progress=_progress(fmt),
    )
    _end_progress(fmt)
    if fmt is OutputFormat.json:
        print_json(report)
    else:
        lang = context.lang()
        for issue in report.errors:
            message = issue.message_in(lang)
            echo(_where(file, issue.line) + t("data.issue_error", code=issue.code, message=message))
        for issue in report.warnings:
            message = issue.message_in(lang)
            echo(
                _where(file, issue.line) + t("data.issue_warning", code=issue.code, message=message)
            )
        echo(
            t(
                "data.validate_ok" if report.ok else "data.validate_failed",
                examples=report.examples,
                errors=len(report.errors),
                warnings=len(report.warnings),
            )
        )
    if not report.ok:
        raise typer.Exit(1)


def _where(file: Path, line: int | None) -> str:
    return f"{file}:{line}: " if line else f"{file}: "


@data_app.command("stats")
def stats(
    file: Path = FILE,
    method: Method = METHOD,
    model: str | None = typer.Option(
        None,
        "--model",
        help="OpenAI model for tokens and price (default: openai.chat_model), or local.",
    ),
    measure: bool = typer.Option(
        False,
        "--measure-throughput",
        help="Calibrate local training on this machine first if it is not yet (loads the "
        "local model; the same as `advisor tune calibrate` at this file's length).",
    ),
    epochs: int | None = typer.Option(
        None, "--epochs", min=1, help="Epochs to estimate for (default: OpenAI's auto choice)."
    ),
    max_length: int | None = typer.Option(
        None,
        "--max-length",
        min=1,
        help="Where the local trainer truncates each example (default: its own, 512).",
    ),
    encoding: str | None = ENCODING,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Tokens, epochs, billed tokens, estimated cost and local training time."""
    from advisor.data.stats import compute_stats

    settings = context.settings()
    if measure:  # calibrates local training at this file's length (see `tune calibrate`)
        from advisor.app.calibration import ensure_calibrated, training_seq_len
        from backends.jobs import JobRequest

        if fmt is OutputFormat.text:
            echo(t("data.calibrating"), err=True)
        backend = context.backend("local")
        hyper = {"max_length": max_length} if max_length else {}
        request = JobRequest(method=method.value, training_file=str(file), hyperparameters=hyper)
        seq_len = training_seq_len(settings, request, backend.default_model)
        ensure_calibrated(settings, backend, seq_len=seq_len, batch=1, asked=True)
    result = compute_stats(
        file,
        method.value,
        model=model,
        settings=settings,
        encoding=encoding,
        epochs=epochs,
        max_length=max_length,
    )
    if fmt is OutputFormat.json:
        print_json(result)
        return
    from advisor.cli.data_text import print_stats

    print_stats(result)
    if result.examples == 0:  # a block of zeros reads like a measurement; say what it is
        echo(t("data.stats_empty", file=str(file)), err=True)


# The options of `data clean` that protect text or switch rules; declared here so the
# command's signature stays readable.
KEEP_PII = typer.Option(
    None,
    "--keep-pii",
    help="An e-mail address or phone number (text or regex) never masked, e.g. your "
    "support address; repeatable.",
)
KEEP_PII_FILE = typer.Option(
    None, "--keep-pii-file", help="A file of --keep-pii patterns, one per line (# comments)."
)
REGISTER = typer.Option(
    None,
    "--register",
    help="Rewrite Japanese answers into one register: polite (です/ます) or plain (だ/である).",
)
SKIP_RULE = typer.Option(
    [], "--skip-rule", help="Switch a rule off (repeatable), e.g. --skip-rule boilerplate."
)
KEEP = typer.Option([], "--keep", help="A phrase never removed (repeatable), e.g. a sign-off.")
GRADER = typer.Option(
    [], "--grader", help="A grader or scenario.toml (repeatable): text it checks is never removed."
)


@data_app.command("clean")
def clean(
    src: Path = typer.Argument(
        ..., help="The training file (JSONL), or - for standard input; never modified."
    ),
    out: Path = typer.Option(..., "--output", "-o", help="Where to write the cleaned file."),
    report: Path | None = typer.Option(
        None, "--report", "-r", help="Write every change and flag here (JSON)."
    ),
    lang: Lang = typer.Option(Lang.auto, "--lang", help="Language rules: auto, en or ja."),
    near: float = typer.Option(
        0.9, "--near", min=0.5, max=1.0, help="Jaccard similarity for near duplicates."
    ),
    wordlist: Path | None = typer.Option(
        None, "--wordlist", help="Your own inappropriate-word list (one per line, # comments)."
    ),
    moderation: bool | None = typer.Option(
        None,
        "--moderation/--no-moderation",
        help="Use OpenAI moderation (default: when the openai backend has a key).",
    ),
    keep_pii: list[str] | None = KEEP_PII,
    keep_pii_file: Path | None = KEEP_PII_FILE,
    register: JaRegister | None = REGISTER,
    skip_rule: list[str] = SKIP_RULE,
    keep: list[str] = KEEP,
    grader: list[Path] = GRADER,
    encoding: str | None = ENCODING,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Uniform style, noise and personal data removal, typo and inappropriate-answer
    flags, duplicate removal; every change recorded with line, rule, before and after.

    Text that the data's own system prompts require is never removed as
    boilerplate; add phrases with --keep and graders with --grader."""
    from advisor.data.clean import CleanOptions, clean_file

    settings = context.settings()
    moderator = None
    use_moderation = moderation
    if use_moderation is None:
        use_moderation = settings.openai.api_key is not None
    if use_moderation and "moderation" not in skip_rule:
        moderator = context.backend("openai")
    result = clean_file(
        src,
        out,
        CleanOptions(
            lang=lang.value,
            near_threshold=near,
            wordlist=str(wordlist) if wordlist else None,
            keep_pii=[*(keep_pii or []), *_patterns(keep_pii_file)],
            unify_register=register.value if register else None,
            skip_rules=skip_rule,
            keep=keep,
            graders=[str(g) for g in grader],
        ),
        report_path=report,
        moderator=moderator,
        encoding=encoding,
        keep_items=False,
    )
    if fmt is OutputFormat.json:
        print_json(result.summary())
        return
    summary = result.summary()
    echo(
        t(
            "data.clean_summary",
            read=summary.read,
            written=summary.written,
            out=str(out),
            changes=summary.changes,
            flags=summary.flags,
            removed=summary.removed,
        )
    )
    for rule, count in sorted(summary.by_rule.items()):
        echo(f"  {rule}: {count}")
    if report:
        echo(t("data.clean_report", path=str(report)))


def _patterns(path: Path | None) -> list[str]:
    from advisor.errors import DataFileError

    if path is None:
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError.from_catalog(
            "core.cli.keep_pii_unreadable",
            hint_key="core.cli.keep_pii_unreadable_hint",
            path=str(path),
        ) from exc
    return [p for line in text.splitlines() if (p := line.split("#", 1)[0].strip())]


@data_app.command("convert")
def convert(
    src: Path = typer.Argument(..., help="The file to convert."),
    source: Source = typer.Option(..., "--from", help="The format of the input."),
    target: Target = typer.Option(..., "--to", help="The OpenAI format to write."),
    out: Path = typer.Option(..., "--output", "-o", help="Where to write the JSONL output."),
    prompt_column: str | None = typer.Option(None, "--prompt-column", help="CSV/Excel: prompt."),
    response_column: str | None = typer.Option(
        None, "--response-column", help="CSV/Excel: the answer (SFT)."
    ),
    system_column: str | None = typer.Option(
        None, "--system-column", help="CSV/Excel: a per-row system prompt."
    ),
    chosen_column: str | None = typer.Option(
        None, "--chosen-column", help="CSV/Excel: the preferred answer (DPO)."
    ),
    rejected_column: str | None = typer.Option(
        None, "--rejected-column", help="CSV/Excel: the rejected answer (DPO)."
    ),
    sheet: str | None = typer.Option(None, "--sheet", help="Excel: the sheet (default: first)."),
    system: str | None = typer.Option(
        None, "--system", help="Add this system message to every example without one."
    ),
    encoding: str | None = ENCODING,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Convert alpaca, sharegpt, trl, csv, xlsx or LLaMA-Factory DPO data to OpenAI format."""
    from advisor.data.convert import convert_file
    from advisor.data.tabular import ColumnMapping

    mapping = ColumnMapping(
        prompt=prompt_column,
        response=response_column,
        system=system_column,
        chosen=chosen_column,
        rejected=rejected_column,
    )
    result = convert_file(
        src,
        source.value,
        target.value,
        out,
        mapping=mapping,
        system=system,
        encoding=encoding,
        sheet=sheet,
    )
    if fmt is OutputFormat.json:
        print_json(result)
    else:
        echo(
            t(
                "data.convert_written",
                written=result.written,
                read=result.read,
                out=str(result.output),
            )
        )
        for skip in result.skipped[:20]:
            echo("  " + t("data.convert_skipped", where=f"{src}:{skip.line}", reason=skip.said()))
        if len(result.skipped) > 20:
            echo("  " + t("data.convert_more", count=len(result.skipped) - 20))
    if result.written == 0:
        raise typer.Exit(1)


@data_app.command("split")
def split(
    src: Path = typer.Argument(..., help="The training file (JSONL)."),
    validation: float = typer.Option(
        0.1, "--validation", help="Share of examples for the validation set (0-1)."
    ),
    seed: int = typer.Option(0, "--seed", help="The same seed gives the same split."),
    out: Path = typer.Option(
        ..., "--output", "-o", help="Folder for train.jsonl and validation.jsonl."
    ),
    group_by: GroupBy = typer.Option(
        GroupBy.example,
        "--group-by",
        help="Keep equal examples (or equal prompts) together on one side.",
    ),
    encoding: str | None = ENCODING,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Split deterministically into train and validation; no duplicate lands on both sides."""
    from advisor.data.split import split_file

    result = split_file(
        src, out, validation=validation, seed=seed, group_by=group_by.value, encoding=encoding
    )
    if fmt is OutputFormat.json:
        print_json(result)
        return
    echo(t("data.split_train", examples=result.train_examples, path=str(result.train)))
    echo(
        t("data.split_validation", examples=result.validation_examples, path=str(result.validation))
    )
    if result.duplicate_lines:
        echo(t("data.split_duplicates", lines=result.duplicate_lines))


def register(app: typer.Typer) -> None:
    from advisor.cli.data_grow import grow

    data_app.command("grow")(grow)

    from advisor.cli import data_review

    data_review.register(data_app)
    app.add_typer(data_app, name="data")
