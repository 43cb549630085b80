"""Cost over time, weighted by measured quality (issue 16): ``advisor cost``.

The model (docs/cost.md states it with its assumptions):

* per request: measured prompt and completion tokens of each route (results.json)
  times the price of the model that serves it (fine-tuned routes pay the
  fine-tuned price);
* per month: ``volume`` requests, plus hosting (``hosting_usd_per_hour`` x 730 h)
  when the model is served on one's own hardware, plus the provider's hourly fee
  for a deployed fine-tuned model where its price entry has one (Azure Standard);
* training: a fine-tuned route pays its training when it starts and again at every
  re-training, whose cadence follows the ``knowledge_changes`` answer;
* cost per correct answer: the total over the horizon / (requests x pass rate);
* crossover: the monthly volume above which a fine-tuned route costs less over the
  horizon than a route without training (and the same per correct answer).

Pure arithmetic on a validated :class:`BenchResults`; the CLI does the I/O.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from advisor.bench.schema import BenchResults, RouteResult
from advisor.data.prices import ModelPrice, PriceTable

HOURS_PER_MONTH = 730.0  # 8,760 hours a year / 12
# Months between re-trainings for each ``knowledge_changes`` answer.  Daily changes
# cannot be followed by retraining; monthly is the practical floor (and the advisor
# recommends retrieval for them).
RETRAIN_EVERY_MONTHS: dict[str, int] = {"rarely": 12, "monthly": 1, "daily": 1}


class PricedAs(BaseModel):
    model: str
    provider: str
    price_date: str
    source: str


class RouteCost(BaseModel):
    route: str
    model: str = Field(description="The model the bench ran.")
    fine_tuned: bool
    pass_rate: float
    prompt_tokens_per_request: float
    completion_tokens_per_request: float
    usd_per_request: float
    training_usd: float = Field(description="One training run (0 without training).")
    trainings: int = Field(description="Training runs within the horizon.")
    hosting_usd_per_month: float
    cumulative_usd: list[float] = Field(description="Total spent by the end of each month.")
    total_usd: float
    cost_per_correct_usd: float | None = Field(
        description="total_usd / (requests x pass rate); None when nothing passed."
    )
    notes: list[str] = Field(default_factory=list)


class Crossover(BaseModel):
    fine_tuned: str
    baseline: str
    volume_per_month: float | None = Field(
        description="Requests a month above which the fine-tuned route costs less over the "
        "horizon; None when it never does (it is not cheaper per request)."
    )
    breakeven_month: int | None = Field(
        description="At the given volume, the first month its cumulative cost is not higher."
    )
    quality_volume_per_month: float | None = Field(
        description="The same volume, comparing cost per correct answer."
    )


class CostReport(BaseModel):
    volume_per_month: int
    months: int
    knowledge_changes: str
    retrain_every_months: int
    hosting_usd_per_hour: float
    priced_as: PricedAs | None = Field(description="The price entry used; None: no price.")
    routes: dict[str, RouteCost]
    crossover: list[Crossover]
    assumptions: list[str]


def _price_for(table: PriceTable, model: str, provider: str | None = None) -> ModelPrice | None:
    base = model.split(":")[2] if model.startswith("local:ft:") else model
    return table.find(base, provider)


def _request_usd(price: ModelPrice | None, prompt: float, completion: float, tuned: bool) -> float:
    if price is None:
        return 0.0
    pin = price.fine_tuned_input_per_million_tokens if tuned else price.input_per_million_tokens
    pout = price.fine_tuned_output_per_million_tokens if tuned else price.output_per_million_tokens
    return (prompt * (pin or 0.0) + completion * (pout or 0.0)) / 1_000_000


def _training_usd(
    route: RouteResult, price: ModelPrice | None, hosting_usd_per_hour: float, override: bool
) -> float:
    """One training run: the job's own cost, else the price table, else own hardware."""
    prep = route.preparation
    if prep.kind != "fine_tune":
        return 0.0
    if prep.cost_usd and not override:
        return prep.cost_usd
    if price is not None:
        if price.training_per_million_tokens is not None and prep.trained_tokens:
            return prep.trained_tokens * price.training_per_million_tokens / 1_000_000
        if price.training_per_hour is not None:
            return prep.seconds / 3600 * price.training_per_hour
    # Trained on one's own hardware: the measured time at the hosting rate.
    return prep.seconds / 3600 * hosting_usd_per_hour


def _cumulative(
    monthly: float, training: float, months: int, every: int
) -> tuple[list[float], int]:
    total, curve, runs = 0.0, [], 0
    for month in range(months):
        if training and month % every == 0:
            total += training
            runs += 1
        total += monthly
        curve.append(round(total, 6))
    return curve, runs


