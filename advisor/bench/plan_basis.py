"""The bench plan's bases as catalog sentences (``bench_report.stored.plan_*``).

A basis is a list of parts (one per training step, then indexing; the answers, then
their prompts, then the adapter's rates).  The plan keeps each part as a sentence,
stored in results.json beside the English basis (1.6), so a reader says it in its own
language and release without finding the English again by its template; the English
basis is the parts' English joined by ``"; "``, as it always was.
"""

from __future__ import annotations

from collections.abc import Sequence

from advisor.messages import Localized, StoredSentence

NOTHING_TO_PREPARE = Localized("bench_report.stored.nothing_to_prepare")
SIMULATED = Localized("bench_report.stored.simulated")
SKIPPED = Localized("bench_report.status.skipped")
# No measured generation throughput: a provider's (nothing to calibrate), or a local
# backend not calibrated yet (the basis says how to).
UNKNOWN_ANSWERS = Localized("bench_report.stored.plan_answers_unknown")
UNKNOWN_ANSWERS_UNCALIBRATED = Localized("bench_report.stored.plan_answers_not_calibrated")
ADAPTER_NOT_MEASURED = Localized("bench_report.stored.plan_adapter_not_measured")
# The calibration tried and the backend could not answer through an adapter (e.g. an
# engine that serves none), so calibrating again would not help: no hint.
ADAPTER_NOT_MEASURABLE = Localized("bench_report.stored.plan_adapter_not_measurable")


def joined(parts: Sequence[Localized]) -> str:
    """The English basis: the parts joined by ``"; "`` (results.json's ``*_basis``)."""
    return "; ".join(str(part) for part in parts)


def stored(parts: Sequence[Localized]) -> list[StoredSentence]:
    """The parts as results.json stores them (``*_basis_sentences``)."""
    return [StoredSentence.of(part) for part in parts]


def reuses(method: str, job: str) -> Localized:
    return Localized("bench_report.stored.plan_reuses", {"method": method, "job": job})


def provider_unknown(method: str) -> Localized:
    return Localized("bench_report.stored.plan_provider_unknown", {"method": method})


def not_calibrated(method: str) -> Localized:
    return Localized("bench_report.stored.plan_not_calibrated", {"method": method})


def unmeasurable(method: str) -> Localized:
    return Localized("bench_report.stored.plan_unmeasurable", {"method": method})


def training(method: str, tokens: int, rate: Localized, mean: float | None) -> Localized:
    """A training step's basis: its tokens at ``rate`` (:func:`advisor.data.calibration.
    rate_sentence`), ``mean`` the example length when the nearest measured one differs."""
    # data.stats_source_loaded[_measured|_assumed] -> plan_training[_near]_loaded[_...]
    loaded = rate.key.removeprefix("data.stats_source")
    key = "bench_report.stored.plan_training" + ("_near" if mean is not None else "")
    values = {"method": method, "tokens": f"{tokens:,}", **rate.values}
    if mean is not None:
        values["mean"] = f"{mean:.0f}"
    return Localized(key + loaded, values)


def indexing(chunks: int, chunks_per_second: float) -> Localized:
    return Localized(
        "bench_report.stored.plan_indexing",
        {"chunks": chunks, "rate": f"{chunks_per_second:,.1f}"},
    )


def indexing_unknown(documents: int) -> Localized:
    return Localized("bench_report.stored.plan_indexing_unknown", {"documents": documents})


def answers(
    requests: int, low: float, high: int, tokens_per_second: float, batch: int
) -> Localized:
    """The answers' part: ``requests`` answers of ``low`` to ``high`` tokens."""
    values: dict[str, object] = {
        "requests": requests,
        "rate": f"{tokens_per_second:,.1f}",
        "batch": batch,
    }
    if round(low) == high:
        return Localized("bench_report.stored.plan_answers", values | {"tokens": f"{low:.0f}"})
    return Localized(
        "bench_report.stored.plan_answers_range", values | {"low": f"{low:.0f}", "high": high}
    )


def prompts(tokens: float, tokens_per_second: float | None) -> Localized:
    """The prompts' part: read at the calibrated rate, or not calibrated (None)."""
    if tokens_per_second is None:
        return Localized(
            "bench_report.stored.plan_prompts_not_calibrated", {"tokens": f"{tokens:,.0f}"}
        )
    return Localized(
        "bench_report.stored.plan_prompts",
        {"tokens": f"{tokens:,.0f}", "rate": f"{tokens_per_second:,.1f}"},
    )


def adapter(
    rank: int | None, share: float, base_tokens_per_second: float, merged: bool = False
) -> Localized:
    """Rates measured through an untrained adapter: ``share`` of the base model's.

    ``merged``: the adapter answered folded into the weights (``local.adapter_serving``).
    """
    return Localized(
        "bench_report.stored.plan_adapter_merged" if merged else "bench_report.stored.plan_adapter",
        {"rank": rank, "share": f"{share:.2f}", "rate": f"{base_tokens_per_second:,.1f}"},
    )
