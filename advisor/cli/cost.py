"""``advisor cost`` (cost over time, weighted by quality) and ``advisor prices`` (issue 16)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from advisor.cli.advise import LANG_OPTION, Lang, resolve_lang
from advisor.cli.context import lang as context_lang
from advisor.cli.context import t as msg
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json

if TYPE_CHECKING:
    from advisor.bench.cost import CostReport

_TEXT = {
    "en": {
        "title": "Cost over {months} months at {volume} requests a month",
        "priced": "Priced as {model} ({provider}; prices of {date}; source: {source})",
        "unpriced": "No price entry applied: per-request cost counted as 0.",
        "crossover": "Crossover (fine-tuning pays off above this monthly volume)",
        "never": "never (not cheaper per request)",
        "month": "break-even in month {month} at this volume",
        "no_month": "no break-even within the horizon at this volume",
        "quality": "per correct answer: {value}",
        "sep": "; ",
        "assumptions": "Assumptions",
    },
    "ja": {
        "title": "{months}か月間の費用（月{volume}リクエスト）",
        "priced": "価格：{model}（{provider}、{date}時点の価格、出典：{source}）",
        "unpriced": "価格表の該当なし：リクエストごとの費用は0として計算。",
        "crossover": "損益分岐点（この月間リクエスト数を超えるとファインチューニングが得）",
        "never": "なし（リクエストごとの費用が安くならない）",
        "month": "この件数なら{month}か月目に逆転",
        "no_month": "この件数では期間内に逆転しない",
        "quality": "正答あたりで比べると：{value}",
        "sep": "。",  # clauses of one line, as Japanese separates them
        "assumptions": "前提",
    },
}


_HEAD = {
    "en": ("Route", "Pass rate", "USD/request", "Training", "Total USD", "USD/correct"),
    "ja": ("手法", "合格率", "USD/リクエスト", "学習", "合計USD", "USD/正答"),
}


def cost(
    results: Path = typer.Option(..., "--results", "-r", help="results.json from advisor bench."),
    volume: int = typer.Option(1000, "--volume", min=0, help="Requests a month."),
    months: int = typer.Option(12, "--months", min=1, max=120, help="Months to add up."),
    answers: Path | None = typer.Option(
        None, "--answers", "-a", help="Answers file: its knowledge_changes sets re-training."
    ),
    hosting: float = typer.Option(
        0.0,
        "--hosting-usd-per-hour",
        min=0,
        help="Hardware cost per hour of a local or self-served model (also prices local training).",
    ),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Price the measured tokens as this model of the price table."
    ),
    lang: Lang | None = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Cumulative cost per route, cost per correct answer, and the crossover volume."""
    lang = resolve_lang(lang)
    from advisor.app.cost import cost_over_time
    from advisor.bench.results_io import read_results

    given = None
    if answers is not None:
        from advisor.criteria import load_answers

        given = load_answers(answers).root
    report = cost_over_time(
        read_results(results),
        volume=volume,
        months=months,
        answers=given,
        hosting_usd_per_hour=hosting,
        price_model=model,
    )
    if fmt is OutputFormat.json:
        print_json(report)
        return
    _print_report(report, lang.value)


def _usd(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.6f}"


