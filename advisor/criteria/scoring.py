"""Pure scoring: answers in, an explained :class:`Assessment` out.  No I/O, no UI.

How a route's score is built (all numbers live in ``catalog.yaml``):

1. every criterion whose condition holds adds its ``effects`` to the routes it names,
   and each addition becomes an itemized reason (criterion id, points, text);
2. gates mark routes ineligible, whatever they scored (the score is still shown,
   so a client sees what fine-tuning *would* score with enough data);
3. the primary route is the best eligible one; ties go to the route listed first in
   the catalog (the cheaper one), so the result is deterministic;
4. confidence is the margin to the eligible runner-up, scaled to 0..1;
5. flips: for each question, the nearest other answer that changes the primary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from advisor.criteria.answers import Answers
from advisor.criteria.catalog import (
    AnswerValue,
    Catalog,
    Condition,
    ConfidenceCap,
    Question,
    load_catalog,
)
from advisor.criteria.checks import ROUTE_PLACEHOLDERS
from advisor.criteria.lifecycle import Closure, Lifecycle, closures, shipped_lifecycle
from advisor.criteria.result import (
    Assessment,
    Flip,
    GateReason,
    Reason,
    Recommendation,
    RouteScore,
)


@dataclass
class _Tally:
    """The raw outcome of scoring, before any text is attached."""

    scores: dict[str, float]
    reasons: dict[str, list[tuple[str, float]]]
    gates: dict[str, list[str]]
    primary: str
    runner_up: str | None
    eligible: dict[str, bool] = field(default_factory=dict)
    closures: list[Closure] = field(default_factory=list)


@dataclass(frozen=True)
class _When:
    """The lifecycle table and the day the horizon is counted from."""

    lifecycle: Lifecycle
    today: dt.date


def holds(cond: Condition, values: Mapping[str, AnswerValue], tally: _Tally | None = None) -> bool:
    """Whether ``cond`` is true for these answers (and, after scoring, this outcome)."""
    if cond.question is not None:
        value = values[cond.question]
        if cond.is_ is not None:
            return value == cond.is_ and type(value) is type(cond.is_)
        if cond.in_ is not None:
            return value in cond.in_
        number = int(value)
        low_ok = cond.at_least is None or number >= cond.at_least
        return low_ok and (cond.below is None or number < cond.below)
    if cond.all_ is not None:
        return all(holds(c, values, tally) for c in cond.all_)
    if cond.any_ is not None:
        return any(holds(c, values, tally) for c in cond.any_)
    if cond.not_ is not None:
        return not holds(cond.not_, values, tally)
    if cond.count is not None:
        return sum(holds(c, values, tally) for c in cond.count) >= (cond.at_least or 0)
    if tally is None:  # the catalog check forbids this in scoring rules
        raise ValueError("a result condition was evaluated before scoring")
    if cond.primary_in is not None:
        return tally.primary in cond.primary_in
    return tally.eligible.get(cond.eligible or "", False)


def _tally(values: Mapping[str, AnswerValue], catalog: Catalog, when: _When) -> _Tally:
    route_ids = catalog.route_ids()
    reasons: dict[str, list[tuple[str, float]]] = {r: [] for r in route_ids}
    for crit in catalog.criteria:
        if crit.when is None or holds(crit.when, values):
            for route, points in crit.effects.items():
                if points:
                    reasons[route].append((crit.id, points))
    found = closures(values, when.lifecycle, when.today) if catalog.lifecycle else []
    if catalog.lifecycle is not None and values.get("provider") != "undecided":
        # Only a chosen provider costs points; "undecided" gets a warning instead.
        for route in dict.fromkeys(c.route for c in found):
            if route in reasons:
                reasons[route].append((catalog.lifecycle.id, catalog.lifecycle.points))
    gates: dict[str, list[str]] = {r: [] for r in route_ids}
    for gate in catalog.gates:
        if holds(gate.when, values):
            for route in gate.routes:
                gates[route].append(gate.id)
    # Rounded so float noise never decides a tie.
    scores = {r: round(sum(p for _, p in reasons[r]), 4) for r in route_ids}
    eligible = {r: not gates[r] for r in route_ids}
    ranked = _rank(scores, eligible, route_ids)
    return _Tally(
        scores=scores,
        reasons=reasons,
        gates=gates,
        primary=ranked[0],
        runner_up=ranked[1] if len(ranked) > 1 else None,
        eligible=eligible,
        closures=found,
    )


def _rank(scores: dict[str, float], eligible: dict[str, bool], order: list[str]) -> list[str]:
    """Eligible routes best first; ties keep catalog order."""
    candidates = [r for r in order if eligible[r]] or list(order)
    return sorted(candidates, key=lambda r: (-scores[r], order.index(r)))


def _as_values(answers: Answers | Mapping[str, Any], catalog: Catalog) -> dict[str, AnswerValue]:
    if not isinstance(answers, Answers):
        answers = Answers(dict(answers))
    return answers.resolved(catalog)


class _Format(dict[str, Any]):
    """Leaves unknown placeholders as they are instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _placeholders(
    values: dict[str, AnswerValue], tally: _Tally, catalog: Catalog, lang: str
) -> _Format:
    """The values a text's ``{placeholder}`` can name: the answers and a few derived ones."""
    ft_ids = catalog.fine_tuning_criteria()
    fmt = _Format(values)
    fmt.update(
        ft_count=sum(values[q] is True for q in ft_ids),
        ft_total=len(ft_ids),
        primary_name=catalog.route(tally.primary).name.get(lang),
        runner_up_name=catalog.route(tally.runner_up).name.get(lang) if tally.runner_up else "",
    )
    return fmt


