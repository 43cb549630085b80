"""Making any :class:`~advisor.bench.routespec.RouteSpec` ready: train, then build how it asks.

The training chain goes through :func:`~advisor.bench.prepare.prepare_fine_tuned`
(reusing finished jobs; ``sft>dpo`` reuses the bench's finished SFT job as its
parent).  The inference part is built on the tuned model id, or on the base
model when nothing is trained, so ``sft+rag`` is exactly the RAG route with the
fine-tuned model.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from advisor.bench.prepare import (
    PreparedRoute,
    StartedJob,
    TrainingSettings,
    prepare_fine_tuned,
    prepare_rag,
)
from advisor.bench.schema import Preparation
from advisor.errors import JobError, UserInputError
from advisor.ids import Progress

if TYPE_CHECKING:
    from pathlib import Path

    from advisor.bench.routespec import RouteSpec
    from advisor.bench.scenario import Scenario
    from advisor.routes.base import Route
    from advisor.routes.few_shot import Example
    from advisor.settings import Settings
    from backends.base import Backend
    from backends.jobs import FineTuneJob

#: Few-shot examples never take more than this share of the context window.
FEW_SHOT_SHARE = 0.25
#: At most this many examples: past a handful, more rarely helps and always costs.
FEW_SHOT_MAX = 8
#: Window assumed when the model's is unknown (the smallest in common use).
DEFAULT_WINDOW = 4096
MAX_STARTERS = 3


def minimal_prompt(system_prompt: str) -> str:
    """The ``_short`` routes' prompt: the first sentence of the instructions (the role).

    Instructions of one sentence leave nothing shorter that still says something,
    so the minimal prompt is then empty (no system message at all).
    """
    text = " ".join(system_prompt.split())
    for end in (". ", "。", "! ", "? "):
        first, found, rest = text.partition(end)
        if found and rest.strip():
            return (first + end.strip())[:200]
    return ""


def few_shot_examples(
    scenario: Scenario, backend: Backend, model: str, max_tokens: int | None
) -> list[Example]:
    """Training examples for the few-shot route: never a test prompt, and fit the context.

    A test prompt (or paraphrase) matching an example after normalisation
    (:func:`~advisor.bench.scenario.normalize_prompt`) removes that example.  ``k``
    is the largest number, up to :data:`FEW_SHOT_MAX`, whose examples plus the
    instructions and the answer budget fit :data:`FEW_SHOT_SHARE` of the window.
    """
    from advisor.bench.scenario import normalize_prompt
    from advisor.routes.context import context_window, estimate_tokens
    from advisor.routes.few_shot import load_examples, spread

    source = scenario.training_file("sft")
    if source is None:
        raise UserInputError.from_catalog("core.bench.few_shot_no_sft", scenario=scenario.name)
    held_out = {normalize_prompt(i.prompt) for i in scenario.test_items()}
    held_out |= {normalize_prompt(t) for texts in scenario.paraphrases().values() for t in texts}
    examples = [e for e in load_examples(source) if normalize_prompt(e.user) not in held_out]
    window = context_window(backend, model) or DEFAULT_WINDOW
    budget = FEW_SHOT_SHARE * window - estimate_tokens(scenario.system_prompt) - (max_tokens or 0)
    chosen: list[Example] = []
    for k in range(1, min(FEW_SHOT_MAX, len(examples)) + 1):
        picked = spread(examples, k)
        if sum(estimate_tokens(e.user + e.assistant) for e in picked) > budget:
            break
        chosen = picked
    return chosen


def _few_shot_route(
    scenario: Scenario,
    backend: Backend,
    model: str,
    settings: Settings,
    max_tokens: int | None,
) -> tuple[Route, dict[str, object], Path]:
    from advisor.routes import SystemPromptRoute

    examples = few_shot_examples(scenario, backend, model, max_tokens)
    if not examples:
        raise UserInputError.from_catalog(
            "core.bench.few_shot_too_long", hint_key="core.bench.few_shot_too_long_hint"
        )
    # The chosen examples as a file: inspectable, and the route reads them as a team would.
    folder = settings.data_dir / "bench" / "few-shot"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{scenario.name}.jsonl"
    lines = [json.dumps({"prompt": e.user, "completion": e.assistant}) for e in examples]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    route = SystemPromptRoute(backend, model, scenario.system_prompt, path, k=len(examples))
    route.prepare()
    return route, {"few_shot": len(examples), "few_shot_file": str(path)}, path


def _assistant_route(
    scenario: Scenario, backend: Backend, model: str, settings: Settings
) -> tuple[Route, dict[str, object]]:
    from advisor.routes.assistant import AssistantProfile, CustomAssistantRoute
    from advisor.routes.few_shot import load_examples

    starters: list[str] = []
    source = scenario.training_file("sft")
    if source is not None:  # the training data's questions are what users ask
        starters = [e.user for e in load_examples(source)[:MAX_STARTERS]]
    profile = AssistantProfile(
        name=f"bench-{scenario.name}"[:50],
        description=scenario.title,
        instructions=scenario.system_prompt,
        knowledge=[str(p) for p in scenario.knowledge_files()],
        conversation_starters=starters,
        backend=backend.name,
        model=model,
    )
    route = CustomAssistantRoute(profile, settings, backend=backend)
    report = route.prepare()
    details: dict[str, object] = {
        "assistant": profile.name,
        "knowledge_files": len(profile.knowledge),
        "conversation_starters": len(starters),
    }
    details.update(report.details)
    return route, details


def prepare_spec(
    spec: RouteSpec,
    scenario: Scenario,
    backend: Backend,
    model: str,
    settings: Settings,
    training: TrainingSettings,
    *,
    max_tokens: int | None,
    progress: Progress | None,
    cancel: threading.Event | None,
    early: Mapping[str, StartedJob] | None = None,
) -> PreparedRoute:
    """Train what ``spec`` trains (or reuse it, or wait for the job the runner started
    ``early``), then build the route that answers."""
    from advisor.routes import SystemPromptRoute

    tuned: PreparedRoute | None = None
    for method in spec.training:
        parent = _job(tuned, settings) if tuned is not None else None
        tuned = prepare_fine_tuned(
            method,
            scenario,
            backend,
            model,
            settings,
            training,
            progress,
            cancel,
            parent=parent,
            early=early,
        )
    answering = tuned.route.model if tuned is not None else model
    prep = tuned.preparation if tuned is not None else Preparation(kind="none")
    details: dict[str, object] = {}
    if spec.inference == "system_prompt":
        if tuned is not None:
            return tuned
        route: Route = SystemPromptRoute(backend, answering, scenario.system_prompt)
        route.prepare()
    elif spec.inference == "short":
        short = minimal_prompt(scenario.system_prompt)
        route = SystemPromptRoute(backend, answering, short)
        route.prepare()
        details["system_prompt"] = short
    elif spec.inference == "few_shot":
        route, details, _ = _few_shot_route(scenario, backend, answering, settings, max_tokens)
    elif spec.inference == "rag":
        rag = prepare_rag(scenario, backend, answering, settings, progress, cancel)
        route = rag.route
        if tuned is None:
            return rag
        details = {"index": rag.preparation.details, "index_seconds": rag.preparation.seconds}
    else:
        route, details = _assistant_route(scenario, backend, answering, settings)
    merged = prep.model_copy(update={"details": {**prep.details, **details}})
    return PreparedRoute(route, merged)


def _job(prepared: PreparedRoute, settings: Settings) -> FineTuneJob:
    """The finished job behind a prepared fine-tuned route (the parent of a chain)."""
    from backends.job_store import JobStore

    job_id = prepared.preparation.job_id
    if job_id is None:
        raise JobError.from_catalog("core.bench.parent_job_unknown")
    return JobStore(settings.jobs_db).get_job(job_id)
