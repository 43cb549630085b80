"""Making each benchmarked route ready: nothing, a RAG index, or a fine-tuning job.

Fine-tuning goes through the backend's job system like ``advisor tune create``,
so a bench job shows up in ``advisor jobs`` and can be inspected, cancelled or
resumed there.  A finished job trained on identical data and settings is
reused: every bench job carries ``bench_key`` in its metadata, the SHA-256 of
the training file's bytes, method, base model, backend, hyperparameters and
grader, and :meth:`JobStore.find_by_metadata` finds it again.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.bench.schema import Preparation
from advisor.data.texts import Label
from advisor.errors import CancelledError, JobError
from advisor.ids import Progress

if TYPE_CHECKING:
    from advisor.bench.scenario import Scenario
    from advisor.routes.base import Route
    from advisor.settings import Settings
    from backends.base import Backend, FineTuningService
    from backends.jobs import FineTuneJob

#: (stage label, done, total); total 0 when unknown.

POLL_S = 1.0


@dataclass
class TrainingSettings:
    """Fine-tuning settings for bench jobs: small enough for a 2-core CPU.

    ``extra`` goes into the job's hyperparameters as-is (the local trainer reads
    e.g. ``max_length``); it is part of the reuse key like everything else.
    """

    n_epochs: int = 2
    batch_size: int = 4
    learning_rate_multiplier: float | None = None
    extra: dict[str, Any] = field(default_factory=lambda: {"max_length": 256})

    def hyperparameters(self) -> dict[str, Any]:
        values: dict[str, Any] = {"n_epochs": self.n_epochs, "batch_size": self.batch_size}
        if self.learning_rate_multiplier is not None:
            values["learning_rate_multiplier"] = self.learning_rate_multiplier
        values.update(self.extra)
        return values


@dataclass
class PreparedRoute:
    route: Route
    preparation: Preparation


def training_key(
    *,
    training_file: Path,
    method: str,
    backend: str,
    model: str,
    hyperparameters: dict[str, Any],
    grader: dict[str, Any] | None,
) -> str:
    """The reuse key of a bench fine-tuning job (content hash, not the path)."""
    digest = hashlib.sha256(training_file.read_bytes()).hexdigest()
    material = json.dumps(
        {
            "file": digest,
            "method": method,
            "backend": backend,
            "model": model,
            "hyperparameters": hyperparameters,
            "grader": grader,
        },
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def _rft_grader(scenario: Scenario, method: str) -> dict[str, Any] | None:
    if method == "rft" and scenario.training.rft_grader is not None:
        grader: dict[str, Any] = json.loads(
            scenario.training.rft_grader.read_text(encoding="utf-8")
        )
        return grader
    return None


def bench_key(
    method: str,
    scenario: Scenario,
    backend: str,
    model: str,
    training: TrainingSettings,
    parent_key: str | None = None,
) -> str:
    """The reuse key of the scenario's ``method`` job; a continued job names its parent's."""
    training_file = _training_file(scenario, method)
    key = training_key(
        training_file=training_file,
        method=method,
        backend=backend,
        model=model,
        hyperparameters=training.hyperparameters(),
        grader=_rft_grader(scenario, method),
    )
    if parent_key is None:
        return key
    return hashlib.sha256(f"{key}>{parent_key}".encode()).hexdigest()[:32]


def prepare_system_prompt(scenario: Scenario, backend: Backend, model: str) -> PreparedRoute:
    from advisor.routes import SystemPromptRoute

    route = SystemPromptRoute(backend, model, scenario.system_prompt)
    route.prepare()
    return PreparedRoute(route, Preparation(kind="none"))


def prepare_rag(
    scenario: Scenario,
    backend: Backend,
    model: str,
    settings: Settings,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> PreparedRoute:
    """Index the scenario's documents into ``bench-<scenario>`` and build the route."""
    from advisor.rag import KnowledgeBase
    from advisor.routes import RagRoute

    files = scenario.knowledge_files()
    name = f"bench-{scenario.name}"
    began = time.perf_counter()
    knowledge_base = KnowledgeBase(name, settings)

    def report(done: int, total: int, label: str) -> None:
        if progress:
            progress(done, total, _rag_label(label))

    index_report = knowledge_base.index(files, progress=report, cancel=cancel)
    route = RagRoute(backend, model, name, settings, instructions=scenario.system_prompt)
    route_report = route.prepare()
    details: dict[str, Any] = {"documents": len(files), "knowledge_base": name}
    details.update(_plain(index_report))
    return PreparedRoute(
        route,
        Preparation(
            kind="index",
            seconds=time.perf_counter() - began,
            details=details,
            notes=list(route_report.warnings),
        ),
    )