def _route_scores(tally: _Tally, catalog: Catalog, lang: str, fmt: _Format) -> list[RouteScore]:
    """Every route's score with its reasons and gates, best first."""
    route_order = catalog.route_ids()
    criteria = {c.id: c for c in catalog.criteria}
    gates = {g.id: g for g in catalog.gates}
    routes = [
        RouteScore(
            route=r,
            name=catalog.route(r).name.get(lang),
            score=tally.scores[r],
            eligible=tally.eligible[r],
            reasons=[
                Reason(
                    criterion=cid,
                    contribution=points,
                    # The route's own text, so every reason belongs to its route.
                    text=_reason_text(cid, r, criteria, tally, catalog, lang, fmt),
                )
                for cid, points in tally.reasons[r]
            ],
            gates=[
                GateReason(gate=gid, text=gates[gid].text.get(lang).format_map(fmt))
                for gid in tally.gates[r]
            ],
        )
        for r in route_order
    ]
    # Highest score first; at equal scores eligible routes first, then catalog order.
    routes.sort(key=lambda s: (-s.score, not s.eligible, route_order.index(s.route)))
    return routes


def assess(
    answers: Answers | Mapping[str, Any],
    lang: str = "en",
    *,
    catalog: Catalog | None = None,
    lifecycle: Lifecycle | None = None,
    today: dt.date | None = None,
) -> Assessment:
    """Score every route for ``answers`` and explain the recommendation in ``lang``.

    ``lifecycle`` (default: the shipped table) and ``today`` (default: the real date)
    decide which provider paths close before the ``horizon_months`` answer runs out.
    """
    catalog = catalog or load_catalog()
    when = _When(lifecycle or shipped_lifecycle(), today or dt.date.today())
    if lang not in ("en", "ja"):
        raise ValueError(f"unsupported language {lang!r}")
    given = answers if isinstance(answers, Answers) else Answers(dict(answers))
    values = given.resolved(catalog)
    tally = _tally(values, catalog, when)

    ft_ids = catalog.fine_tuning_criteria()
    fmt = _placeholders(values, tally, catalog, lang)
    routes = _route_scores(tally, catalog, lang, fmt)

    margin, confidence, label_key, caps = _confidence(values, tally, catalog)
    confidence_label = catalog.msg(label_key, lang)

    combination, combination_reason, partner_steps = _combination(values, tally, catalog, lang, fmt)
    primary_route = catalog.route(tally.primary)
    steps = _steps(values, tally, catalog, lang, fmt, partner_steps)
    warnings = [
        n.text.get(lang).format_map(fmt) for n in catalog.warnings if holds(n.when, values, tally)
    ]
    warnings += [c.text.get(lang).format_map(fmt) for c in caps]
    warnings += _lifecycle_warnings(values, tally, catalog, lang, fmt)
    if catalog.lifecycle is not None and set(combination) & {c.route for c in tally.closures}:
        steps.append(catalog.lifecycle.step.get(lang))
    if tally.runner_up and label_key == "confidence_low":
        warnings.append(catalog.msg("close_call", lang).format_map(fmt))

    summary = catalog.msg(
        "summary",
        lang,
        primary=primary_route.name.get(lang),
        confidence=confidence_label,
        margin=catalog.points(margin, lang),
        runner_up=fmt["runner_up_name"] or "-",
    )
    return Assessment(
        routes=routes,
        recommendation=Recommendation(
            primary=tally.primary,
            combination=combination,
            confidence=confidence,
            next_steps=steps,
            confidence_label=confidence_label,
            runner_up=tally.runner_up,
            margin=margin,
            combination_reason=combination_reason,
            summary=summary,
        ),
        flips=_flips(values, tally.primary, catalog, lang, when),
        warnings=warnings,
        lang=lang,
        catalog_version=catalog.version,
        answers=values,
        defaulted=[q for q in catalog.question_ids() if q not in given.root],
        fine_tuning_criteria_held=[q for q in ft_ids if values[q] is True],
        closures=tally.closures,
    )


