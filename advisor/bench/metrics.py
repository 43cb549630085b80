"""Per-route metrics from graded samples (see docs/benchmarks.md for definitions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from advisor.bench import stats
from advisor.bench.schema import Consistency, RouteMetrics, SampleRecord

Embedder = Callable[[list[str]], list[list[float]]]

# Stored in results.json in English; the report reads it in Japanese (report_i18n.STORED).
NO_PRICE_NOTE = "no price known for this model"


@dataclass(frozen=True)
class Price:
    """USD per one million tokens, from the data toolkit's price table."""

    input_per_1m: float
    output_per_1m: float
    note: str | None = None


def per_prompt_scores(samples: Sequence[SampleRecord]) -> dict[str, float]:
    """Share of a prompt's graded repeats that passed, per prompt id."""
    grouped: dict[str, list[bool]] = defaultdict(list)
    for sample in samples:
        if sample.error is None:
            grouped[sample.prompt_id].append(sample.passed)
    return {pid: sum(v) / len(v) for pid, v in grouped.items()}


def aspect_pass_rate(samples: Sequence[SampleRecord], aspect: str) -> float | None:
    """Share of answers passing every grader of ``aspect``; None if no such grader."""
    outcomes = [
        all(g.passed for g in s.grades.values() if g.aspect == aspect)
        for s in samples
        if any(g.aspect == aspect for g in s.grades.values())
    ]
    return sum(outcomes) / len(outcomes) if outcomes else None


def grader_pass_rates(samples: Sequence[SampleRecord]) -> dict[str, float]:
    counts: dict[str, list[bool]] = defaultdict(list)
    for sample in samples:
        for name, grade in sample.grades.items():
            counts[name].append(grade.passed)
    return {name: sum(v) / len(v) for name, v in counts.items()}


def consistency(
    samples: Sequence[SampleRecord],
    embed: Embedder | None,
    paraphrase_answers: dict[str, list[str]] | None = None,
) -> Consistency:
    """Exact agreement and embedding similarity across repeats (and paraphrases)."""
    by_prompt: dict[str, list[str]] = defaultdict(list)
    for sample in samples:
        if sample.error is None:
            by_prompt[sample.prompt_id].append(sample.text)
    repeated = {pid: texts for pid, texts in by_prompt.items() if len(texts) > 1}
    exact = (
        sum(stats.all_agree(texts) for texts in repeated.values()) / len(repeated)
        if repeated
        else None
    )
    repeat_similarity = _group_similarity(list(repeated.values()), embed)
    paraphrase_similarity = (
        _group_similarity([v for v in paraphrase_answers.values() if len(v) > 1], embed)
        if paraphrase_answers
        else None
    )
    return Consistency(
        exact_agreement=exact,
        repeat_similarity=repeat_similarity,
        paraphrase_similarity=paraphrase_similarity,
    )


def _group_similarity(groups: list[list[str]], embed: Embedder | None) -> float | None:
    """Mean over groups of the mean pairwise cosine inside each group (one embed call)."""
    if embed is None or not groups:
        return None
    flat = [text for group in groups for text in group]
    vectors = embed(flat)
    values: list[float] = []
    start = 0
    for group in groups:
        similarity = stats.mean_pairwise_similarity(vectors[start : start + len(group)])
        start += len(group)
        if similarity is not None:
            values.append(similarity)
    return stats.mean(values)


def route_metrics(
    samples: Sequence[SampleRecord],
    *,
    references: dict[str, str] | None = None,
    expected_sources: dict[str, str] | None = None,
    embed: Embedder | None = None,
    paraphrase_answers: dict[str, list[str]] | None = None,
    price: Price | None = None,
) -> RouteMetrics:
    """All metrics of one route; errored samples count in ``errors`` only."""
    graded = [s for s in samples if s.error is None]
    scores = per_prompt_scores(graded)
    n_prompts = len(scores)
    pass_rate = sum(s.passed for s in graded) / len(graded) if graded else 0.0
    # Wilson on prompts with fractional successes: repeats of one prompt are
    # correlated, so counting samples would overstate the evidence.
    ci = stats.wilson_interval(sum(scores.values()), n_prompts)
    references = references or {}
    f1 = [
        stats.token_f1(s.text, references[s.prompt_id])
        for s in graded
        if references.get(s.prompt_id)
    ]
    expected_sources = expected_sources or {}
    hits = [
        any(Path(src).name == Path(expected_sources[s.prompt_id]).name for src in s.sources)
        for s in graded
        if s.sources and expected_sources.get(s.prompt_id)
    ]
    latencies = [s.latency_s for s in graded]
    prompt_tokens = stats.mean([float(s.prompt_tokens) for s in graded]) or 0.0
    completion_tokens = stats.mean([float(s.completion_tokens) for s in graded]) or 0.0
    cost: float | None = None
    note: str | None = None
    if price is not None:
        cost = (
            1000
            * (prompt_tokens * price.input_per_1m + completion_tokens * price.output_per_1m)
            / 1_000_000
        )
        note = price.note
    else:
        note = NO_PRICE_NOTE
    return RouteMetrics(
        n_prompts=n_prompts,
        n_samples=len(graded),
        pass_rate=pass_rate,
        pass_rate_ci=ci,
        format_compliance=aspect_pass_rate(graded, "format"),
        style_adherence=aspect_pass_rate(graded, "style"),
        rules_compliance=aspect_pass_rate(graded, "rules"),
        accuracy=aspect_pass_rate(graded, "accuracy"),
        reference_f1=stats.mean(f1),
        retrieval_hit_rate=sum(hits) / len(hits) if hits else None,
        grader_pass_rates=grader_pass_rates(graded),
        consistency=consistency(graded, embed, paraphrase_answers),
        latency_p50_s=stats.percentile(latencies, 50),
        latency_p95_s=stats.percentile(latencies, 95),
        prompt_tokens_per_request=prompt_tokens,
        completion_tokens_per_request=completion_tokens,
        tokens_per_request=prompt_tokens + completion_tokens,
        cost_per_1k_usd=cost,
        cost_note=note,
        errors=len(samples) - len(graded),
    )
