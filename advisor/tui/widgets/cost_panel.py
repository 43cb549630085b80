"""The Compare screen's Cost tab: cost over time per route, per correct answer, crossovers.

It draws a :class:`~advisor.bench.cost.CostReport` that ``advisor.app.cost``
computed, the same figures as ``advisor cost``; nothing is priced here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from advisor.tui.i18n import tr
from advisor.tui.widgets.charts import bar

if TYPE_CHECKING:
    from advisor.bench.cost import CostReport

# Months shown as columns (those within the horizon, and always its last one).
MILESTONES = (1, 3, 6, 12, 24, 36)
BAR_WIDTH = 30


def usd(value: float | None) -> str:
    """Dollars with cents, or six decimals below one dollar (per-request prices)."""
    if value is None:
        return "-"
    return f"${value:,.2f}" if abs(value) >= 1 else f"${value:.6f}"


def milestones(months: int) -> list[int]:
    return sorted({m for m in MILESTONES if m < months} | {months})


class CostPanel(VerticalScroll):
    """Cumulative cost per route as a table and bars, then where fine-tuning pays off."""

    DEFAULT_CSS = """
    CostPanel { height: 1fr; }
    CostPanel DataTable { height: auto; max-height: 12; }
    CostPanel Static { margin: 1 0 0 0; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="cost-title", markup=False)
        yield DataTable(id="cost-table", zebra_stripes=True, cursor_type="row")
        yield Static(id="cost-bars")
        yield Static(id="cost-crossover", markup=False)

    def show_error(self, message: str) -> None:
        self.query_one("#cost-title", Static).update(message)

    def show(self, report: CostReport, lang: str) -> None:
        months = milestones(report.months)
        self.query_one("#cost-title", Static).update(self._title(report, lang))
        table = self.query_one("#cost-table", DataTable)
        table.clear(columns=True)
        table.add_columns(
            tr("route", lang),
            tr("USD/request", lang),
            *[tr("month {n}", lang).format(n=m) for m in months],
            tr("USD/correct", lang),
        )
        for route in report.routes.values():
            table.add_row(
                route.route,
                usd(route.usd_per_request),
                *[usd(route.cumulative_usd[m - 1]) for m in months],
                usd(route.cost_per_correct_usd),
            )
        self.query_one("#cost-bars", Static).update(self._bars(report, lang))
        self.query_one("#cost-crossover", Static).update(self._crossovers(report, lang))

    @staticmethod
    def _title(report: CostReport, lang: str) -> str:
        head = tr("Cost over {months} months at {volume} requests a month", lang).format(
            months=report.months, volume=f"{report.volume_per_month:,}"
        )
        priced = report.priced_as
        if priced is None:
            return head + "\n" + tr("No price entry applied: per-request cost counted as 0.", lang)
        return f"{head}\n{priced.model} ({priced.provider}, {priced.price_date}; {priced.source})"

    @staticmethod
    def _bars(report: CostReport, lang: str) -> Text:
        totals = {name: route.total_usd for name, route in report.routes.items()}
        top = max(totals.values(), default=0.0)
        width = max((len(name) for name in totals), default=8)
        text = Text(tr("Total by the last month", lang) + "\n", style="bold")
        for name, total in totals.items():
            text.append(f"{name:<{width}} ", style="bold")
            text.append(bar(total, top, BAR_WIDTH))
            text.append(f" {usd(total)}\n")
        return text

    @staticmethod
    def _crossovers(report: CostReport, lang: str) -> str:
        if not report.crossover:
            return tr("No fine-tuned route in this bench: no crossover to show.", lang)
        lines = [tr("Fine-tuning pays off above this monthly volume", lang) + ":"]
        for c in report.crossover:
            volume = (
                tr("never (not cheaper per request)", lang)
                if c.volume_per_month is None
                else f"{c.volume_per_month:,.0f}"
            )
            lines.append(f"  {c.fine_tuned} / {c.baseline}: {volume}")
        return "\n".join(lines)
