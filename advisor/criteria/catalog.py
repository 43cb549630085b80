"""The criteria catalog: questions, routes and scoring rules, loaded from ``catalog.yaml``.

The catalog is data, not code: a consultant can read (and argue with) every weight
in ``catalog.yaml`` and in the generated ``docs/criteria.md`` without reading Python.
This module defines its shape; ``checks.py`` verifies it is internally consistent
(every reference resolves, every text exists in every language), so a typo in the
data fails loudly at load time rather than silently scoring zero.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from advisor.criteria.checks import check_catalog
from advisor.errors import validated

LANGUAGES: tuple[str, ...] = ("en", "ja")
Lang = Literal["en", "ja"]
QuestionType = Literal["yes_no", "choice", "count", "scale"]
AnswerValue = bool | int | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Strict):
    """One piece of text in every supported language."""

    en: str = Field(min_length=1)
    ja: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


class Source(_Strict):
    """A statement from the source material (or published guidance) a rule rests on."""

    id: str
    origin: str = Field(description="Where the statement comes from.")
    text: Text


class Choice(_Strict):
    value: str
    label: Text


class Question(_Strict):
    id: str
    type: QuestionType
    group: str
    label: Text = Field(description="A short name, for tables and flips.")
    text: Text
    help: Text
    default: AnswerValue
    choices: tuple[Choice, ...] = ()
    min: int | None = None
    max: int | None = None
    source: str
    fine_tuning_criterion: bool = Field(
        False, description="One of the five 'when to choose fine-tuning' criteria."
    )

    @model_validator(mode="after")
    def _check_shape(self) -> Question:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"choice question {self.id!r} has no choices")
        if self.type != "choice" and self.choices:
            raise ValueError(f"only choice questions have choices ({self.id!r})")
        if self.type == "scale" and (self.min is None or self.max is None):
            raise ValueError(f"scale question {self.id!r} needs min and max")
        return self

    def choice_values(self) -> list[str]:
        return [c.value for c in self.choices]

    def label_of(self, value: AnswerValue, lang: str, messages: dict[str, Text]) -> str:
        """The answer as a person reads it, in ``lang``."""
        if self.type == "yes_no":
            return messages["yes" if value else "no"].get(lang)
        if self.type == "choice":
            for choice in self.choices:
                if choice.value == value:
                    return choice.label.get(lang)
        return str(value)


class Condition(_Strict):
    """When a rule applies.  Exactly one form is used per condition:

    * ``{question, is}``, ``{question, in}``, ``{question, at_least}``, ``{question, below}``
      (``at_least`` and ``below`` may be combined for a range);
    * ``{all: [...]}``, ``{any: [...]}``, ``{not: ...}``;
    * ``{count: [...], at_least: n}``: at least n of the listed conditions hold;
    * ``{primary_in: [...]}``, ``{eligible: route}``: only after scoring
      (warnings, combinations, next steps).
    """

    question: str | None = None
    is_: AnswerValue | None = Field(None, alias="is")
    in_: tuple[AnswerValue, ...] | None = Field(None, alias="in")
    at_least: int | None = None
    below: int | None = None
    all_: tuple[Condition, ...] | None = Field(None, alias="all")
    any_: tuple[Condition, ...] | None = Field(None, alias="any")
    not_: Condition | None = Field(None, alias="not")
    count: tuple[Condition, ...] | None = None
    primary_in: tuple[str, ...] | None = None
    eligible: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        forms = [
            self.question is not None,
            self.all_ is not None,
            self.any_ is not None,
            self.not_ is not None,
            self.count is not None,
            self.primary_in is not None,
            self.eligible is not None,
        ]
        if sum(forms) != 1:
            raise ValueError("a condition uses exactly one form (question, all, any, not, ...)")
        if self.question is not None:
            tests = [self.is_ is not None, self.in_ is not None]
            ranged = self.at_least is not None or self.below is not None
            if sum(tests) + ranged != 1:
                raise ValueError(f"condition on {self.question!r} needs is, in, or a range")
        if self.count is not None and self.at_least is None:
            raise ValueError("a count condition needs at_least")
        return self

    def walk(self) -> list[Condition]:
        """This condition and every nested one."""
        found = [self]
        for child in (*(self.all_ or ()), *(self.any_ or ()), *(self.count or ())):
            found.extend(child.walk())
        if self.not_ is not None:
            found.extend(self.not_.walk())
        return found

    def after_scoring(self) -> bool:
        return any(c.primary_in is not None or c.eligible is not None for c in self.walk())


class Route(_Strict):
    id: str
    family: Literal["prompting", "retrieval", "fine_tuning"]
    name: Text
    summary: Text
    source: str
    next_steps: tuple[Text, ...]
    combine_step: Text = Field(description="The step to add when this route is a partner.")


class Criterion(_Strict):
    """A scoring rule: when ``when`` holds, add ``effects`` to the routes' scores."""

    id: str
    question: str | None = Field(None, description="The question the rule mainly reads.")
    when: Condition | None = None
    effects: dict[str, float]
    text: Text
    rationale: Text
    source: str
    covers: tuple[str, ...] = Field(
        (),
        description="Routes (or families) that ``text`` speaks for; every other route the "
        "rule moves needs its own entry in ``route_texts``, so a reason shown for a route "
        "always belongs to that route.",
    )
    route_texts: dict[str, Text] = Field(
        default_factory=dict, description="The reason shown for one route, instead of ``text``."
    )

    def text_for(self, route: str) -> Text:
        """The reason shown when this rule moves ``route``."""
        return self.route_texts.get(route, self.text)

    def speaks_for(self, route: str, family: str) -> bool:
        return route in self.route_texts or route in self.covers or family in self.covers


