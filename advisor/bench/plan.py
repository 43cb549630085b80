"""Planning a bench before it spends compute: what it can detect, and how long it takes.

The detectable difference is the textbook two-proportion z-test sample-size
formula solved for the difference, at a 50% pass rate (where the variance, and
so the difference needed, is largest):

    d = (z[1 - alpha/2] + z[power]) * sqrt(2 * p * (1 - p) / n)

with ``n`` test prompts per route.  The bench counts prompts, not repeats, as
independent (repeats of one prompt are correlated), so the headline figure uses
prompts; the figure with every repeat counted is shown as a lower bound.

Times come only from measurements on this machine (the calibration cached by
:mod:`advisor.data.calibration`: training seconds per token at the data's
sequence length, answering tokens per second at the bench's batch size, through
a LoRA adapter for the fine-tuned routes, indexing chunks per second); anything
not measured is reported as unknown rather than guessed.  Each basis is worded part
by part as catalog sentences (:mod:`advisor.bench.plan_basis`).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING

from advisor.bench import plan_basis
from advisor.bench.plan_answers import (
    AnswerEstimate,
    adapter_basis,
    answer_lengths,
    estimate_answers,
)
from advisor.bench.plan_prompts import PromptSizer
from advisor.bench.report_i18n import basis_parts, stored
from advisor.bench.schema import BenchPlan, RoutePlan
from advisor.bench.selection import resolve_routes, skip_reason
from advisor.messages import duration_range_text, duration_text, text

if TYPE_CHECKING:
    from advisor.bench.routespec import RouteSpec
    from advisor.bench.runner import BenchOptions
    from advisor.bench.scenario import Scenario
    from advisor.messages import Localized
    from advisor.settings import Settings
    from backends.base import Backend

POWER = 0.8
BENCH_MAX_LENGTH = 256  # TrainingSettings' max_length: the trainer truncates there


def detectable_difference(n: int, *, alpha: float = 0.05, power: float = POWER) -> float:
    """Smallest pass-rate difference a two-sided two-proportion test detects with ``n`` per arm."""
    if n < 1:
        raise ValueError("n must be at least 1")
    z = NormalDist().inv_cdf
    p = 0.5
    return min(1.0, (z(1 - alpha / 2) + z(power)) * math.sqrt(2 * p * (1 - p) / n))


def _preparation(
    spec: RouteSpec,
    scenario: Scenario,
    backend: Backend,
    model: str,
    settings: Settings,
    options: BenchOptions,
) -> tuple[str, float | None, list[Localized], bool]:
    """(kind, seconds or None, the basis's parts, whether a job trains on this machine) of
    preparing ``spec``; a reused job trains nothing."""
    kind = "fine_tune" if spec.training else ("index" if spec.retrieves else "none")
    if spec.retrieves and not scenario.knowledge_files():
        kind = "fine_tune" if spec.training else "none"
    if kind == "none":
        return kind, 0.0, [plan_basis.NOTHING_TO_PREPARE], False
    if backend.name == "fake":
        return kind, 0.0, [plan_basis.SIMULATED], False
    trains = False
    total = 0.0
    bases: list[Localized] = []
    parent_key: str | None = None
    for method in spec.training:
        seconds, basis, parent_key = _training(
            method, scenario, backend, model, settings, options, parent_key
        )
        bases.append(basis)
        # Only a reused job costs 0 s; an unknown time still trains here.
        trains = trains or (backend.capabilities.runs_locally and seconds != 0.0)
        if seconds is None:
            return kind, None, bases, trains
        total += seconds
    if spec.retrieves and scenario.knowledge_files():
        seconds, indexing = _indexing(scenario, model, settings)
        if seconds is None:
            return kind, None, [*bases, indexing], trains
        total += seconds
        bases.append(indexing)
    return kind, round(total, 1), bases, trains


def _indexing(scenario: Scenario, model: str, settings: Settings) -> tuple[float | None, Localized]:
    """(seconds, basis) of indexing the scenario's documents from the calibrated rate."""
    from advisor.data.calibration import cached_calibration, indexing_seconds
    from advisor.routes.context import estimate_tokens

    files = scenario.knowledge_files()
    found = cached_calibration(settings, model)
    rate = found.embedding if found is not None else None
    if rate is None or rate.chunks_per_second <= 0:
        return None, plan_basis.indexing_unknown(len(files))
    tokens = sum(estimate_tokens(f.read_text(encoding="utf-8", errors="ignore")) for f in files)
    step = max(1, settings.chroma.chunk_tokens - settings.chroma.chunk_overlap)
    chunks = max(1, math.ceil(tokens / step))
    return indexing_seconds(rate, chunks), plan_basis.indexing(chunks, rate.chunks_per_second)


def _answers(
    scenario: Scenario,
    backend: Backend,
    requests: int,
    model: str,
    settings: Settings,
    options: BenchOptions,
    prompt_tokens: float | None,
    adapter: bool = False,
) -> AnswerEstimate:
    """Answering ``requests`` from the calibrated rates (see advisor/bench/plan_answers.py).

    ``adapter``: the route's model answers through a LoRA adapter (a fine-tuned route),
    whose own calibrated rates are used, or the base model's with the basis saying so.
    """
    from advisor.data.calibration import answering_batch, cached_calibration, engine_of

    found = cached_calibration(settings, model)
    engine = engine_of(backend.generation_engine())
    batch = answering_batch(settings)  # the bench's batch: another's figure only when alone
    rate = found.generation_for(engine, batch) if found is not None else None
    if rate is None or rate.tokens_per_second <= 0:
        unknown = plan_basis.UNKNOWN_ANSWERS_UNCALIBRATED
        return AnswerEstimate(None, None, [unknown], prompt_tokens=prompt_tokens)
    lengths = answer_lengths(scenario, options.max_tokens or rate.max_tokens)
    if not adapter:
        return estimate_answers(rate, requests, lengths, prompt_tokens)
    through = rate.through_adapter()
    estimate = estimate_answers(through or rate, requests, lengths, prompt_tokens)
    estimate.said.append(adapter_basis(rate, through))
    return estimate


def _prompt_sizer(
    scenario: Scenario, backend: Backend, model: str, settings: Settings, options: BenchOptions
) -> PromptSizer:
    """Sizes the prompts of the requests the bench sends: each prompt per repeat, paraphrases."""
    items = scenario.test_items()[: options.max_examples]
    ids = {i.id for i in items}
    questions = [i.prompt for i in items] * options.repeats
    questions += [t for k, texts in scenario.paraphrases().items() if k in ids for t in texts]
    return PromptSizer(scenario, backend, model, settings, questions, options.max_tokens)


def _route_answers(
    spec: RouteSpec,
    sizer: PromptSizer,
    backend: Backend,
    requests: int,
    settings: Settings,
    options: BenchOptions,
) -> AnswerEstimate:
    """The answering estimate of one route that runs (simulated, unknown or calibrated)."""
    if backend.name == "fake":
        return AnswerEstimate(0.0, 0.0, [plan_basis.SIMULATED])
    if not backend.capabilities.runs_locally:
        return AnswerEstimate(None, None, [plan_basis.UNKNOWN_ANSWERS])
    try:
        prompt_tokens: float | None = sizer.tokens(spec)
    except Exception:  # an estimate only: a route that cannot be built says so when it runs
        prompt_tokens = None
    return _answers(
        sizer.scenario,
        backend,
        requests,
        sizer.model,
        settings,
        options,
        prompt_tokens,
        adapter=bool(spec.training),
    )


def _training(
    method: str,
    scenario: Scenario,
    backend: Backend,
    model: str,
    settings: Settings,
    options: BenchOptions,
    parent_key: str | None,
) -> tuple[float | None, Localized, str]:
    """(seconds, basis, this job's bench key) for one training step of a chain."""
    from advisor.bench.prepare import bench_key
    from backends.job_store import JobStore

    key = bench_key(method, scenario, backend.name, model, options.training, parent_key)
    job = JobStore(settings.jobs_db).find_by_metadata("bench_key", key)
    if job is not None and job.status == "succeeded" and job.fine_tuned_model:
        return 0.0, plan_basis.reuses(method, job.id), key
    if not backend.capabilities.runs_locally:
        return None, plan_basis.provider_unknown(method), key
    from advisor.data.calibration import (
        cached_calibration,
        rate_sentence,
        seq_bucket,
        training_seconds,
    )
    from advisor.data.contention import load_correction

    found = cached_calibration(settings, model)
    if found is None or not found.training:
        return None, plan_basis.not_calibrated(method), key
    try:
        from advisor.data.stats import compute_stats

        path = scenario.training_file(method)  # type: ignore[arg-type]
        assert path is not None  # skip_reason ran first
        from advisor.model_presets import find_preset

        max_length = int(options.training.extra.get("max_length") or BENCH_MAX_LENGTH)
        stats = compute_stats(
            path,
            method,
            # the job's model's tokenizer and template when it is a preset (Gemma's differ)
            model=f"local:{model}" if find_preset(model) else "local",
            settings=settings,
            epochs=options.training.n_epochs,
            max_length=max_length,
        )
    except Exception:  # an estimate only: never stop a plan over it
        return None, plan_basis.unmeasurable(method), key
    # The trainer's own count (truncation, dropped lines, template) where there is one.
    local = stats.local
    tokens = stats.billed_tokens if local.trained_tokens is None else local.trained_tokens
    kept = stats.examples if local.trained_examples is None else local.trained_examples
    mean = min(max_length, tokens / options.training.n_epochs / max(1, kept))
    rate = found.training_at(round(mean))
    assert rate is not None  # found.training is not empty
    correction = load_correction(found, rate, settings)
    factor = correction.factor if correction else 1.0
    seconds = training_seconds(rate, tokens, factor, labelled=local.labelled_tokens)
    near = None if rate.seq_len == seq_bucket(mean) else mean
    described = rate_sentence(found, rate, correction)
    return seconds, plan_basis.training(method, tokens, described, near), key


def plan_bench(
    scenario: Scenario, backend: Backend, settings: Settings, options: BenchOptions
) -> BenchPlan:
    """The plan of a bench: detectable difference and time per route (see module doc)."""
    items = scenario.test_items()
    if options.max_examples is not None:
        items = items[: options.max_examples]
    n = max(1, len(items))
    ids = {i.id for i in items}
    paraphrases = sum(len(t) for k, t in scenario.paraphrases().items() if k in ids)
    requests = len(items) * options.repeats + paraphrases
    model = options.model or backend.default_model
    sizer = _prompt_sizer(scenario, backend, model, settings, options)
    routes: list[RoutePlan] = []
    training_here = False
    for spec in resolve_routes(scenario, backend, options.routes):
        reason = skip_reason(spec, scenario, backend)
        if reason is not None:
            routes.append(_skipped(spec.id, reason))
            continue
        kind, seconds, basis, trains = _preparation(
            spec, scenario, backend, model, settings, options
        )
        training_here = training_here or trains
        answers = _route_answers(spec, sizer, backend, requests, settings, options)
        routes.append(
            RoutePlan(
                route=spec.id,
                runs=True,
                preparation=kind,
                preparation_seconds=seconds,
                preparation_basis=plan_basis.joined(basis),
                preparation_basis_sentences=plan_basis.stored(basis),
                requests=requests,
                answer_seconds=answers.seconds,
                answer_basis=answers.basis,
                answer_basis_sentences=plan_basis.stored(answers.said),
                answer_seconds_max=answers.seconds_max,
                prompt_tokens_per_request=answers.prompt_tokens,
                prompt_seconds=answers.prompt_seconds,
                completion_tokens_per_request=answers.completion_tokens,
                completion_tokens_max=answers.completion_max,
            )
        )
    total, total_max = _total(routes, "answer_seconds"), _total(routes, "answer_seconds_max")
    with_repeats = n * options.repeats
    return BenchPlan(
        scenario=scenario.name,
        backend=backend.name,
        model=model,
        n_prompts=len(items),
        repeats=options.repeats,
        alpha=options.alpha,
        power=POWER,
        detectable_difference=round(detectable_difference(n, alpha=options.alpha), 4),
        detectable_difference_repeats=(
            round(detectable_difference(with_repeats, alpha=options.alpha), 4)
            if options.repeats > 1
            else None
        ),
        power_note=(
            f"two-proportion z-test, alpha {options.alpha:g}, power {POWER:.0%}, at a 50% pass "
            f"rate, counting the {len(items)} prompts as independent; smaller differences are "
            "likely reported as ties"
        ),
        routes=routes,
        total_seconds=total,
        total_seconds_max=total_max,
        # Training starts before any route answers (advisor/bench/early.py), so on this
        # machine it shares the cores with the other routes' answering, which the per-phase
        # estimates do not model (run G, docs/benchmarks.md).
        training_beside_answering=training_here and sum(r.runs for r in routes) > 1,
    )


def _skipped(route: str, reason: str) -> RoutePlan:
    """The plan of a route that will not run: no time at either end."""
    return RoutePlan(
        route=route,
        runs=False,
        skip_reason=reason,
        preparation="none",
        preparation_seconds=0.0,
        preparation_basis="skipped",
        preparation_basis_sentences=plan_basis.stored([plan_basis.SKIPPED]),
        requests=0,
        answer_seconds=0.0,
        answer_basis="skipped",
        answer_basis_sentences=plan_basis.stored([plan_basis.SKIPPED]),
        answer_seconds_max=0.0,
    )


def _total(routes: list[RoutePlan], answering: str) -> float | None:
    """Preparation plus ``answering`` (a RoutePlan field) of the routes that run; None if one
    is unknown."""
    parts = [(r.preparation_seconds, getattr(r, answering)) for r in routes if r.runs]
    if any(a is None or b is None for a, b in parts):
        return None
    return round(sum((a or 0.0) + (b or 0.0) for a, b in parts), 1)


def render_plan(plan: BenchPlan, lang: str = "en") -> list[str]:
    """The plan as text lines (advisor/messages.yaml, ``lang``), printed before the bench runs."""

    def t(key: str, **values: object) -> str:
        return text(key, lang, **values)

    lines = [
        t(
            "bench.plan",
            prompts=plan.n_prompts,
            repeats=plan.repeats,
            backend=plan.backend,
            model=plan.model,
        ),
        "  "
        + t(
            "bench.plan_detectable",
            difference=f"{plan.detectable_difference:.0%}",
            note=stored(plan.power_note, lang),
        ),
    ]
    if plan.detectable_difference_repeats is not None:
        difference = f"{plan.detectable_difference_repeats:.0%}"
        lines.append("  " + t("bench.plan_independent", difference=difference))
    for route in plan.routes:
        if not route.runs:
            lines.append(
                "  "
                + t(
                    "bench.plan_skipped",
                    route=route.route,
                    reason=stored(str(route.skip_reason), lang),
                )
            )
            continue
        lines.append(
            "  "
            + t(
                "bench.plan_route",
                route=route.route,
                prepare=duration_text(route.preparation_seconds, lang),
                basis=basis_parts(route.preparation_basis, route.preparation_basis_sentences, lang),
                requests=route.requests,
                answer=duration_range_text(route.answer_seconds, route.answer_seconds_max, lang),
            )
            + (f" [{_answer_basis(route, lang)}]" if route.answer_seconds else "")
            + ("" if route.answer_seconds is not None else " " + t("bench.plan_not_measured"))
        )
    total = duration_range_text(plan.total_seconds, plan.total_seconds_max, lang)
    lines.append("  " + t("bench.plan_total", duration=total))
    if plan.training_beside_answering:
        lines.append("  " + t("bench.plan_training_beside"))
    return lines


def _answer_basis(route: RoutePlan, lang: str) -> str:
    return basis_parts(route.answer_basis, route.answer_basis_sentences, lang)
