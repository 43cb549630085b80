"""``advisor report``: the consultant's decision report as HTML (and PDF) (issue 16)."""

from __future__ import annotations

from pathlib import Path

import typer

from advisor.cli.advise import LANG_OPTION, Lang, resolve_lang
from advisor.cli.context import t
from advisor.cli.output import echo


def report(
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write report.html (and .pdf) in."),
    answers: Path | None = typer.Option(
        None, "--answers", "-a", help="Answers file (.yaml, .json or .toml).", dir_okay=False
    ),
    evidence: str | None = typer.Option(
        None,
        "--evidence",
        "-e",
        help="A folder or scenario whose files are measured; measured values win over answers.",
    ),
    results: list[Path] = typer.Option(
        [], "--results", "-r", help="A bench results.json (repeatable).", dir_okay=False
    ),
    lang: Lang | None = LANG_OPTION,
    pdf: bool = typer.Option(False, "--pdf", help="Also write report.pdf (WeasyPrint)."),
    volume: int = typer.Option(1000, "--volume", min=0, help="Requests a month, for the cost."),
    months: int = typer.Option(12, "--months", min=1, max=120, help="Months of cost to show."),
    hosting: float = typer.Option(
        0.0, "--hosting-usd-per-hour", min=0, help="Hardware cost per hour of a local model."
    ),
    price_model: str | None = typer.Option(
        None, "--price-model", help="Price the measured tokens as this model of the price table."
    ),
) -> None:
    """Write one self-contained decision report: advice, evidence, benchmark, cost, risks."""
    from advisor.app.report import report_bundle
    from advisor.bench.results_io import read_results
    from advisor.cli.advise import _with_evidence
    from advisor.criteria import Answers, load_answers
    from advisor.data.prices import load_prices
    from advisor.decision_report import CostSettings, write_report
    from advisor.errors import UserInputError

    lang = resolve_lang(lang)
    if answers is None and evidence is None and not results:
        raise UserInputError.from_catalog("report.nothing", hint_key="report.nothing_hint")
    if price_model is not None and load_prices().find(price_model) is None:
        raise UserInputError.from_catalog(
            "report.no_price", hint_key="report.no_price_hint", model=repr(price_model)
        )
    given = load_answers(answers) if answers is not None else Answers()
    given, found = _with_evidence(given, evidence, results[0] if results else None)
    bundle = report_bundle(
        given.root,
        lang=lang.value,
        evidence=found,
        results=[read_results(path) for path in results],
        cost=CostSettings(
            volume_per_month=volume,
            months=months,
            hosting_usd_per_hour=hosting,
            price_model=price_model,
        ),
    )
    for path in write_report(bundle, out, pdf=pdf).values():
        echo(t("wrote", path=str(path)))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
