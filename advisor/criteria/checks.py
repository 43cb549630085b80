"""Consistency checks of the criteria catalog, run when it is loaded.

Every id a rule mentions must exist and every value must fit its question, so a
typo in ``catalog.yaml`` fails at load time instead of silently scoring zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.criteria.catalog import AnswerValue, Catalog, Condition, Criterion, Question

# Placeholders a combination rule may use instead of a fixed route id: they resolve
# to the best-scoring eligible route of that family when the rule fires.
ROUTE_PLACEHOLDERS: dict[str, str] = {
    "best_fine_tuning": "fine_tuning",
    "best_prompting": "prompting",
}

# Messages the code relies on; the check keeps catalog.yaml and the code in step.
REQUIRED_MESSAGES = (
    "yes",
    "no",
    "points",
    "point_one",
    "why_not",
    "eligible",
    "not_eligible",
    "recommendation",
    "combination",
    "confidence",
    "confidence_low",
    "confidence_medium",
    "confidence_high",
    "margin",
    "routes",
    "reasons",
    "why",
    "blocked",
    "flips",
    "flip_line",
    "no_flips",
    "next_steps",
    "warnings",
    "answers",
    "answered",
    "defaults_used",
    "brief_title",
    "brief_intro",
    "close_call",
    "route",
    "score",
    "status",
    "main_reason",
    "questions_title",
    "type",
    "default",
    "choices",
    "range",
    "source",
    "type_yes_no",
    "type_choice",
    "type_count",
    "type_scale",
    "footer",
    "summary",
)


def check_catalog(catalog: Catalog) -> None:
    """Every id a rule mentions must exist, and every value must fit its question."""
    questions = {q.id: q for q in catalog.questions}
    routes = {r.id for r in catalog.routes}
    families: dict[str, str] = {r.id: r.family for r in catalog.routes}
    sources = {s.id for s in catalog.sources}
    for kind, ids in (
        ("question", [q.id for q in catalog.questions]),
        ("route", [r.id for r in catalog.routes]),
        ("criterion", [c.id for c in catalog.criteria]),
        ("source", [s.id for s in catalog.sources]),
    ):
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"duplicate {kind} ids: {sorted(dupes)}")
    missing = [m for m in REQUIRED_MESSAGES if m not in catalog.messages]
    if missing:
        raise ValueError(f"messages missing: {missing}")

    for question in catalog.questions:
        _need(question.source in sources, f"question {question.id}: unknown source")
        _check_value(question, question.default, f"default of {question.id}")

    rules: list[tuple[str, Condition | None, str]] = []
    for crit in catalog.criteria:
        rules.append((f"criterion {crit.id}", crit.when, crit.source))
        _check_reasons(crit, routes, families)
        _need(
            crit.question is None or crit.question in questions,
            f"criterion {crit.id}: unknown question {crit.question!r}",
        )
        _need(
            crit.when is None or not crit.when.after_scoring(),
            f"criterion {crit.id}: scoring rules cannot depend on the result",
        )
    for gate in catalog.gates:
        rules.append((f"gate {gate.id}", gate.when, gate.source))
        for route in gate.routes:
            _need(route in routes, f"gate {gate.id}: unknown route {route!r}")
        _need(not gate.when.after_scoring(), f"gate {gate.id}: gates cannot depend on the result")
    for combo in catalog.combinations:
        rules.append((f"combination {combo.id}", combo.when, combo.source))
        for route in combo.routes:
            _need(
                route in routes or route in ROUTE_PLACEHOLDERS,
                f"combination {combo.id}: unknown route {route!r}",
            )
    for notice in (*catalog.warnings, *catalog.extra_steps):
        rules.append((f"notice {notice.id}", notice.when, notice.source))
    if catalog.lifecycle is not None:
        _need(
            catalog.lifecycle.source in sources,
            f"lifecycle rule: unknown source {catalog.lifecycle.source!r}",
        )
        for needed in ("provider", "horizon_months"):
            _need(needed in questions, f"lifecycle rule: the catalog lacks question {needed!r}")
    for cap in catalog.confidence.caps:
        rules.append((f"confidence cap {cap.id}", cap.when, cap.source))

    for where, when, source in rules:
        _need(source in sources, f"{where}: unknown source {source!r}")
        for cond in when.walk() if when else []:
            if cond.question is not None:
                _need(cond.question in questions, f"{where}: unknown question {cond.question!r}")
                question = questions[cond.question]
                for value in (cond.is_, *(cond.in_ or ())):
                    if value is not None:
                        _check_value(question, value, where)
                if cond.at_least is not None or cond.below is not None:
                    _need(
                        question.type in ("count", "scale"),
                        f"{where}: a range needs a count or scale question",
                    )
            named = [*(cond.primary_in or ()), *([cond.eligible] if cond.eligible else [])]
            for route_id in named:
                _need(route_id in routes, f"{where}: unknown route {route_id!r}")


def _check_reasons(crit: Criterion, routes: set[str], families: dict[str, str]) -> None:
    """Every route a rule moves exists, and the reason shown for it speaks for it."""
    for route, points in crit.effects.items():
        _need(route in routes, f"criterion {crit.id}: unknown route {route!r}")
        # A reason shown for a route must speak about that route (issue 13).
        _need(
            not points or crit.speaks_for(route, families.get(route, "")),
            f"criterion {crit.id}: its text does not speak for {route!r}; "
            "add the route to covers or give it a route_texts entry",
        )
    for route in crit.route_texts:
        _need(route in crit.effects, f"criterion {crit.id}: route_texts for {route!r} unused")
    for covered in crit.covers:
        _need(
            covered in routes or covered in set(families.values()),
            f"criterion {crit.id}: covers unknown route or family {covered!r}",
        )


def _check_value(question: Question, value: AnswerValue, where: str) -> None:
    ok = {
        "yes_no": isinstance(value, bool),
        "choice": isinstance(value, str) and value in question.choice_values(),
        "count": isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        "scale": isinstance(value, int)
        and not isinstance(value, bool)
        and (question.min or 0) <= value <= (question.max or 0),
    }[question.type]
    _need(ok, f"{where}: {value!r} is not a valid {question.type} answer for {question.id}")


def _need(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)
