"""The report's input bundle: everything the decision report shows, validated.

The CLI (and later the wizard) gathers the pieces; :func:`build_bundle` joins
them, and the renderers only read the bundle.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from advisor.bench.cost import CostReport, route_costs
from advisor.bench.outcome import Outcome, measured_outcome
from advisor.bench.schema import BenchResults
from advisor.criteria import Answers, Assessment, assess
from advisor.data.prices import PriceTable, load_lifecycle, load_prices
from advisor.evidence import Evidence


class BenchSection(BaseModel):
    """One benchmark: its results, the verdict on the advice, and its cost over time."""

    results: BenchResults
    outcome: Outcome
    cost: CostReport


class CostSettings(BaseModel):
    volume_per_month: int = Field(1000, ge=0)
    months: int = Field(12, ge=1, le=120)
    hosting_usd_per_hour: float = Field(0.0, ge=0)
    price_model: str | None = Field(None, description="Price every route as this model.")


class ReportBundle(BaseModel):
    """The input of the decision report (``advisor report``)."""

    lang: Literal["en", "ja"]
    subject: str | None = Field(None, description="What the decision is about (a title).")
    generated_at: str = Field(description="UTC, ISO 8601.")
    tool_version: str
    assessment: Assessment
    evidence: Evidence | None = None
    benches: list[BenchSection] = Field(default_factory=list)


def build_bundle(
    answers: Answers,
    *,
    lang: str = "en",
    evidence: Evidence | None = None,
    results: list[BenchResults] | None = None,
    cost: CostSettings | None = None,
    subject: str | None = None,
    prices: PriceTable | None = None,
    today: dt.date | None = None,
) -> ReportBundle:
    """Assess the answers and check the advice against each benchmark (``lang``: en or ja)."""
    from advisor import __version__

    code: Literal["en", "ja"] = "ja" if lang == "ja" else "en"

    assessment = assess(answers, lang=code, lifecycle=load_lifecycle(), today=today)
    rec = assessment.recommendation
    settings = cost or CostSettings()
    table = prices or load_prices()
    changes = str(assessment.answers.get("knowledge_changes", "rarely"))
    benches = [
        BenchSection(
            results=r,
            outcome=measured_outcome(r, rec.primary, rec.combination),
            cost=route_costs(
                r,
                table,
                volume=settings.volume_per_month,
                months=settings.months,
                knowledge_changes=changes,
                hosting_usd_per_hour=settings.hosting_usd_per_hour,
                price_model=settings.price_model,
            ),
        )
        for r in results or []
    ]
    if subject is None and benches:
        subject = benches[0].results.scenario.title or benches[0].results.scenario.name
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return ReportBundle(
        lang=code,
        subject=subject,
        generated_at=now.isoformat(),
        tool_version=__version__,
        assessment=assessment,
        evidence=evidence,
        benches=benches,
    )
