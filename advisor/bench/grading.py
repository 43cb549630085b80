"""The bench's graders: loaded once per run, applied to every answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.bench.schema import GradeRecord, SampleRecord
from advisor.errors import AdvisorError

if TYPE_CHECKING:
    from advisor.bench.scenario import Scenario, TestItem
    from advisor.routes.base import RouteAnswer
    from advisor.settings import Settings
    from backends.base import Backend

Graders = list[tuple[str, str, Any]]  # (name, aspect, grader)


def load_graders(scenario: Scenario, backend: Backend, settings: Settings) -> Graders:
    """The scenario's graders, each checked runnable before anything is answered."""
    from advisor.graders import check_runnable, load_grader

    graders: Graders = [
        (spec.name, spec.aspect, load_grader(spec.definition(), backend=backend, settings=settings))
        for spec in scenario.test.graders
    ]
    for _, _, grader in graders:
        check_runnable(grader)  # a code grader without its sandbox: refuse before answering
    return graders


def grade(
    item: TestItem,
    repeat: int,
    answer: RouteAnswer | None,
    cached: bool,
    error: str | None,
    graders: Graders,
    notes: list[str],
) -> SampleRecord:
    """One answer's record; a grader that cannot judge adds one line to ``notes``."""
    from advisor.graders.base import Sample

    if answer is None:
        return SampleRecord(
            prompt_id=item.id, repeat=repeat, text="", passed=False, error=error or "no answer"
        )
    sample = Sample.from_text(answer.text)
    fields = item.fields()
    grades: dict[str, GradeRecord] = {}
    for name, aspect, grader in graders:
        try:
            result = grader.grade(sample, fields)
            grades[name] = GradeRecord(
                score=float(result.score), passed=bool(result.passed), aspect=aspect
            )
        except AdvisorError as exc:
            # A grader that cannot judge counts as a fail, and the report says why once.
            grades[name] = GradeRecord(score=0.0, passed=False, aspect=aspect)
            note = f"grader {name} failed on {item.id}: {exc}"
            if not any(n.startswith(f"grader {name} failed") for n in notes):
                notes.append(note)
    return SampleRecord(
        prompt_id=item.id,
        repeat=repeat,
        text=answer.text,
        passed=all(g.passed for g in grades.values()),
        grades=grades,
        latency_s=answer.latency_s,
        prompt_tokens=answer.usage.prompt_tokens,
        completion_tokens=answer.usage.completion_tokens,
        sources=[s.source for s in answer.sources],
        cached=cached,
    )