def _closure_fields(closure: Closure, catalog: Catalog, lang: str) -> dict[str, Any]:
    return {
        "subject": closure.subject_in(lang),
        "status": catalog.msg(f"status_{closure.status}", lang),
        "date": closure.date.isoformat(),
        "horizon_end": closure.horizon_end.isoformat(),
        "source": closure.source_in(lang),
    }


def _reason_text(
    cid: str,
    route: str,
    criteria: Mapping[str, Any],
    tally: _Tally,
    catalog: Catalog,
    lang: str,
    fmt: _Format,
) -> str:
    rule = catalog.lifecycle
    if rule is not None and cid == rule.id:
        closure = next(c for c in tally.closures if c.route == route)
        return rule.text.get(lang).format_map(
            _Format({**fmt, **_closure_fields(closure, catalog, lang)})
        )
    return str(criteria[cid].text_for(route).get(lang).format_map(fmt))


def _lifecycle_warnings(
    values: Mapping[str, AnswerValue], tally: _Tally, catalog: Catalog, lang: str, fmt: _Format
) -> list[str]:
    """One warning per closing path; without a chosen provider only for the primary."""
    rule = catalog.lifecycle
    if rule is None:
        return []
    undecided = values.get("provider") == "undecided"
    texts: list[str] = []
    seen: set[str] = set()
    for closure in tally.closures:
        if closure.entry in seen or (undecided and closure.route != tally.primary):
            continue
        seen.add(closure.entry)
        template = rule.undecided_warning if undecided else rule.warning
        fields = _Format({**fmt, **_closure_fields(closure, catalog, lang)})
        texts.append(template.get(lang).format_map(fields))
    return texts


def _steps(
    values: Mapping[str, AnswerValue],
    tally: _Tally,
    catalog: Catalog,
    lang: str,
    fmt: _Format,
    partner_steps: list[tuple[int | None, str]],
) -> list[str]:
    """The primary's steps, the partners' (a positioned one before its step), the extras."""
    steps = [s.get(lang).format_map(fmt) for s in catalog.route(tally.primary).next_steps]
    # A step with a position goes before that step of the primary route (1-based).
    for position, text in sorted(
        (p for p in partner_steps if p[0] is not None), key=lambda p: -(p[0] or 0)
    ):
        steps.insert((position or 1) - 1, text)
    steps += [text for position, text in partner_steps if position is None]
    extra = [n for n in catalog.extra_steps if holds(n.when, values, tally)]
    return steps + [n.text.get(lang).format_map(fmt) for n in extra]


def _confidence(
    values: Mapping[str, AnswerValue], tally: _Tally, catalog: Catalog
) -> tuple[float, float, str, list[ConfidenceCap]]:
    """(margin, confidence 0..1, label message key, the caps that held)."""
    margin = (
        tally.scores[tally.primary] - tally.scores[tally.runner_up]
        if tally.runner_up
        else catalog.confidence.full_margin
    )
    margin = round(margin, 4)
    confidence = round(min(1.0, margin / catalog.confidence.full_margin), 2)
    caps = [c for c in catalog.confidence.caps if holds(c.when, values, tally)]
    confidence = _capped(confidence, caps, catalog)
    if confidence >= catalog.confidence.high_from:
        label_key = "confidence_high"
    elif confidence >= catalog.confidence.medium_from:
        label_key = "confidence_medium"
    else:
        label_key = "confidence_low"
    return margin, confidence, label_key, caps


