"""Which bench routes run: ``all``, ``advisor``, or a list, and why one is skipped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.bench.routespec import (
    METHODS,
    RouteSpec,
    advisor_route_ids,
    parse_route,
    parse_routes,
)
from advisor.errors import AdvisorError, UserInputError

if TYPE_CHECKING:
    from advisor.bench.scenario import Scenario
    from backends.base import Backend

ADVISOR = "advisor"


def available_routes(scenario: Scenario, backend: Backend) -> list[str]:
    """Routes ``--routes all`` runs: those the scenario has data for and the backend can do."""
    routes = ["system_prompt"]
    if scenario.knowledge_files():
        routes.append("rag")
    methods = backend.capabilities.fine_tuning_methods if backend.capabilities else ()
    routes += [m for m in METHODS if scenario.training_file(m) and m in methods]
    return routes


def advisor_routes(scenario: Scenario) -> list[str]:
    """The advisor's recommendation, its combination, the runner-up and the baseline.

    Raises:
        UserInputError: the scenario has no answers for the advisor, or they are invalid.
    """
    if not scenario.answers:
        raise UserInputError.from_catalog(
            "core.bench.advisor_no_answers",
            hint_key="core.bench.advisor_no_answers_hint",
            scenario=scenario.name,
        )
    from advisor.criteria import assess

    try:
        recommendation = assess(scenario.answers, lang=scenario.language).recommendation
    except (AdvisorError, ValueError) as exc:
        raise UserInputError.from_catalog(
            "core.bench.advisor_failed", scenario=scenario.name, error=exc
        ) from exc
    return advisor_route_ids(
        recommendation.primary, recommendation.combination, recommendation.runner_up
    )


def resolve_routes(
    scenario: Scenario, backend: Backend, routes: list[str] | None
) -> list[RouteSpec]:
    """The routes a bench runs, in order, duplicates removed; ``advisor`` expanded."""
    requested = routes or available_routes(scenario, backend)
    ids: list[str] = []
    for route in requested:
        ids += advisor_routes(scenario) if route == ADVISOR else [route]
    specs = [parse_route(r) for r in ids]
    return list({s.id: s for s in specs}.values())


def skip_reason(spec: RouteSpec, scenario: Scenario, backend: Backend) -> str | None:
    """Why ``spec`` cannot run here (missing data or capability), or None."""
    if spec.inference == "rag" and not scenario.knowledge_files():
        return "the scenario has no knowledge documents"
    if spec.inference == "few_shot" and scenario.training_file("sft") is None:
        return "the scenario has no sft training file to draw examples from"
    methods = backend.capabilities.fine_tuning_methods if backend.capabilities else ()
    for method in spec.training:
        if scenario.training_file(method) is None:
            return f"the scenario has no {method} training file"
        if method not in methods:
            return f"the {backend.name} backend cannot fine-tune with {method}"
    return None


def route_ids(value: str | None) -> list[str] | None:
    """``--routes`` value -> canonical route ids, ``["advisor"]``, or None (``all`` or unset).

    Raises:
        UserInputError: an id is unknown or badly combined (one sentence naming valid ids).
    """
    parsed = parse_routes(value)
    if parsed is None:
        return None
    if isinstance(parsed, str):
        return [ADVISOR]
    return [spec.id for spec in parsed]
