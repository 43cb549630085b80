"""``score_model``: a judge model through any chat backend, with forgiving output parsing."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from advisor.errors import GraderError
from advisor.graders.base import Grader, GradeResult, GraderSpec, Sample, render

if TYPE_CHECKING:
    from backends.base import Backend

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_LABELLED = re.compile(rf"(?:score|rating|grade|result)\W{{0,3}}\s*({_NUMBER})", re.IGNORECASE)
_FRACTION = re.compile(rf"({_NUMBER})\s*(?:/|out of)\s*({_NUMBER})", re.IGNORECASE)
_ANY = re.compile(_NUMBER)
_JSON = re.compile(r"\{[^{}]*\}")


class JudgeMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant"] = "user"
    content: str


class SamplingParams(BaseModel):
    model_config = ConfigDict(extra="allow")

    temperature: float = 0.0
    max_completions_tokens: int | None = Field(default=64, ge=1)
    seed: int | None = None


class ScoreModelSpec(GraderSpec):
    type: Literal["score_model"] = "score_model"
    model: str | None = None
    backend: str | None = Field(default=None, description="Ours: backend of the judge model.")
    input: list[JudgeMessage]
    range: tuple[float, float] = (0.0, 1.0)
    sampling_params: SamplingParams = Field(default_factory=SamplingParams)

    @model_validator(mode="after")
    def _ordered_range(self) -> ScoreModelSpec:
        if self.range[0] >= self.range[1]:
            raise ValueError("range must be [low, high] with low < high")
        return self


def parse_score(text: str, low: float, high: float) -> float | None:
    """The score a judge wrote, clamped to [low, high]; None when there is none.

    Tries, in order: a JSON object with score/rating/result, "7/10" or "7 out
    of 10" (rescaled when the denominator is not ``high``), "score: 7", then the
    first number in the text.
    """
    for blob in _JSON.findall(text):
        try:
            data = json.loads(blob)
        except ValueError:
            continue
        for key in ("score", "rating", "result", "grade"):
            if isinstance(data, dict) and isinstance(data.get(key), int | float):
                return _clamp(float(data[key]), low, high)
    value: float | None = None
    if match := _FRACTION.search(text):
        top, bottom = float(match.group(1)), float(match.group(2))
        value = top if bottom == high or bottom == 0 else low + (high - low) * top / bottom
    elif match := _LABELLED.search(text):
        value = float(match.group(1))
    elif match := _ANY.search(text):
        value = float(match.group(0))
    return None if value is None else _clamp(value, low, high)


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


class ScoreModelGrader(Grader):
    type = "score_model"
    spec: ScoreModelSpec

    def __init__(self, spec: ScoreModelSpec, backend: Backend | None = None) -> None:
        super().__init__(spec)
        self._backend = backend

    @property
    def threshold(self) -> float:
        if self.spec.pass_threshold is not None:
            return self.spec.pass_threshold
        low, high = self.spec.range
        return (low + high) / 2

    def _conversation(self, sample: Sample, item: dict[str, Any]) -> list[Any]:
        from backends.types import ChatMessage

        return [
            ChatMessage(
                role="system" if m.role == "developer" else m.role,
                content=render(m.content, sample, item),
            )
            for m in self.spec.input
        ]

    def _judge(self) -> Backend:
        if self._backend is None:
            raise GraderError.from_catalog(
                "core.graders.no_judge", hint_key="core.graders.no_judge_hint", name=repr(self.name)
            )
        return self._backend

    def score(self, sample: Sample, item: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        result = self.grade_batch([sample], [item])[0]
        return result.score, result.details

    def grade(self, sample: Sample, item: dict[str, Any]) -> GradeResult:
        return self.grade_batch([sample], [item])[0]

    def grade_batch(
        self, samples: Sequence[Sample], items: Sequence[dict[str, Any]]
    ) -> list[GradeResult]:
        from backends.types import GenerationParams

        backend = self._judge()
        sampling = self.spec.sampling_params
        params = GenerationParams(
            temperature=sampling.temperature,
            max_tokens=sampling.max_completions_tokens,
            seed=sampling.seed,
        )
        conversations = [self._conversation(s, i) for s, i in zip(samples, items, strict=True)]
        replies = backend.chat_batch(conversations, model=self.spec.model, params=params)
        low, high = self.spec.range
        results = []
        for reply in replies:
            value = parse_score(reply.text, low, high)
            if value is None:
                details = {"error": "the judge's answer holds no score", "judge": reply.text}
                results.append(GradeResult(score=low, passed=False, details=details))
            else:
                details = {"judge": reply.text}
                results.append(
                    GradeResult(score=value, passed=value >= self.threshold, details=details)
                )
        return results
