"""The report's sections before and after the benchmark: lead, score, evidence, risks."""

from __future__ import annotations

from advisor.criteria.catalog import Source, load_catalog
from advisor.decision_report.bench_sections import benchmark, cost, outcome_text
from advisor.decision_report.bundle import ReportBundle
from advisor.decision_report.page import bullets, e, route_name, table
from advisor.decision_report.strings import Strings

__all__ = ["benchmark", "cost", "evidence", "lead", "risks", "score"]


def _section(title: str, body: str, anchor: str) -> str:
    return f'<section class="section" id="{anchor}"><h2>{e(title)}</h2>{body}</section>'


def lead(bundle: ReportBundle, t: Strings, subject: str) -> str:
    """The question and the recommendation, up front."""
    rec = bundle.assessment.recommendation
    lang = bundle.lang
    primary = f"{t('recommended_route')}: {route_name(rec.primary, lang)}"
    rows = [f'<div class="route">{e(primary)}</div>']
    if len(rec.combination) > 1:
        names = " + ".join(route_name(r, lang) for r in rec.combination)
        rows.append(f"<div>{e(t('combination'))}: {e(names)}</div>")
    rows.append(f"<p>{e(rec.summary)}</p>")
    facts = [f"{e(t('confidence'))}: {e(rec.confidence_label)} ({rec.confidence:.0%})"]
    if rec.runner_up:
        facts.append(
            f"{e(t('runner_up'))}: {e(route_name(rec.runner_up, lang))} "
            f"({e(t('margin', margin=f'{rec.margin:g}'))})"
        )
    rows.append(f"<p>{' · '.join(facts)}</p>")
    for section in bundle.benches:
        status = section.outcome.status
        rows.append(
            f"<p>{e(t('verdict_line'))} ({e(section.results.scenario.name)}): "
            f'<span class="badge {e(status)}">{e(t("status_" + status))}</span> '
            f"{e(outcome_text(section.outcome, t))}</p>"
        )
    question = f"<h3>{e(t('question_head'))}</h3><p>{e(t('question', subject=subject))}</p>"
    return (
        f'<section class="section" id="summary">{question}'
        f"<h3>{e(t('recommendation_head'))}</h3>"
        f'<div class="lead">{"".join(rows)}</div></section>'
    )


def _rule_sources() -> dict[str, Source]:
    """Rule id -> the statement it rests on (criteria, gates, lifecycle)."""
    catalog = load_catalog()
    by_id = {s.id: s for s in catalog.sources}
    rules = [(c.id, c.source) for c in catalog.criteria] + [(g.id, g.source) for g in catalog.gates]
    if catalog.lifecycle is not None:
        rules.append((catalog.lifecycle.id, catalog.lifecycle.source))
    return {rule: by_id[source] for rule, source in rules if source in by_id}


def _cited(sources: dict[str, Source], cited: list[Source], rule: str) -> str:
    """``[n] origin`` for a rule's source, numbering sources in order of first use."""
    source = sources.get(rule)
    if source is None:
        return e(rule)
    if source not in cited:
        cited.append(source)
    return f"[{cited.index(source) + 1}] {e(source.origin)}"


def _source_list(cited: list[Source], lang: str, t: Strings) -> str:
    items = [
        f"[{n}] <b>{e(s.origin)}</b> ({e(s.id)}): {e(getattr(s.text, lang))}"
        for n, s in enumerate(cited, 1)
    ]
    listed = "".join(f"<li>{item}</li>" for item in items)
    return f"<h3>{e(t('sources_head'))}</h3><ul class='sources'>{listed}</ul>"


