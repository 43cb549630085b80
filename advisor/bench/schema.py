"""The ``results.json`` schema of ``advisor bench`` (versioned; see docs/benchmarks.md).

Compatibility rule: ``schema_version`` is ``MAJOR.MINOR``.  Adding optional
fields bumps MINOR; renaming, removing or changing the meaning of a field bumps
MAJOR.  Readers should check MAJOR and ignore unknown fields.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.messages import StoredSentence

# 1.1: plan, preparation details of the combined routes; 1.2: plan ranges; 1.3: error_ja;
# 1.4: error_sentence; 1.5: plan.training_beside_answering; 1.6: the plan's basis sentences
SCHEMA_VERSION = "1.6"


class _Model(BaseModel):
    # Unknown fields are ignored, so a reader of 1.x accepts files from later 1.y.
    model_config = ConfigDict(extra="ignore")


class Consistency(_Model):
    """How stable a route's answers are; None where it could not be measured."""

    exact_agreement: float | None = Field(
        description="Share of prompts whose repeats are identical (whitespace-insensitive)."
    )
    repeat_similarity: float | None = Field(
        description="Mean pairwise embedding cosine similarity between repeats of a prompt."
    )
    paraphrase_similarity: float | None = Field(
        default=None,
        description="Mean pairwise embedding similarity between answers to paraphrases.",
    )


class RouteMetrics(_Model):
    n_prompts: int
    n_samples: int = Field(description="Answers graded: prompts x repeats (minus errors).")
    pass_rate: float = Field(description="Share of answers that pass every grader.")
    pass_rate_ci: tuple[float, float] = Field(
        description="95% Wilson interval, counting prompts (repeats are not independent)."
    )
    format_compliance: float | None = Field(description="Pass rate of format graders.")
    style_adherence: float | None = Field(description="Pass rate of style graders.")
    rules_compliance: float | None = Field(default=None, description="Rules graders.")
    accuracy: float | None = Field(description="Pass rate of accuracy graders.")
    reference_f1: float | None = Field(
        default=None, description="Mean token F1 of answers against references."
    )
    retrieval_hit_rate: float | None = Field(
        default=None,
        description="Share of answers whose retrieved sources include the item's `source`.",
    )
    grader_pass_rates: dict[str, float] = Field(default_factory=dict)
    consistency: Consistency
    latency_p50_s: float | None
    latency_p95_s: float | None
    prompt_tokens_per_request: float
    completion_tokens_per_request: float
    tokens_per_request: float = Field(description="Prompt plus completion tokens.")
    cost_per_1k_usd: float | None = Field(description="Estimated cost of 1,000 requests.")
    cost_note: str | None = None
    errors: int = Field(default=0, description="Requests that failed and were not graded.")


class Preparation(_Model):
    """What it took to make the route ready: nothing, an index, or a training job."""

    kind: Literal["none", "index", "fine_tune"]
    seconds: float = 0.0
    reused: bool = False
    job_id: str | None = None
    model: str | None = None
    trained_tokens: int | None = None
    cost_usd: float | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


class GradeRecord(_Model):
    score: float
    passed: bool
    aspect: str


class SampleRecord(_Model):
    prompt_id: str
    repeat: int
    text: str
    passed: bool
    grades: dict[str, GradeRecord] = Field(default_factory=dict)
    latency_s: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    sources: list[str] = Field(default_factory=list)
    cached: bool = False
    error: str | None = None


class RouteResult(_Model):
    route: str
    backend: str
    model: str
    status: Literal["ok", "failed", "skipped"]
    error: str | None = None
    error_ja: str | None = Field(
        default=None,
        description="A failed route's error in Japanese, when the product worded it (1.3).",
    )
    error_sentence: StoredSentence | None = Field(
        default=None,
        description="A failed route's error as its catalog sentence, when the product worded it "
        "(1.4): the report renders it in its language, before error_ja.",
    )
    preparation: Preparation
    metrics: RouteMetrics | None = None
    samples: list[SampleRecord] = Field(default_factory=list)


class Comparison(_Model):
    """A paired comparison of two routes on the same prompts."""

    route_a: str
    route_b: str
    n_prompts: int
    pass_rate_a: float
    pass_rate_b: float
    difference: float = Field(description="pass_rate_a - pass_rate_b over shared prompts.")
    difference_ci: tuple[float, float] = Field(description="95% paired bootstrap interval.")
    bootstrap_p: float
    mcnemar_b: int = Field(description="Prompts A passed (majority of repeats) and B failed.")
    mcnemar_c: int = Field(description="Prompts B passed and A failed.")
    mcnemar_p: float
    test: Literal["mcnemar", "bootstrap"] = Field(description="The test that decides.")
    p_value: float
    significant: bool
    better: str | None = Field(description="The significantly better route, if any.")