def _print_report(report: CostReport, lang: str) -> None:
    t = _TEXT[lang]
    echo(t["title"].format(months=report.months, volume=f"{report.volume_per_month:,}"))
    if report.priced_as is not None:
        p = report.priced_as
        echo(
            t["priced"].format(
                model=p.model, provider=p.provider, date=p.price_date, source=p.source
            )
        )
    else:
        echo(t["unpriced"])
    rows = [_HEAD[lang]] + [
        (
            r.route,
            f"{r.pass_rate:.0%}",
            _usd(r.usd_per_request),
            f"{_usd(r.training_usd)} x{r.trainings}" if r.trainings else "-",
            _usd(r.total_usd),
            _usd(r.cost_per_correct_usd),
        )
        for r in report.routes.values()
    ]
    # Widths in terminal cells: the Japanese headers take two cells a character.
    widths = [max(cell_len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    echo("")
    for row in rows:
        echo("  ".join(_pad(str(cell), width) for cell, width in zip(row, widths, strict=True)))
    if report.crossover:
        echo("")
        echo(t["crossover"] + ":")
    for c in report.crossover:
        volume = t["never"] if c.volume_per_month is None else f"{c.volume_per_month:,.0f}"
        month = (
            t["month"].format(month=c.breakeven_month)
            if c.breakeven_month is not None
            else t["no_month"]
        )
        quality = (
            t["never"]
            if c.quality_volume_per_month is None
            else (f"{c.quality_volume_per_month:,.0f}")
        )
        clauses = t["sep"].join((volume, month, t["quality"].format(value=quality)))
        echo(f"  {c.fine_tuned} vs {c.baseline}: {clauses}")
    echo("")
    echo(t["assumptions"] + ":")
    from advisor.bench.cost import ASSUMPTIONS_JA

    for line in ASSUMPTIONS_JA if lang == "ja" else report.assumptions:
        echo(f"  - {line}")


prices_app = typer.Typer(help="The dated price and lifecycle tables: show or refresh them.")


@prices_app.command("show")
def prices_show(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Print the price table (training and inference) and the provider lifecycles."""
    from advisor.data.prices import installed_path, load_lifecycle, load_prices

    table, lifecycle = load_prices(), load_lifecycle()
    if fmt is OutputFormat.json:
        payload: dict[str, Any] = {
            "prices": table.model_dump(mode="json"),
            "lifecycle": lifecycle.model_dump(mode="json"),
            "installed": {
                name: str(installed_path(name)) if installed_path(name).is_file() else None
                for name in ("prices.yaml", "lifecycle.yaml")
            },
        }
        print_json(payload)
        return
    echo(msg("prices.title", currency=table.currency, date=table.price_date))
    columns = msg("prices.columns").split("|")
    widths = (9, 24, 7, 6, 6, 6, 6, 10, 0)
    echo(" ".join(_pad(c, w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for m in table.models:
        date, source = table.dated(m, context_lang())
        train = (
            f"{m.training_per_million_tokens:g}"
            if m.training_per_million_tokens is not None
            else (f"{m.training_per_hour:g}/h" if m.training_per_hour is not None else "-")
        )
        cells = [
            m.input_per_million_tokens,
            m.output_per_million_tokens,
            m.fine_tuned_input_per_million_tokens,
            m.fine_tuned_output_per_million_tokens,
        ]
        row = [m.provider, m.model, train, *(f"{c:g}" if c is not None else "-" for c in cells)]
        row += [date, source]
        echo(" ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    echo("")
    echo(msg("prices.lifecycles", date=lifecycle.checked.isoformat()))
    lang = context_lang()
    for entry in lifecycle.entries:
        echo(f"  {entry.subject_in(lang)} [{entry.provider}]")
        for event in entry.events:
            when = event.date.isoformat() if event.date else msg("prices.date_unknown")
            mark = "" if event.verified else " " + msg("prices.unverified")
            note = f" - {event.note_in(lang)}" if event.note else ""
            status = msg(f"core.lifecycle.{event.status}")
            echo(
                f"    {when}  {status}{note}{mark}; "
                + msg("prices.source", source=event.source_in(lang))
            )


@prices_app.command("refresh")
def prices_refresh(
    file: Path = typer.Argument(
        ..., help="A price table or lifecycle table (YAML).", dir_okay=False
    ),
) -> None:
    """Validate FILE and install it in the data directory, where it overrides the shipped one."""
    from advisor.data.prices import refresh_table
    from advisor.errors import DataFileError

    if not file.is_file():
        raise DataFileError.from_catalog(
            "core.cli.table_not_found", hint_key="core.cli.table_not_found_hint", path=str(file)
        )
    kind, target = refresh_table(file)
    echo(msg("prices.installed", kind=kind, path=str(target)))


def cell_len(text: str) -> int:
    from rich.cells import cell_len as cells

    return cells(text)


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal cells (never cut)."""
    return text + " " * max(0, width - cell_len(text))


def register(app: typer.Typer) -> None:
    app.command("cost")(cost)
    app.add_typer(prices_app, name="prices")