def score(bundle: ReportBundle, t: Strings) -> str:
    """Every route's score, and for the leading routes the rules behind it."""
    a, lang = bundle.assessment, bundle.lang
    sources = _rule_sources()
    cited: list[Source] = []
    rows = [
        (
            e(route_name(r.route, lang)),
            f"{r.score:g}",
            e(t("word_yes") if r.eligible else t("word_no")),
        )
        for r in a.routes
    ]
    body = [f"<p>{e(t('score_intro'))}</p>"]
    body.append(table([e(t("col_route")), e(t("col_score")), e(t("col_eligible"))], rows, {1}))
    shown = [r for r in a.routes if r.eligible][:3]
    for r in shown:
        title = t("reasons_for", route=route_name(r.route, lang), score=f"{r.score:g}")
        body.append(f"<h3>{e(title)}</h3>")
        reasons = [
            (f"{x.contribution:+g}", e(x.text), _cited(sources, cited, x.criterion))
            for x in r.reasons
        ]
        heads = [e(t("col_points")), e(t("col_why")), e(t("col_source"))]
        body.append(table(heads, reasons, {0}, cls="reasons"))
    for r in (r for r in a.routes if not r.eligible and r.route == a.recommendation.runner_up):
        body.append(f"<h3>{e(t('gates_for', route=route_name(r.route, lang)))}</h3>")
        body.append(bullets(e(g.text) for g in r.gates))
    if cited:
        body.append(_source_list(cited, lang, t))
    if a.flips:
        body.append(f"<h3>{e(t('flips_head'))}</h3>")
        body.append(bullets(e(f.text) for f in a.flips))
    return _section(t("score_head"), "".join(body), "score")


def evidence(bundle: ReportBundle, t: Strings) -> str:
    """What the client's files showed, next to what was stated."""
    found = bundle.evidence
    if found is None:
        return _section(t("evidence_head"), f"<p>{e(t('evidence_none'))}</p>", "evidence")
    body = [
        "<p>"
        + e(
            t(
                "evidence_source",
                source=found.source,
                examples=found.example_count if found.example_count is not None else 0,
                documents=found.knowledge_files,
                tokens=f"{found.knowledge_tokens:,}",
            )
        )
        + "</p>"
    ]
    rows, lang = [], bundle.lang
    for f in found.findings:
        mark = f' <span class="warn">⚠ {e(t("contradiction"))}</span>' if f.contradicts else ""
        said = (f.question_in(lang), f.stated_in(lang), f.measured_in(lang), f.detail_in(lang))
        question, stated, measured, how = (e(cell) for cell in said)
        rows.append((question, stated, measured + mark, how))
    heads = [t("col_question"), t("col_stated"), t("col_measured"), t("col_how")]
    body.append(table([e(h) for h in heads], rows))
    if found.language:
        body.append(f"<p>{e(t('language'))}: {e(found.language)}</p>")
    warned = found.warnings_in(lang)
    body.append(bullets(f'<span class="warn">{e(w)}</span>' for w in warned))
    return _section(t("evidence_head"), "".join(body), "evidence")


def risks(bundle: ReportBundle, t: Strings) -> str:
    """Warnings, provider lifecycle, what the benchmark leaves open, next steps."""
    a, lang = bundle.assessment, bundle.lang
    items = [e(w) for w in a.warnings]
    for section in bundle.benches:
        o = section.outcome
        if o.status == "refuted" and o.best:
            items.append(e(t("outcome_risk_refuted", best=route_name(o.best, lang))))
        elif o.status == "inconclusive":
            items.append(e(t("outcome_risk_inconclusive")))
    if bundle.evidence is not None:
        items += [e(w) for w in bundle.evidence.warnings_in(lang)]
    body = [f"<h3>{e(t('risks'))}</h3>", bullets(items) or f"<p>{e(t('no_risks'))}</p>"]
    body.append(f"<h3>{e(t('lifecycle_head'))}</h3>")
    closures = [
        e(
            t(
                "lifecycle_line",
                route=route_name(c.route, lang),
                subject=c.subject,
                provider=c.provider,
                status=t("lc_" + c.status),
                date=c.date.isoformat(),
                horizon_end=c.horizon_end.isoformat(),
                source=c.source,
            )
        )
        for c in a.closures
    ]
    body.append(bullets(closures) or f"<p>{e(t('lifecycle_none'))}</p>")
    body.append(f"<h3>{e(t('next_steps'))}</h3>")
    body.append("<ol>" + "".join(f"<li>{e(s)}</li>" for s in a.recommendation.next_steps) + "</ol>")
    return _section(t("risks_head"), "".join(body), "risks")