class Gate(_Strict):
    """A hard rule: when ``when`` holds, ``routes`` are ineligible whatever they score."""

    id: str
    when: Condition
    routes: tuple[str, ...]
    text: Text
    source: str


class Notice(_Strict):
    """A warning or an extra next step shown when ``when`` holds."""

    id: str
    when: Condition
    text: Text
    source: str


class Combination(_Strict):
    id: str
    when: Condition
    routes: tuple[str, ...]
    text: Text
    source: str
    step: Text | None = Field(None, description="The next step, when the partners' own won't do.")
    step_before: int | None = Field(
        None, ge=1, description="Insert the step before this step (1-based) of the primary."
    )


class ConfidenceCap(_Strict):
    """A ceiling on the confidence label when ``when`` holds (after scoring)."""

    id: str
    when: Condition
    at_most: Literal["low", "medium"]
    text: Text
    source: str


class LifecycleRule(_Strict):
    """How a provider path that closes before the user's horizon moves the score."""

    id: str
    points: float = Field(lt=0, description="Added to each route whose path closes.")
    source: str
    text: Text = Field(description="The reason shown for the route.")
    warning: Text = Field(description="Shown once per closing path, with the alternatives.")
    undecided_warning: Text = Field(description="Shown when no provider was chosen yet.")
    step: Text = Field(description="The next step that names the alternatives.")


class Confidence(_Strict):
    full_margin: float = Field(gt=0, description="Points of margin that count as certainty.")
    medium_from: float
    high_from: float
    caps: tuple[ConfidenceCap, ...] = ()


class Catalog(_Strict):
    version: int
    confidence: Confidence
    sources: tuple[Source, ...]
    routes: tuple[Route, ...]
    questions: tuple[Question, ...]
    criteria: tuple[Criterion, ...]
    gates: tuple[Gate, ...]
    combinations: tuple[Combination, ...]
    warnings: tuple[Notice, ...]
    extra_steps: tuple[Notice, ...]
    messages: dict[str, Text]
    lifecycle: LifecycleRule | None = None

    @model_validator(mode="after")
    def _check_references(self) -> Catalog:
        check_catalog(self)
        return self

    # --- lookups -------------------------------------------------------------------

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def route(self, route_id: str) -> Route:
        for route in self.routes:
            if route.id == route_id:
                return route
        raise KeyError(route_id)

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def route_name(self, route: str, lang: str) -> str:
        """A route's display name in ``lang`` ("rag+sft" -> "RAG + SFT"); the id when unknown."""
        names = []
        for part in route.split("+"):
            try:
                names.append(self.route(part).name.get(lang))
            except KeyError:
                names.append(part)
        return " + ".join(names)

    def route_ids(self) -> list[str]:
        return [r.id for r in self.routes]

    def question_ids(self) -> list[str]:
        return [q.id for q in self.questions]

    def fine_tuning_criteria(self) -> list[str]:
        return [q.id for q in self.questions if q.fine_tuning_criterion]

    def defaults(self) -> dict[str, AnswerValue]:
        return {q.id: q.default for q in self.questions}

    def msg(self, key: str, lang: str, **values: Any) -> str:
        text = self.messages[key].get(lang)
        return text.format(**values) if values else text

    def points(self, value: float, lang: str) -> str:
        """``value`` points, in words ("1 point", "4 points", "4点")."""
        if value == 1:
            return self.msg("point_one", lang)
        return self.msg("points", lang, value=f"{value:g}")


# Messages the code relies on; the check keeps catalog.yaml and the code in step.
CATALOG_FILE = "catalog.yaml"


def parse_catalog(data: Any, *, path: str = CATALOG_FILE) -> Catalog:
    """Validate raw catalog data; a broken catalog is a :class:`DataFileError`."""
    return validated(Catalog, data, what="core.table.criteria", path=path)


@cache
def load_catalog() -> Catalog:
    """The catalog shipped with the package (parsed once per process)."""
    text = resources.files("advisor.criteria").joinpath(CATALOG_FILE).read_text("utf-8")
    return parse_catalog(yaml.safe_load(text))


class ChoiceView(BaseModel):
    value: str
    label: str


class QuestionView(BaseModel):
    """One question in one language: what ``advisor questions --format json`` prints."""

    id: str
    type: QuestionType
    group: str
    label: str
    text: str
    help: str
    default: AnswerValue
    choices: list[ChoiceView]
    min: int | None
    max: int | None
    fine_tuning_criterion: bool
    source: str = Field(description="The source statement the question rests on.")


def question_views(lang: str = "en", catalog: Catalog | None = None) -> list[QuestionView]:
    """The interview in ``lang``, in catalog order."""
    catalog = catalog or load_catalog()
    return [
        QuestionView(
            id=q.id,
            type=q.type,
            group=q.group,
            label=q.label.get(lang),
            text=q.text.get(lang),
            help=q.help.get(lang),
            default=q.default,
            choices=[ChoiceView(value=c.value, label=c.label.get(lang)) for c in q.choices],
            min=q.min if q.type == "scale" else (0 if q.type == "count" else None),
            max=q.max,
            fine_tuning_criterion=q.fine_tuning_criterion,
            source=catalog.source(q.source).text.get(lang),
        )
        for q in catalog.questions
    ]
