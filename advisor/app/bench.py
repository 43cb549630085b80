"""Run a benchmark: one default route list and one report folder for every shell.

Defaults (the CLI's public ones): the routes the scenario names as worth
comparing, else what the advisor recommends for it (``advisor``: the
recommendation, its combination, the runner-up and the system-prompt baseline)
when the scenario has answers, else every route it has data for; reports into
``./bench-results/<scenario name>``.  Before anything runs, :func:`plan_benchmark`
also estimates what the run can detect and how long each route takes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.app.backends import BackendSource, backend_name_for, registry_source
from advisor.data.texts import Label
from advisor.errors import AdvisorError, CapabilityError

if TYPE_CHECKING:
    from advisor.bench.runner import BenchOptions
    from advisor.bench.scenario import Scenario
    from advisor.bench.schema import BenchPlan as Estimate
    from advisor.bench.schema import BenchResults
    from advisor.ids import Progress
    from advisor.settings import Settings
    from backends.base import Backend

REPORTS_ROOT = Path("bench-results")


@dataclass
class BenchRequest:
    """A benchmark to run; ``routes`` as typed (``None``: the default list, ``all``: all)."""

    scenario: str
    routes: str | None = None
    backend: str | None = None
    model: str | None = None
    repeats: int = 2
    temperature: float = 0.0
    max_examples: int | None = None
    max_tokens: int | None = None  # None: from the scenario's reference answers
    out: Path | None = None
    use_cache: bool = True
    calibrate: bool = True  # measure this machine first when the plan lacks figures


@dataclass
class BenchRun:
    results: BenchResults
    out_dir: Path
    paths: dict[str, Path]


def default_routes(scenario: Scenario, routes: str | None) -> list[str] | None:
    """The routes to run; None means every route the scenario supports.

    Unset: the scenario's routes, else ``advisor`` when the scenario has answers.
    Blank (the wizard's empty field) or ``all``: every route.
    """
    from advisor.bench.selection import ADVISOR, route_ids

    if routes is None:
        return list(scenario.routes) or ([ADVISOR] if scenario.answers else None)
    if not routes.strip():
        return list(scenario.routes) or None
    return route_ids(routes)


def default_out_dir(scenario_name: str) -> Path:
    return REPORTS_ROOT / scenario_name


@dataclass
class BenchPlan:
    """A checked request: the scenario loaded, the backend built, the routes parsed,
    and the estimate printed before the run (detectable difference, time per route)."""

    scenario: Scenario
    backend: Backend
    options: BenchOptions
    out_dir: Path
    estimate: Estimate


def plan_benchmark(
    request: BenchRequest,
    settings: Settings,
    backends: BackendSource | None = None,
    progress: Progress | None = None,
) -> BenchPlan:
    """Check the request before anything runs (bad input fails here, exit 2).

    Raises:
        UserInputError: no such scenario, an unknown route, or an unknown backend.
    """
    from advisor.bench.answer_length import reference_max_tokens
    from advisor.bench.plan import plan_bench
    from advisor.bench.runner import BenchOptions
    from advisor.bench.scenario import load_scenario

    scenario = load_scenario(request.scenario)
    routes = default_routes(scenario, request.routes)
    source = backends or registry_source(settings)
    backend = source(backend_name_for(request.backend, request.model, settings))
    options = BenchOptions(
        routes=routes,
        backend=backend.name,
        model=request.model,
        repeats=request.repeats,
        temperature=request.temperature,
        max_examples=request.max_examples,
        max_tokens=request.max_tokens or reference_max_tokens(scenario),
        use_cache=request.use_cache,
    )
    if request.calibrate:
        from advisor.app.calibration import ensure_for_bench

        try:
            ensure_for_bench(settings, scenario, backend, options, progress)
        except CapabilityError:
            pass  # a backend that cannot calibrate: its times stay unknown
        except AdvisorError as exc:  # the plan then says "unknown"; the run reports real errors
            if progress is not None:
                progress(0, 0, Label("progress.bench_calibration_failed", error=str(exc)))
    estimate = plan_bench(scenario, backend, settings, options)
    out_dir = request.out or default_out_dir(scenario.name)
    return BenchPlan(scenario, backend, options, out_dir, estimate)


def run_benchmark(
    plan: BenchPlan,
    settings: Settings,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    lang: str = "en",
) -> BenchRun:
    """Run the plan and write the reports (whatever the outcome; verdicts in ``lang``).

    Call :func:`require_answers` afterwards to turn a run without answers into an error.
    """
    from advisor.bench.report import write_reports
    from advisor.bench.runner import run_bench

    cancel = cancel or threading.Event()
    try:
        results = run_bench(
            plan.scenario, plan.backend, settings, plan.options, progress=progress, cancel=cancel
        )
    except KeyboardInterrupt:
        cancel.set()
        raise
    results = results.model_copy(update={"plan": plan.estimate})
    return BenchRun(results, plan.out_dir, write_reports(results, plan.out_dir, lang))


def require_answers(results: BenchResults) -> None:
    """A run in which no route produced answers failed (exit 1), and names no winner.

    Raises:
        AdvisorError: every route failed or was skipped.
    """
    if any(r.status == "ok" for r in results.routes.values()):
        return
    errors = [r.error for r in results.routes.values() if r.error]
    if errors:
        raise AdvisorError.from_catalog(
            "core.bench.no_answers_first", hint_key="core.bench.no_answers_hint", error=errors[0]
        )
    raise AdvisorError.from_catalog("core.bench.no_answers", hint_key="core.bench.no_answers_hint")
