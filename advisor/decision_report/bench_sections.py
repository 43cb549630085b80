"""The report's measured sections: the benchmark verdict and the cost over time."""

from __future__ import annotations

from advisor.bench.cost import ASSUMPTIONS_JA
from advisor.bench.outcome import Outcome
from advisor.bench.report_i18n import stored
from advisor.bench.schema import BenchResults
from advisor.decision_report.bundle import BenchSection, ReportBundle
from advisor.decision_report.charts import cost_chart, pass_rate_chart
from advisor.decision_report.page import bullets, e, table
from advisor.decision_report.strings import Strings

MAX_SAMPLES = 3  # prompts shown side by side
MAX_ANSWER_CHARS = 400


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _usd(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.6f}"


def outcome_text(o: Outcome, t: Strings) -> str:
    """The verdict on the advice, in the report's language."""
    if o.status == "not_run":
        return t("outcome_not_run", recommended=o.recommended)
    if o.rival is None:
        return t("outcome_alone", measured=o.measured_route, rate=_pct(o.pass_rate))
    rival_rate = (o.pass_rate or 0.0) + (o.difference or 0.0)
    values = {
        "measured": o.measured_route, "rival": o.rival, "rate": _pct(o.pass_rate),
        "rival_rate": _pct(rival_rate), "n": o.n_prompts, "alpha": o.alpha,
        "diff": f"{(o.difference or 0) * 100:+.0f}",
    }  # fmt: skip
    text = t("outcome_" + o.status, **values)
    if o.status == "inconclusive" and o.prompts_needed is not None:
        text += " " + t("outcome_needed", needed=o.prompts_needed)
    return text


def _routes_table(results: BenchResults, t: Strings) -> str:
    rows = []
    for name, r in results.routes.items():
        m = r.metrics
        if r.status != "ok" or m is None:
            why = stored(r.error, t.lang) if r.error else r.status  # the reason in t's language
            rows.append((e(name), e(t("not_ran", why=why)), "", "", ""))
            continue
        low, high = m.pass_rate_ci
        latency = "-" if m.latency_p50_s is None else f"{m.latency_p50_s:.1f} s"
        tokens = f"{m.prompt_tokens_per_request:,.0f} + {m.completion_tokens_per_request:,.0f}"
        rows.append((e(name), _pct(m.pass_rate), f"{low:.0%}–{high:.0%}", tokens, latency))
    heads = ["col_route", "col_pass_rate", "col_interval", "col_tokens", "col_latency"]
    return table([e(t(h)) for h in heads], rows, {1, 2, 3, 4})


def _comparisons(results: BenchResults, t: Strings) -> str:
    if not results.comparisons:
        return ""
    rows = [
        (
            e(f"{c.route_a} − {c.route_b}"),
            f"{c.difference * 100:+.0f} ({c.difference_ci[0] * 100:+.0f} … "
            f"{c.difference_ci[1] * 100:+.0f})",
            f"{c.p_value:.3g}",
            e(t("word_yes") if c.significant else t("word_no")),
        )
        for c in results.comparisons
    ]
    heads = ["col_pair", "col_difference", "col_p", "col_significant"]
    return f"<h3>{e(t('comparisons_head'))}</h3>" + table([e(t(h)) for h in heads], rows, {1, 2})


def _clip(text: str, t: Strings) -> str:
    if len(text) <= MAX_ANSWER_CHARS:
        return e(text)
    return e(text[:MAX_ANSWER_CHARS]) + f' <span class="muted">{e(t("truncated"))}</span>'


def _samples(results: BenchResults, t: Strings) -> str:
    """Prompts where the routes disagree, each route's first answer side by side."""
    ran = {n: r for n, r in results.routes.items() if r.status == "ok" and r.samples}
    if len(ran) < 2:
        return ""
    first = {n: {s.prompt_id: s for s in r.samples if s.repeat == 0} for n, r in ran.items()}
    chosen = [
        p
        for p in results.prompts
        if len({first[n][p.id].passed for n in ran if p.id in first[n]}) > 1
    ][:MAX_SAMPLES]
    if not chosen:
        return ""
    out = [f"<h3>{e(t('samples_head'))}</h3><p class='muted'>{e(t('samples_intro'))}</p>"]
    for p in chosen:
        ref = f"<br><b>{e(t('reference'))}</b>: {e(p.reference)}" if p.reference else ""
        cells = []
        for name in ran:
            s = first[name].get(p.id)
            if s is None:
                cells.append("-")
                continue
            mark = (
                f'<span class="pass">{e(t("passed"))}</span>'
                if s.passed
                else f'<span class="fail">{e(t("failed"))}</span>'
            )
            cells.append(f'{mark}<div class="answer">{_clip(s.text, t)}</div>')
        out.append(f"<p><b>{e(t('prompt'))}</b> {e(p.id)}: {_clip(p.prompt, t)}{ref}</p>")
        out.append(table([e(n) for n in ran], [cells], cls="samples"))
    return "".join(out)


