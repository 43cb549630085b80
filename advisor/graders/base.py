"""Grader contract: a sample, an item, a score.

Graders mirror OpenAI's grader objects so one definition serves evaluation
(benchmarks) and reinforcement fine-tuning rewards.  A grader looks at a model
output (:class:`Sample`) and the dataset row it answers (``item``: the
reference fields of the JSONL line) and returns a :class:`GradeResult`.

Templates such as ``{{ sample.output_text }}`` or ``{{ item.answer }}`` are
filled by :func:`render` exactly like OpenAI fills them: a dotted path into
``sample`` or ``item``; non-string values are written as JSON.
"""

from __future__ import annotations

import abc
import json
import re
from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from advisor.errors import GraderError

_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][\w.\-]*)\s*\}\}")


class Sample(BaseModel):
    """What the model produced."""

    output_text: str
    output_json: Any | None = None

    @classmethod
    def from_text(cls, text: str) -> Sample:
        """A sample whose ``output_json`` is filled when the text parses as JSON."""
        try:
            parsed: Any = json.loads(text)
        except ValueError:
            parsed = None
        return cls(output_text=text, output_json=parsed)


class GradeResult(BaseModel):
    score: float
    passed: bool
    details: dict[str, Any] = Field(default_factory=dict)


class GraderSpec(BaseModel):
    """Fields every grader definition has."""

    model_config = ConfigDict(extra="forbid")

    type: str
    name: str = "grader"
    pass_threshold: float | None = None


def lookup(path: str, sample: Sample, item: dict[str, Any]) -> Any:
    """Value of a dotted path such as ``item.answer`` or ``sample.output_json.label``.

    Raises:
        GraderError: the root is not ``sample`` or ``item``, or a field is missing.
    """
    root, *rest = path.split(".")
    value: Any
    if root == "sample":
        value = sample.model_dump()
    elif root == "item":
        value = item
    else:
        raise GraderError.from_catalog(
            "core.graders.field_prefix", hint_key="core.graders.field_prefix_hint", field=repr(path)
        )
    for part in rest:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise GraderError.from_catalog(
                "core.graders.field_missing",
                hint_key="core.graders.field_missing_hint",
                field=repr(path),
            )
    return value


def render(template: str, sample: Sample, item: dict[str, Any]) -> str:
    """Fill ``{{ sample.* }}`` and ``{{ item.* }}`` placeholders."""

    def one(match: re.Match[str]) -> str:
        value = lookup(match.group(1), sample, item)
        if value is None:
            return ""
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    return _TEMPLATE.sub(one, template)


class Grader(abc.ABC):
    """One grader definition, ready to grade."""

    type: ClassVar[str]
    #: ``passed`` when the score reaches this and the definition sets no pass_threshold.
    default_threshold: ClassVar[float] = 1.0

    def __init__(self, spec: GraderSpec) -> None:
        self.spec = spec

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def threshold(self) -> float:
        return (
            self.spec.pass_threshold
            if self.spec.pass_threshold is not None
            else (self.default_threshold)
        )

    @abc.abstractmethod
    def score(self, sample: Sample, item: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        """The raw score and details for one sample."""

    def grade(self, sample: Sample, item: dict[str, Any]) -> GradeResult:
        """Grade one sample against its dataset item.

        Raises:
            GraderError: the definition does not fit the item (missing template field).
        """
        value, details = self.score(sample, item)
        return GradeResult(score=value, passed=value >= self.threshold, details=details)

    def grade_batch(
        self, samples: Sequence[Sample], items: Sequence[dict[str, Any]]
    ) -> list[GradeResult]:
        """Grade many samples; graders with a per-call cost (a process, a model) batch them."""
        return [self.grade(s, i) for s, i in zip(samples, items, strict=True)]