def _capped(confidence: float, caps: Sequence[ConfidenceCap], catalog: Catalog) -> float:
    """The confidence held just below the band each firing cap forbids."""
    for cap in caps:
        ceiling = (
            catalog.confidence.high_from
            if cap.at_most == "medium"
            else (catalog.confidence.medium_from)
        )
        confidence = min(confidence, round(ceiling - 0.01, 2))
    return confidence


def _combination(
    values: Mapping[str, AnswerValue], tally: _Tally, catalog: Catalog, lang: str, fmt: _Format
) -> tuple[list[str], str | None, list[tuple[int | None, str]]]:
    """The primary plus the partners of every combination rule that fires.

    Also returns the steps for the partners: the rule's own step where it has one
    (it knows the order, e.g. SFT before DPO), else each partner's ``combine_step``.
    """
    chosen = [tally.primary]
    texts: list[str] = []
    steps: list[tuple[int | None, str]] = []
    for combo in catalog.combinations:
        if not holds(combo.when, values, tally):
            continue
        resolved = [_resolve(r, tally, catalog) for r in combo.routes]
        if any(r is None or not tally.eligible[r] for r in resolved):
            continue
        routes = [r for r in resolved if r is not None]
        if tally.primary not in routes or len(set(routes)) < 2:
            continue
        added = [r for r in routes if r not in chosen]
        if not added:
            continue
        chosen += added
        texts.append(combo.text.get(lang).format_map(fmt))
        if combo.step is not None:
            steps.append((combo.step_before, combo.step.get(lang).format_map(fmt)))
        else:
            steps += [
                (None, catalog.route(r).combine_step.get(lang).format_map(fmt)) for r in added
            ]
    return chosen, " ".join(texts) or None, steps


def _resolve(route: str, tally: _Tally, catalog: Catalog) -> str | None:
    family = ROUTE_PLACEHOLDERS.get(route)
    if family is None:
        return route
    members = [r.id for r in catalog.routes if r.family == family and tally.eligible[r.id]]
    if not members:
        return None
    return max(members, key=lambda r: (tally.scores[r], -catalog.route_ids().index(r)))


def _flips(
    values: Mapping[str, AnswerValue], primary: str, catalog: Catalog, lang: str, when: _When
) -> list[Flip]:
    """For each question, the nearest other answer that changes the primary route."""
    flips: list[Flip] = []
    for question in catalog.questions:
        current = values[question.id]
        for candidate in _alternatives(question, current, catalog):
            changed = {**values, question.id: candidate}
            new_primary = _tally(changed, catalog, when).primary
            if new_primary != primary:
                flips.append(
                    Flip(
                        question=question.id,
                        answer=candidate,
                        new_primary=new_primary,
                        current=current,
                        text=catalog.msg(
                            "flip_line",
                            lang,
                            question=question.label.get(lang),
                            answer=question.label_of(candidate, lang, catalog.messages),
                            current=question.label_of(current, lang, catalog.messages),
                            route=catalog.route(new_primary).name.get(lang),
                        ),
                    )
                )
                break
    return flips


def _alternatives(
    question: Question, current: AnswerValue, catalog: Catalog
) -> Sequence[AnswerValue]:
    """Other answers to ``question``, nearest first (the "smallest change")."""
    if question.type == "yes_no":
        return [not current]
    if question.type == "choice":
        values = question.choice_values()
        here = values.index(str(current))
        order = sorted(range(len(values)), key=lambda i: (abs(i - here), i))
        return [values[i] for i in order if i != here]
    number = int(current)
    if question.type == "scale":
        low, high = question.min or 0, question.max or 0
        scale = [v for v in range(low, high + 1) if v != number]
        scale.sort(key=lambda v: (abs(v - number), v))
        return scale
    # Counts: only the thresholds some rule uses can change anything.
    marks = {0}
    conditions = [c.when for c in catalog.criteria if c.when] + [g.when for g in catalog.gates]
    for cond in conditions:
        for part in cond.walk():
            if part.question == question.id:
                for bound in (part.at_least, part.below):
                    if bound is not None:
                        marks.update({bound, max(0, bound - 1)})
    counts = [m for m in marks if m != number]
    counts.sort(key=lambda v: (abs(v - number), v))
    return counts


def fine_tuning_score(assessment: Assessment) -> float:
    """The best score among the fine-tuning routes (eligible or not)."""
    catalog = load_catalog()
    ft = {r.id for r in catalog.routes if r.family == "fine_tuning"}
    return max(s.score for s in assessment.routes if s.route in ft)