def _bench(section: BenchSection, t: Strings) -> str:
    r, o = section.results, section.outcome
    setup = t(
        "bench_setup", scenario=r.scenario.title or r.scenario.name, n=len(r.prompts),
        repeats=r.config.repeats, backend=r.config.backend, model=r.config.model,
        created=r.created_at,
    )  # fmt: skip
    rates = [
        (n, x.metrics.pass_rate, x.metrics.pass_rate_ci)
        for n, x in r.routes.items()
        if x.status == "ok" and x.metrics is not None
    ]
    best = ""
    if o.best is not None:
        best = f"<p>{e(t('best_line', best=o.best, rate=_pct(o.best_pass_rate)))}</p>"
    return (
        f"<h3>{e(r.scenario.name)}</h3><p class='muted'>{e(setup)}</p>"
        f'<p><span class="badge {e(o.status)}">{e(t("status_" + o.status))}</span> '
        f"{e(outcome_text(o, t))}</p>{best}"
        + pass_rate_chart(t("chart_pass_title"), rates)
        + _routes_table(r, t)
        + _comparisons(r, t)
        + _samples(r, t)
    )


def benchmark(bundle: ReportBundle, t: Strings) -> str:
    body = "".join(_bench(s, t) for s in bundle.benches) or f"<p>{e(t('bench_none'))}</p>"
    return f'<section class="section" id="benchmark"><h2>{e(t("bench_head"))}</h2>{body}</section>'


def _cost(section: BenchSection, t: Strings, lang: str) -> str:
    c = section.cost
    out = [f"<h3>{e(section.results.scenario.name)}</h3>"]
    out.append(f"<p>{e(t('cost_intro', months=c.months, volume=f'{c.volume_per_month:,}'))}</p>")
    if c.priced_as is not None:
        p = c.priced_as
        priced = t(
            "priced_as", model=p.model, provider=p.provider, date=p.price_date, source=p.source
        )
    else:
        priced = t("unpriced")
    out.append(f"<p class='muted'>{e(priced)}</p>")
    series = {name: r.cumulative_usd for name, r in c.routes.items()}
    markers = [
        (x.breakeven_month, t("breakeven_mark", tuned=x.fine_tuned, base=x.baseline))
        for x in c.crossover
        if x.breakeven_month is not None
    ]
    out.append(cost_chart(t("chart_cost_title"), series, t("month"), markers))
    rows = [
        (
            e(r.route), _pct(r.pass_rate), _usd(r.usd_per_request),
            f"{_usd(r.training_usd)} ×{r.trainings}" if r.trainings else "-",
            _usd(r.total_usd), _usd(r.cost_per_correct_usd),
        )
        for r in c.routes.values()
    ]  # fmt: skip
    heads = ["col_route", "col_pass_rate", "col_usd_request", "col_training", "col_total",
             "col_per_correct"]  # fmt: skip
    out.append(table([e(t(h)) for h in heads], rows, {1, 2, 3, 4, 5}))
    lines = []
    for x in c.crossover:
        if x.volume_per_month is None:
            lines.append(e(t("crossover_never", tuned=x.fine_tuned, base=x.baseline)))
            continue
        month = (
            t("breakeven", month=x.breakeven_month)
            if x.breakeven_month is not None
            else t("no_breakeven")
        )
        volume = f"{x.volume_per_month:,.0f}"
        lines.append(e(t("crossover_line", tuned=x.fine_tuned, base=x.baseline, volume=volume,
                         month=month)))  # fmt: skip
    if lines:
        out.append(f"<h3>{e(t('crossover_head'))}</h3>" + bullets(lines))
    assumptions = ASSUMPTIONS_JA if lang == "ja" else c.assumptions
    out.append(f"<h3>{e(t('assumptions'))}</h3>" + bullets(e(a) for a in assumptions))
    return "".join(out)


def cost(bundle: ReportBundle, t: Strings) -> str:
    body = "".join(_cost(s, t, bundle.lang) for s in bundle.benches)
    body = body or f"<p>{e(t('cost_none'))}</p>"
    return f'<section class="section" id="cost"><h2>{e(t("cost_head"))}</h2>{body}</section>'