@dataclass(frozen=True)
class StartedJob:
    """A bench job as :func:`start_fine_tuned` found or created it (not waited for)."""

    job: FineTuneJob
    reused: bool
    key: str
    training_file: Path
    hyperparameters: dict[str, Any]


def start_fine_tuned(
    method: str,
    scenario: Scenario,
    backend: Backend,
    model: str,
    settings: Settings,
    training: TrainingSettings,
    *,
    parent: FineTuneJob | None = None,
    early: Mapping[str, StartedJob] | None = None,
) -> StartedJob:
    """The job that trains ``method`` for ``scenario``: the finished or running one with
    the same bench key, else a new one.  Does not wait for it.

    ``early``: the jobs this run started before answering, by bench key; such a job is
    this run's own (not reused), whatever state it has reached since.

    Raises:
        JobError, DataFileError, UserInputError: the job cannot be created (a missing or
            invalid training file, a method the backend cannot train).
    """
    from backends.job_store import JobStore
    from backends.jobs import PARENT_JOB_KEY, SUCCEEDED, Hyperparameters, JobRequest

    training_file = _training_file(scenario, method)
    grader = _rft_grader(scenario, method)
    hyperparameters = training.hyperparameters()
    parent_key = parent.metadata.get("bench_key", parent.id) if parent is not None else None
    key = bench_key(method, scenario, backend.name, model, training, parent_key)
    metadata = {"bench_key": key, "bench_scenario": scenario.name}
    base = model
    if parent is not None:
        metadata = {"bench_key": key, "bench_scenario": scenario.name, PARENT_JOB_KEY: parent.id}
        if not backend.capabilities.runs_locally and parent.fine_tuned_model:
            base = parent.fine_tuned_model
    service = backend.fine_tuning()
    if early and key in early:
        return replace(early[key], job=service.retrieve(early[key].job.id))
    job = JobStore(settings.jobs_db).find_by_metadata("bench_key", key)
    reused = job is not None and job.status == SUCCEEDED and bool(job.fine_tuned_model)
    if job is None or job.status in ("failed", "cancelled"):
        request = JobRequest(
            method=method,
            training_file=str(training_file),
            grader=grader,
            model=base,
            hyperparameters=Hyperparameters.model_validate(hyperparameters),
            suffix=f"bench-{scenario.name}"[:40],
            seed=0,
            metadata=metadata,
        )
        job = service.create(request)
    if job.status == "paused":  # paused from `advisor jobs`: finish it, never wait forever
        job = service.resume(job.id)
    return StartedJob(job, reused, key, training_file, hyperparameters)


def prepare_fine_tuned(
    method: str,
    scenario: Scenario,
    backend: Backend,
    model: str,
    settings: Settings,
    training: TrainingSettings,
    progress: Progress | None,
    cancel: threading.Event | None,
    *,
    parent: FineTuneJob | None = None,
    early: Mapping[str, StartedJob] | None = None,
) -> PreparedRoute:
    """Train (or reuse) a fine-tuned model, then wrap it in a system-prompt route.

    With ``parent`` (a finished SFT job) training continues from its model: the
    local and fake backends stack on the parent's adapter (``parent_job`` in the
    request metadata), a remote one fine-tunes the parent's model id.  A job the
    runner started early (advisor/bench/early.py) is found by its key and waited for.
    """
    from advisor.routes import SystemPromptRoute
    from backends.jobs import PARENT_JOB_KEY

    began = time.perf_counter()
    started = start_fine_tuned(
        method, scenario, backend, model, settings, training, parent=parent, early=early
    )
    job = started.job
    if not job.is_terminal:
        job = _wait(backend.fine_tuning(), job, method, progress, cancel)
    _require_success(job, method)
    served = _served_model(backend, job, method, settings, progress, cancel)
    route = SystemPromptRoute(backend, served, scenario.system_prompt)
    route.prepare()
    # A reused job reports what its training took, so the cost column stays meaningful.
    elapsed = time.perf_counter() - began
    train_seconds = job.finished_at - job.created_at if job.finished_at is not None else elapsed
    notes = [f"reused finished job {job.id} (same data and settings)"] if started.reused else []
    return PreparedRoute(
        route,
        Preparation(
            kind="fine_tune",
            seconds=train_seconds,
            reused=started.reused,
            job_id=job.id,
            model=job.fine_tuned_model,
            trained_tokens=job.trained_tokens,
            cost_usd=_training_cost(started.training_file, method, model, backend),
            details={"hyperparameters": started.hyperparameters, "bench_key": started.key}
            | ({PARENT_JOB_KEY: parent.id} if parent is not None else {})
            | ({"deployment": served} if served != job.fine_tuned_model else {}),
            notes=notes,
        ),
    )


