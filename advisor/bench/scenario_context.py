"""The scenario checks of its context: knowledge documents and the advisor's answers.

Part of :func:`advisor.bench.scenario.validate_scenario` (see ``scenario_check``).
"""

from __future__ import annotations

import importlib
from typing import Any

from advisor.bench.scenario import KNOWLEDGE_SUFFIXES, Problem, Scenario
from advisor.errors import AdvisorError


def optional(module: str, attribute: str) -> Any:
    """``module.attribute`` when that part of the product exists yet, else None."""
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError):
        return None


# --- knowledge and answers -----------------------------------------------------------


def check_knowledge(scenario: Scenario, problems: list[Problem]) -> None:
    if scenario.knowledge is None:
        if scenario.kind == "knowledge":
            problems.append(
                Problem.of(
                    "no_knowledge",
                    "core.scenario_check.no_knowledge",
                    path=str(scenario.root / "scenario.toml"),
                    severity="warning",
                )
            )
        return
    folder = scenario.knowledge.documents
    if not folder.is_dir():
        problems.append(
            Problem.of("missing_file", "core.scenario_check.knowledge_missing", path=str(folder))
        )
    elif not scenario.knowledge_files():
        problems.append(
            Problem.of(
                "empty_knowledge",
                "core.scenario_check.empty_knowledge",
                path=str(folder),
                suffixes="/".join(KNOWLEDGE_SUFFIXES),
            )
        )


def check_answers(scenario: Scenario, problems: list[Problem]) -> None:
    where = str(scenario.root / "scenario.toml")
    if not scenario.answers:
        problems.append(
            Problem.of(
                "no_answers", "core.scenario_check.no_answers", path=where, severity="warning"
            )
        )
        return
    load_catalog = optional("advisor.criteria", "load_catalog")
    coerce = optional("advisor.criteria.answers", "coerce_answer")
    if load_catalog is None or coerce is None:
        return
    catalog = load_catalog()
    known = set(catalog.question_ids())
    for key, value in scenario.answers.items():
        if key not in known:
            problems.append(
                Problem.of(
                    "unknown_answer", "core.scenario_check.unknown_answer", path=where, answer=key
                )
            )
            continue
        try:
            coerce(catalog.question(key), value)
        except AdvisorError as exc:
            problems.append(
                Problem.of(
                    "invalid_answer", "core.scenario_check.invalid_answer", path=where, error=exc
                )
            )
    _check_recommendation(scenario, where, problems)


def _check_recommendation(scenario: Scenario, where: str, problems: list[Problem]) -> None:
    """Warn when the advisor, given the scenario's answers, recommends another route."""
    assess = optional("advisor.criteria", "assess")
    answers_cls = optional("advisor.criteria", "Answers")
    if scenario.expected_route is None or assess is None or answers_cls is None:
        return
    try:
        primary = assess(answers_cls(scenario.answers)).recommendation.primary
    except (AdvisorError, ValueError):
        return  # invalid answers are reported above
    if primary != scenario.expected_route:
        problems.append(
            Problem.of(
                "advisor_disagrees",
                "core.scenario_check.advisor_disagrees",
                path=where,
                severity="warning",
                primary=primary,
                expected=scenario.expected_route,
            )
        )