def route_costs(
    results: BenchResults,
    table: PriceTable,
    *,
    volume: int,
    months: int,
    knowledge_changes: str = "rarely",
    hosting_usd_per_hour: float = 0.0,
    price_model: str | None = None,
) -> CostReport:
    """Per-route cumulative cost, cost per correct answer, and the crossovers."""
    every = RETRAIN_EVERY_MONTHS[knowledge_changes]
    chosen = table.find(price_model) if price_model else None
    routes: dict[str, RouteCost] = {}
    priced_as: PricedAs | None = None
    for name, route in results.routes.items():
        metrics = route.metrics
        if route.status != "ok" or metrics is None:
            continue
        tuned = route.preparation.kind == "fine_tune"
        # A deployed fine-tuned model (Azure) answers under a deployment name: price the model.
        served = (route.preparation.model if tuned else None) or route.model
        price = chosen or _price_for(table, served, results.config.backend)
        notes: list[str] = []
        if price is None:
            notes.append(f"no price for {route.model}: per-request cost counted as 0")
        elif priced_as is None:
            date, source = table.dated(price)
            priced_as = PricedAs(
                model=price.model, provider=price.provider, price_date=date, source=source
            )
        per_request = _request_usd(
            price, metrics.prompt_tokens_per_request, metrics.completion_tokens_per_request, tuned
        )
        training = _training_usd(route, price, hosting_usd_per_hour, chosen is not None)
        hosting = hosting_usd_per_hour * HOURS_PER_MONTH
        fee = price.fine_tuned_hosting_per_hour if tuned and price is not None else None
        if fee:
            hosting += fee * HOURS_PER_MONTH
            notes.append(f"includes a hosting fee of ${fee:.2f}/hour for the deployed model")
        curve, runs = _cumulative(volume * per_request + hosting, training, months, every)
        total = curve[-1] if curve else 0.0
        correct = volume * months * metrics.pass_rate
        routes[name] = RouteCost(
            route=name,
            model=route.model,
            fine_tuned=tuned,
            pass_rate=metrics.pass_rate,
            prompt_tokens_per_request=metrics.prompt_tokens_per_request,
            completion_tokens_per_request=metrics.completion_tokens_per_request,
            usd_per_request=round(per_request, 9),
            training_usd=round(training, 6),
            trainings=runs,
            hosting_usd_per_month=round(hosting, 6),
            cumulative_usd=curve,
            total_usd=total,
            cost_per_correct_usd=round(total / correct, 9) if correct > 0 else None,
            notes=notes,
        )
    return CostReport(
        volume_per_month=volume,
        months=months,
        knowledge_changes=knowledge_changes,
        retrain_every_months=every,
        hosting_usd_per_hour=hosting_usd_per_hour,
        priced_as=priced_as,
        routes=routes,
        crossover=crossovers(routes, volume=volume, months=months),
        assumptions=ASSUMPTIONS,
    )


def crossovers(routes: dict[str, RouteCost], *, volume: int, months: int) -> list[Crossover]:
    """Each fine-tuned route against each route without training."""
    found: list[Crossover] = []
    for tuned in (r for r in routes.values() if r.fine_tuned):
        training_total = tuned.training_usd * tuned.trainings
        for base in (r for r in routes.values() if not r.fine_tuned):
            # Hosting paid by the fine-tuned route only (a deployment's fee) is a fixed cost too.
            extra_hosting = tuned.hosting_usd_per_month - base.hosting_usd_per_month
            fixed = training_total + months * max(0.0, extra_hosting)
            saving = base.usd_per_request - tuned.usd_per_request
            volume_star = fixed / (months * saving) if saving > 0 else None
            if fixed == 0 and saving >= 0:
                volume_star = 0.0
            # Per correct answer: p_b (T + M V c_f) = p_f M V c_b, solved for V.
            quality = (
                tuned.pass_rate * base.usd_per_request - base.pass_rate * tuned.usd_per_request
            )
            quality_star = base.pass_rate * fixed / (months * quality) if quality > 0 else None
            breakeven = next(
                (
                    m + 1
                    for m, (a, b) in enumerate(
                        zip(tuned.cumulative_usd, base.cumulative_usd, strict=True)
                    )
                    if a <= b
                ),
                None,
            )
            found.append(
                Crossover(
                    fine_tuned=tuned.route,
                    baseline=base.route,
                    volume_per_month=None if volume_star is None else round(volume_star, 3),
                    breakeven_month=breakeven,
                    quality_volume_per_month=None
                    if quality_star is None
                    else round(quality_star, 3),
                )
            )
    return found


ASSUMPTIONS = [
    "Tokens per request are the bench's measured means (prompt and completion).",
    "Fine-tuned routes pay the fine-tuned inference price and a training run at the start "
    "and at every re-training (rarely: every 12 months; monthly or daily: every month).",
    "Training cost: trained tokens x the training price, or billed hours for RFT; trained on "
    "own hardware, the measured training time x the hosting rate.",
    "Hosting (own hardware): the hourly rate x 730 hours a month, for every route.",
    "Retrieval indexing and embedding are counted as free (local embeddings).",
    "Cost per correct answer: the horizon's total / (requests x measured pass rate).",
]

ASSUMPTIONS_JA = [
    "リクエストあたりのトークン数は、ベンチマークで測定した平均（プロンプトと出力）。",
    "ファインチューニングした手法は、ファインチューニング済みモデルの推論価格を払い、開始時と"
    "再学習のたびに学習費用がかかる（ほとんど変わらない：12か月ごと、毎月・毎日：毎月）。",
    "学習費用：学習トークン数×学習価格、RFTは課金時間。自社のハードウェアで学習した場合は、"
    "測定した学習時間×ホスティング単価。",
    "ホスティング（自社のハードウェア）：時間単価×月730時間。すべての手法に計上。",
    "検索のインデックス作成と埋め込みは無料として計算（ローカルの埋め込み）。",
    "正答あたりの費用：期間の合計÷（リクエスト数×測定した合格率）。",
]