class Verdict(_Model):
    best: str | None = Field(description="Highest pass rate (ties: cheaper, then faster).")
    winner: str | None = Field(
        description="best, only if significantly better than every other route (Holm)."
    )
    tied: list[str] = Field(default_factory=list, description="Not distinguishable from best.")
    summary: str
    recommended: str | None = Field(description="The advisor's primary route for the answers.")
    recommendation_matches: bool | None = Field(
        description="True/False when decidable; None when the recommended route was not run."
    )
    recommendation_note: str
    chosen: str | None = Field(description="Route used by --fail-under: recommended, else best.")
    chosen_pass_rate: float | None = None


class ScenarioInfo(_Model):
    name: str
    title: str = ""
    kind: str = ""
    language: str = "en"
    path: str = ""


class BenchConfig(_Model):
    backend: str
    model: str
    routes: list[str]
    repeats: int
    temperature: float
    max_examples: int | None
    max_tokens: int | None
    use_cache: bool
    alpha: float = 0.05


class PromptRecord(_Model):
    id: str
    prompt: str
    reference: str | None = None


class CacheStats(_Model):
    hits: int = 0
    misses: int = 0


class RoutePlan(_Model):
    """One route's expected work before it runs; ``None`` seconds means unknown."""

    route: str
    runs: bool = Field(description="False when the route will be skipped (see skip_reason).")
    skip_reason: str | None = None
    preparation: Literal["none", "index", "fine_tune"]
    preparation_seconds: float | None = None
    preparation_basis: str = Field(description="How the preparation time was estimated.")
    preparation_basis_sentences: list[StoredSentence] = Field(
        default_factory=list,
        description="preparation_basis as its catalog sentences, one per part (1.6): a reader "
        "renders them in its language; empty in older files.",
    )
    requests: int = Field(description="Answers to draw: prompts x repeats, plus paraphrases.")
    answer_seconds: float | None = Field(
        default=None, description="Answering time with answers as long as the references."
    )
    answer_basis: str = Field(description="How the answering time was estimated.")
    answer_basis_sentences: list[StoredSentence] = Field(
        default_factory=list,
        description="answer_basis as its catalog sentences, one per part (1.6).",
    )
    answer_seconds_max: float | None = Field(
        default=None,
        description="Answering time with every answer running to max_tokens (the range's top).",
    )
    prompt_tokens_per_request: float | None = Field(
        default=None,
        description="Estimated prompt tokens a request sends (instructions, examples, context).",
    )
    prompt_seconds: float | None = Field(
        default=None,
        description="The part of the answering time spent reading prompts; None: not calibrated.",
    )
    completion_tokens_per_request: float | None = Field(
        default=None, description="Answer tokens assumed at the low end (the references' mean)."
    )
    completion_tokens_max: int | None = Field(
        default=None, description="Answer tokens at the high end (max_tokens)."
    )


class BenchPlan(_Model):
    """What a bench will cost and what it can show, printed before it spends compute."""

    scenario: str
    backend: str
    model: str
    n_prompts: int
    repeats: int
    alpha: float
    power: float
    detectable_difference: float = Field(
        description="Smallest pass-rate difference a two-proportion test detects (prompts as n)."
    )
    detectable_difference_repeats: float | None = Field(
        default=None,
        description="The same if every repeat were an independent answer (a lower bound).",
    )
    power_note: str
    routes: list[RoutePlan]
    total_seconds: float | None = Field(description="Sum of the estimates; None if any is unknown.")
    total_seconds_max: float | None = Field(
        default=None, description="The same with every answer running to max_tokens."
    )
    training_beside_answering: bool = Field(
        default=False,
        description="A fine-tuning job trains on this machine while other routes answer: they "
        "share its cores, so they answer slower than estimated; the total adds the phases up.",
    )


class BenchResults(_Model):
    """Everything ``advisor bench`` measured; written as ``results.json``."""

    schema_version: str = SCHEMA_VERSION
    tool_version: str
    created_at: str = Field(description="UTC, ISO 8601.")
    duration_s: float
    scenario: ScenarioInfo
    config: BenchConfig
    prompts: list[PromptRecord]
    routes: dict[str, RouteResult] = Field(description="Keyed by route id, in run order.")
    comparisons: list[Comparison]
    verdict: Verdict
    cache: CacheStats = Field(default_factory=CacheStats)
    notes: list[str] = Field(default_factory=list)
    plan: BenchPlan | None = Field(default=None, description="The plan printed before the run.")


class RouteSummary(_Model):
    status: str
    model: str
    error: str | None = None
    metrics: RouteMetrics | None = None


class BenchSummary(_Model):
    """What ``advisor bench --format json`` prints (the samples stay in results.json)."""

    schema_version: str = SCHEMA_VERSION
    scenario: str
    out_dir: str
    reports: dict[str, str]
    routes: dict[str, RouteSummary]
    verdict: Verdict
    fail_under: float | None = None
    failed_threshold: bool = False
    plan: BenchPlan | None = None
