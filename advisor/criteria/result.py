"""The shape of an assessment: what ``advisor assess --format json`` prints.

``routes``, ``recommendation``, ``flips`` and ``warnings`` with the keys named in
the issue are a stable public interface; the other keys are additions.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from advisor.criteria.catalog import AnswerValue
from advisor.criteria.lifecycle import Closure


class Reason(BaseModel):
    criterion: str = Field(description="The id of the scoring rule that fired.")
    contribution: float = Field(description="Points this rule adds to (or takes from) the route.")
    text: str = Field(description="Why, in the assessment's language.")


class GateReason(BaseModel):
    gate: str = Field(description="The id of the hard rule that makes the route ineligible.")
    text: str


class RouteScore(BaseModel):
    route: str
    name: str
    score: float = Field(description="The sum of the reasons' contributions.")
    eligible: bool
    reasons: list[Reason]
    gates: list[GateReason] = Field(description="Why the route is ineligible (empty if eligible).")


class Recommendation(BaseModel):
    primary: str
    combination: list[str] = Field(description="Routes to use together, the primary first.")
    confidence: float = Field(ge=0, le=1, description="Margin to the runner-up, scaled to 0..1.")
    next_steps: list[str]
    confidence_label: str
    runner_up: str | None
    margin: float = Field(description="Points between the primary and the runner-up.")
    combination_reason: str | None = None
    summary: str


class Flip(BaseModel):
    question: str
    answer: AnswerValue = Field(description="The nearest answer that changes the primary route.")
    new_primary: str
    current: AnswerValue = Field(description="The answer given (or the default).")
    text: str


class Assessment(BaseModel):
    routes: list[RouteScore] = Field(description="Sorted by score, highest first.")
    recommendation: Recommendation
    flips: list[Flip]
    warnings: list[str]
    lang: str
    catalog_version: int
    answers: dict[str, AnswerValue] = Field(description="Every question's effective value.")
    defaulted: list[str] = Field(description="Questions left unanswered (default used).")
    fine_tuning_criteria_held: list[str] = Field(
        description="Which of the five 'when to choose fine-tuning' criteria hold."
    )
    closures: list[Closure] = Field(
        default_factory=list,
        description="Provider paths that close before the horizon ends (issue 16).",
    )

    def route(self, route_id: str) -> RouteScore:
        for route in self.routes:
            if route.route == route_id:
                return route
        raise KeyError(route_id)
