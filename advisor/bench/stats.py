"""Statistics for benchmarks: intervals, paired tests and small descriptive helpers.

Pure Python on purpose (no numpy/scipy): the numbers involved are small, the
functions are easy to check by hand, and importing them costs nothing.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from itertools import combinations

Z_95 = 1.959963984540054  # two-sided 95% quantile of the standard normal
_WORDS = re.compile(r"\w+", re.UNICODE)


def wilson_interval(successes: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion.

    ``successes`` may be fractional: the benchmark counts prompts, not samples
    (repeats of one prompt are not independent), so a prompt that passed in two
    of three repeats contributes 2/3.  ``n == 0`` gives the uninformative (0, 1).
    """
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pair counts.

    ``b``: prompts route A passed and B failed; ``c``: the reverse.  Under the
    null hypothesis each discordant pair is a fair coin, so the p-value is the
    two-sided binomial tail of min(b, c) in b + c trials (capped at 1).
    """
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def paired_bootstrap(
    a: Sequence[float],
    b: Sequence[float],
    *,
    resamples: int = 10_000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, tuple[float, float], float]:
    """Paired bootstrap of mean(a - b) over prompts.

    Returns (observed mean difference, percentile interval, two-sided p-value).
    The p-value is twice the smaller share of resampled differences on either
    side of zero, the usual bootstrap sign test; seeded, so reports reproduce.
    """
    if len(a) != len(b):
        raise ValueError("paired samples must have the same length")
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    n = len(diffs)
    if n == 0:
        return (0.0, (0.0, 0.0), 1.0)
    observed = sum(diffs) / n
    if all(d == diffs[0] for d in diffs):
        p = 1.0 if diffs[0] == 0 else 0.0
        return (observed, (observed, observed), p)
    rng = random.Random(seed)
    means = sorted(sum(rng.choices(diffs, k=n)) / n for _ in range(resamples))
    alpha = (1 - confidence) / 2
    low = means[math.floor(alpha * (resamples - 1))]
    high = means[math.ceil((1 - alpha) * (resamples - 1))]
    at_or_below = sum(1 for m in means if m <= 0) / resamples
    at_or_above = sum(1 for m in means if m >= 0) / resamples
    p = min(1.0, 2 * min(at_or_below, at_or_above))
    return (observed, (low, high), p)


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in input order (monotone, capped at 1)."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    m = len(p_values)
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (``q`` in 0..100), as numpy's default; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    lower = math.floor(position)
    upper = math.ceil(position)
    if lower == upper:
        return ordered[lower]
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def cosine(u: Sequence[float], v: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(u, v, strict=True))
    norm = math.sqrt(sum(x * x for x in u)) * math.sqrt(sum(y * y for y in v))
    # Clamped: float noise can put identical unit vectors a hair above 1.
    return max(-1.0, min(1.0, dot / norm)) if norm else 0.0


def mean_pairwise_similarity(vectors: Sequence[Sequence[float]]) -> float | None:
    """Mean cosine similarity over all pairs; None with fewer than two vectors."""
    pairs = list(combinations(vectors, 2))
    if not pairs:
        return None
    return sum(cosine(u, v) for u, v in pairs) / len(pairs)


def normalise_text(text: str) -> str:
    """Whitespace-insensitive form used for exact agreement."""
    return " ".join(text.split())


def all_agree(texts: Sequence[str]) -> bool:
    return len({normalise_text(t) for t in texts}) <= 1


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD-style token F1 between an answer and a reference (case-folded words).

    Japanese has no spaces, so word runs are coarse there; the graders carry
    the accuracy judgement, this is a secondary signal.
    """
    pred = _WORDS.findall(prediction.lower())
    ref = _WORDS.findall(reference.lower())
    if not pred or not ref:
        return float(pred == ref)
    remaining = list(ref)
    common = 0
    for token in pred:
        if token in remaining:
            remaining.remove(token)
            common += 1
    if common == 0:
        return 0.0
    precision = common / len(pred)
    recall = common / len(ref)
    return 2 * precision * recall / (precision + recall)


def prompts_needed(p1: float, p2: float, *, alpha: float = 0.05, power: float = 0.8) -> int | None:
    """Test prompts per route to tell pass rates ``p1`` and ``p2`` apart.

    The two-proportion sample size (two-sided ``alpha``, normal approximation):
    n = (z_a/2 * sqrt(2 p q) + z_b * sqrt(p1 q1 + p2 q2))^2 / (p1 - p2)^2 with p the
    mean of the two rates.  None when the rates are equal (no difference to detect).
    Paired prompts need at most this many, so the figure errs on the safe side.
    """
    from statistics import NormalDist

    if p1 == p2:
        return None
    z_alpha = NormalDist().inv_cdf(1 - alpha / 2)
    z_beta = NormalDist().inv_cdf(power)
    p = (p1 + p2) / 2
    spread = z_alpha * math.sqrt(2 * p * (1 - p)) + z_beta * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return math.ceil(spread**2 / (p1 - p2) ** 2)
