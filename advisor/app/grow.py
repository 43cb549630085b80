"""Grow the training set: draft new SFT examples with a teacher model, for review.

One implementation for the CLI (``advisor data grow``) and the wizard.
:func:`plan_grow` reads and checks every input (bad input fails there, exit 2,
before the teacher is called); :func:`run_grow` drafts, drops near duplicates
and writes the drafts file atomically, also when cancelled (what was drafted
so far).

Drafts come in this order until ``count`` are kept: every ``--distill`` prompt
once; then rounds in which each training prompt gets one paraphrase and each
document chunk one question, interleaved, a different variation (or angle) of
grow_prompts.yaml per round.  A draft whose prompt is a near duplicate
(:mod:`advisor.data.near_dup`) of a test prompt, a training prompt or an
earlier draft is dropped and reported.  Drafts carry a ``draft`` key
(:mod:`advisor.data.drafts`) and are not training data until a person accepts
them in the review queue.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from advisor.app.backends import BackendSource, backend_name_for, registry_source
from advisor.app.grow_sources import (
    DocChunk,
    TrainExample,
    common_system,
    load_chunks,
    load_distill_prompts,
    load_prompts,
    load_train,
)
from advisor.app.grow_teacher import (
    Teacher,
    as_dicts,
    grounded_messages,
    paraphrase_messages,
    question_messages,
    variants_per_source,
)
from advisor.data.drafts import ORIGINS, Draft, DraftInfo, Origin, user_text
from advisor.data.io import write_jsonl
from advisor.data.near_dup import DEFAULT_THRESHOLD, NearDuplicateIndex
from advisor.data.streams import check_input, refuse_overwrite
from advisor.data.texts import Label
from advisor.errors import BackendUnavailableError, UserInputError
from backends.types import ChatMessage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from advisor.ids import Progress
    from advisor.settings import Settings

DEFAULT_COUNT = 100
DEFAULT_MAX_TOKENS = 256
MAX_COUNT = 100_000

DuplicateReason = Literal["duplicate_of_test", "duplicate_of_train", "duplicate_of_draft"]


@dataclass
class GrowRequest:
    """What to draft from, and where the drafts go (the CLI's options)."""

    train: Path
    out: Path
    docs: str | None = None
    test: Path | None = None
    count: int = DEFAULT_COUNT
    backend: str | None = None
    model: str | None = None
    distill: Path | None = None
    threshold: float = DEFAULT_THRESHOLD
    max_tokens: int = DEFAULT_MAX_TOKENS


class DroppedDraft(BaseModel):
    """A draft left out because its prompt (almost) repeats one already there."""

    origin: Origin
    source: str
    reason: DuplicateReason
    duplicate_of: str = Field(description="test line N, train line N, or draft N (1-based).")
    similarity: float


class GrowSummary(BaseModel):
    """The JSON summary of ``advisor data grow --format json``."""

    out: str
    teacher: str
    requested: int
    drafted: int
    by_origin: dict[str, int]
    dropped_as_duplicates: list[DroppedDraft] = Field(default_factory=list)
    dropped_empty: int = Field(0, description="Teacher replies with no usable prompt or answer.")
    threshold: float
    cancelled: bool = False
    exhausted: bool = Field(False, description="Every source was used before count was reached.")


@dataclass
class GrowPlan:
    """A checked request: inputs read, teacher built."""

    request: GrowRequest
    teacher: Teacher
    train: list[TrainExample]
    test: list[tuple[int, str]] = field(default_factory=list)
    chunks: list[DocChunk] = field(default_factory=list)
    distill: list[tuple[int, str]] = field(default_factory=list)
    system: str | None = None


def plan_grow(
    request: GrowRequest, settings: Settings, backends: BackendSource | None = None
) -> GrowPlan:
    """Read and check every input and build the teacher; nothing is drafted yet.

    Raises:
        UserInputError, DataFileError: a bad count, a missing or unreadable file, the
            output is an input, no such documents; plus what the registry raises for
            an unknown or unusable backend.
    """
    if not 1 <= request.count <= MAX_COUNT:
        raise UserInputError.from_catalog(
            "core.grow.count_range",
            hint_key="core.grow.count_hint",
            count=request.count,
            max=f"{MAX_COUNT:,}",
        )
    if not 0.0 < request.threshold <= 1.0:
        raise UserInputError.from_catalog(
            "core.grow.threshold_range",
            hint_key="core.grow.threshold_hint",
            threshold=request.threshold,
        )
    inputs = [p for p in (request.train, request.test, request.distill) if p is not None]
    for path in inputs:
        check_input(path)
    refuse_overwrite(inputs, [request.out])
    train = load_train(request.train)
    plan = GrowPlan(
        request, _teacher(request, settings, backends), train, system=common_system(train)
    )
    if request.test is not None:
        plan.test = load_prompts(request.test)
    if request.distill is not None:
        plan.distill = load_distill_prompts(request.distill)
    if request.docs is not None:
        plan.chunks = load_chunks(request.docs, settings)
    return plan


def _teacher(request: GrowRequest, settings: Settings, backends: BackendSource | None) -> Teacher:
    source = backends or registry_source(settings)
    backend = source(backend_name_for(request.backend, request.model, settings))
    availability = backend.availability()
    if not availability.usable:
        raise BackendUnavailableError.from_catalog(
            "core.grow.no_teacher", backend=backend.name, reason=availability.reason_value()
        )
    return Teacher(backend, request.model, request.max_tokens)


@dataclass
class _Job:
    origin: Origin
    source: str
    make: Callable[[], list[dict[str, Any]] | None]


def run_grow(
    plan: GrowPlan,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> GrowSummary:
    """Draft until ``count`` drafts are kept, the sources run out, or ``cancel`` is set;
    write the drafts file (atomically) and return the summary."""
    cancel = cancel or threading.Event()
    request = plan.request
    dedup = _Dedup(plan, request.threshold)
    drafts: list[Draft] = []
    summary = GrowSummary(
        out=str(request.out),
        teacher=plan.teacher.name,
        requested=request.count,
        drafted=0,
        by_origin=dict.fromkeys(ORIGINS, 0),
        threshold=request.threshold,
        exhausted=True,
    )
    try:
        _draft(plan, dedup, drafts, summary, progress, cancel)
    except BaseException:
        # Interrupted (Ctrl+C) or the teacher failed: what was drafted is kept for review.
        if drafts:
            write_jsonl(request.out, (d.record() for d in drafts))
        raise
    summary.drafted = write_jsonl(request.out, (d.record() for d in drafts))
    if progress is not None:
        progress(len(drafts), request.count, Label("progress.grow_written"))
    return summary


def _draft(
    plan: GrowPlan,
    dedup: _Dedup,
    drafts: list[Draft],
    summary: GrowSummary,
    progress: Progress | None,
    cancel: threading.Event,
) -> None:
    count = plan.request.count
    for attempt, job in enumerate(_jobs(plan), start=1):
        if progress is not None:
            origin = Label(f"progress.grow_origin.{job.origin}")
            label = Label("progress.grow_try", origin=origin, source=job.source, attempt=attempt)
            progress(len(drafts), count, label)
        if cancel.is_set():
            summary.cancelled, summary.exhausted = True, False
            break
        messages = job.make()
        if messages is None:
            summary.dropped_empty += 1
            continue
        dropped = dedup.check(user_text(messages), job, len(drafts) + 1)
        if dropped is not None:
            summary.dropped_as_duplicates.append(dropped)
            continue
        drafts.append(
            Draft(
                messages=messages,
                draft=DraftInfo(origin=job.origin, teacher=plan.teacher.name, source=job.source),
            )
        )
        summary.by_origin[job.origin] += 1
        if len(drafts) >= count:
            summary.exhausted = False
            break


class _Dedup:
    """The three near-duplicate indexes, checked test first (the acceptance line)."""

    def __init__(self, plan: GrowPlan, threshold: float) -> None:
        self.test = NearDuplicateIndex(threshold)
        for line, prompt in plan.test:
            self.test.add(prompt, f"test line {line}")
        self.train = NearDuplicateIndex(threshold)
        for example in plan.train:
            self.train.add(user_text(example.messages), f"train line {example.line}")
        self.drafts = NearDuplicateIndex(threshold)

    def check(self, prompt: str, job: _Job, number: int) -> DroppedDraft | None:
        """None (and the prompt indexed as draft ``number``) when it is new."""
        indexes: list[tuple[DuplicateReason, NearDuplicateIndex]] = [
            ("duplicate_of_test", self.test),
            ("duplicate_of_train", self.train),
            ("duplicate_of_draft", self.drafts),
        ]
        for reason, index in indexes:
            match = index.find(prompt)
            if match is not None:
                return DroppedDraft(
                    origin=job.origin,
                    source=job.source,
                    reason=reason,
                    duplicate_of=match.label,
                    similarity=match.similarity,
                )
        self.drafts.add(prompt, f"draft {number}")
        return None


def _jobs(plan: GrowPlan) -> Iterator[_Job]:
    for line, prompt in plan.distill:
        # Labels: their English is the draft's source as stored, the bar shows them translated.
        yield _Job(
            "distill", Label("progress.grow_prompts_line", line=line), _distill(plan, prompt)
        )
    for variant in range(variants_per_source()):
        paraphrases = [
            _Job(
                "paraphrase",
                Label("progress.grow_train_line", line=e.line),
                _paraphrase(plan, e, variant),
            )
            for e in plan.train
        ]
        questions = [_Job("document", c.source, _document(plan, c, variant)) for c in plan.chunks]
        for pair in zip_longest(paraphrases, questions):
            yield from (job for job in pair if job is not None)


def _seed(*parts: object) -> int:
    """A reproducible per-draft seed (Python's hash() changes between runs)."""
    return zlib.crc32("\x1f".join(map(str, parts)).encode())


def _with_system(system: str | None, messages: list[ChatMessage]) -> list[ChatMessage]:
    return ([ChatMessage(role="system", content=system)] if system else []) + messages


def _distill(plan: GrowPlan, prompt: str) -> Callable[[], list[dict[str, Any]] | None]:
    def make() -> list[dict[str, Any]] | None:
        conversation = _with_system(plan.system, [ChatMessage(role="user", content=prompt)])
        answer = plan.teacher.answer(conversation)
        if answer is None:
            return None
        return [*as_dicts(conversation), {"role": "assistant", "content": answer}]

    return make


def _paraphrase(
    plan: GrowPlan, example: TrainExample, variant: int
) -> Callable[[], list[dict[str, Any]] | None]:
    def make() -> list[dict[str, Any]] | None:
        seed = _seed("paraphrase", example.line, variant)
        messages = paraphrase_messages(example.prompt, variant)
        prompt = plan.teacher.write_prompt(messages, seed, example.prompt)
        if prompt is None:
            return None
        head = [dict(m) for m in example.messages[:-1]] + [{"role": "user", "content": prompt}]
        answer = plan.teacher.answer([ChatMessage.model_validate(m) for m in head])
        if answer is None:
            return None
        return [*head, {"role": "assistant", "content": answer}]

    return make


def _document(
    plan: GrowPlan, chunk: DocChunk, variant: int
) -> Callable[[], list[dict[str, Any]] | None]:
    def make() -> list[dict[str, Any]] | None:
        seed = _seed("document", chunk.source, variant)
        question = plan.teacher.write_prompt(
            question_messages(chunk.text, variant), seed, chunk.text
        )
        if question is None:
            return None
        answer = plan.teacher.answer(grounded_messages(chunk.text, question))
        if answer is None:
            return None
        conversation = _with_system(plan.system, [ChatMessage(role="user", content=question)])
        return [*as_dicts(conversation), {"role": "assistant", "content": answer}]

    return make