def _served_model(
    backend: Backend,
    job: FineTuneJob,
    method: str,
    settings: Settings,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> str:
    """The model id that answers with the job's model: deployed first where the backend needs it.

    Azure OpenAI serves a fine-tuned model only through a deployment; the first
    bench run deploys it (the settings' SKU) and records it on the job, later
    runs reuse it.
    """
    served = backend.served_model(job)
    if served:
        return served
    from backends.deployments import deploy_and_wait
    from backends.job_store import JobStore

    def report(done: int, total: int, label: str) -> None:
        if progress:
            progress(done, total, Label("progress.bench_method", method=method, item=label))

    deployment = deploy_and_wait(
        backend, job, JobStore(settings.jobs_db), progress=report, cancel=cancel
    )
    return deployment.name


def _training_file(scenario: Scenario, method: str) -> Path:
    training_file = scenario.training_file(method)  # type: ignore[arg-type]
    if training_file is None:
        raise JobError.from_catalog(
            "core.bench.no_training_file", scenario=scenario.name, method=method
        )
    return training_file


def _require_success(job: FineTuneJob, method: str) -> None:
    if job.status != "succeeded" or not job.fine_tuned_model:
        reason = job.error.message if job.error else job.status
        raise JobError.from_catalog(
            "core.bench.job_failed",
            hint_key="core.bench.job_failed_hint",
            method=method,
            job=job.id,
            reason=reason,
        )


def _wait(
    service: FineTuningService,
    job: FineTuneJob,
    method: str,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> FineTuneJob:
    """Poll until the job ends; Ctrl+C or ``cancel`` cancels the job, then re-raises."""
    try:
        while not job.is_terminal:
            if cancel is not None and cancel.is_set():
                service.cancel(job.id)
                raise CancelledError.from_catalog(
                    "core.bench.job_cancelled", method=method, job=job.id
                )
            if progress:
                _show_training(progress, service, job, method)
            time.sleep(POLL_S)
            job = service.retrieve(job.id)
    except KeyboardInterrupt:
        service.cancel(job.id)
        raise
    if progress:
        _show_training(progress, service, job, method)
    return job


def _show_training(
    progress: Progress, service: FineTuningService, job: FineTuneJob, method: str
) -> None:
    step, total = _job_progress(service, job)
    # The last metrics event can precede the last step; a finished job shows a full bar.
    done = total if job.status == "succeeded" else step
    progress(done, total, Label("progress.bench_training", method=method, status=job.status))


def _job_progress(service: FineTuningService, job: FineTuneJob) -> tuple[int, int]:
    """(step, total steps) from the newest metrics event, when the trainer reports them."""
    try:
        events = service.events(job.id)
    except Exception:  # progress is cosmetic; never fail a bench over it
        return 0, 0
    for event in reversed(events):
        data = event.data or {}
        if "step" in data and "total_steps" in data:
            return int(data["step"]), int(data["total_steps"])
    return 0, 0


def _training_cost(training_file: Path, method: str, model: str, backend: Backend) -> float | None:
    """Estimated training cost from the data toolkit; 0 on a local backend."""
    if backend.capabilities.runs_locally:
        return 0.0
    try:
        from advisor.data.stats import compute_stats

        stats = compute_stats(training_file, method, model=model)
    except Exception:  # an estimate only; the report says "unknown" instead
        return None
    cost = getattr(stats, "estimated_cost_usd", None)
    return float(cost) if cost is not None else None


def _plain(report: object) -> dict[str, Any]:
    """Scalar fields of a pydantic report, for the preparation details."""
    dump = getattr(report, "model_dump", None)
    if dump is None:
        return {}
    return {k: v for k, v in dump().items() if isinstance(v, int | float | str | bool)}


def _rag_label(label: str) -> Label:
    """``rag: indexing <file or phase>`` (the phase a :class:`Label` of its own)."""
    return Label("progress.bench_rag", item=label) if label else Label("progress.bench_rag_start")
