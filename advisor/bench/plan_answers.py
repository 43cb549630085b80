"""A route's answering time in the bench plan: its prompts read, then its answers written.

Per request, ``prompt_tokens / prefill rate + answer_tokens / decode rate``,
both rates whole-batch throughputs measured at the bench's batching
(:mod:`advisor.app.calibration`).  The answer length is a range: answers as
long as the references (a model that learnt them stops there) up to the
``max_tokens`` cap (a base model often rambles to it).  A calibration from
before the prefill rate was measured still gives the decode part, and the
basis says that the prompt time is not counted.

A fine-tuned route's model answers through a LoRA adapter, unmerged or merged into
the weights (``local.adapter_serving``; the basis says which), measured
apart (:class:`advisor.data.calibration.AdapterRate`: 161 tokens/s against the
base model's 418 in a probe).  Without that figure (a calibration from before
it, or a backend that could not answer through one) the base model's rates are
used, and the basis says that they are the base model's and answering likely
takes longer; it suggests calibrating only where that would measure the figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advisor.bench import plan_basis
from advisor.precision import is_merged_engine

if TYPE_CHECKING:
    from advisor.bench.scenario import Scenario
    from advisor.data.calibration import GenerationRate
    from advisor.messages import Localized


@dataclass
class AnswerEstimate:
    """Seconds at both ends of the range (None: not measured) and how they were reached
    (the basis's parts, :mod:`advisor.bench.plan_basis`)."""

    seconds: float | None
    seconds_max: float | None
    said: list[Localized] = field(default_factory=list)
    prompt_tokens: float | None = None
    prompt_seconds: float | None = None
    completion_tokens: float | None = None
    completion_max: int | None = None

    @property
    def basis(self) -> str:
        """The basis in English, as results.json's ``answer_basis`` keeps it."""
        return plan_basis.joined(self.said)


def answer_lengths(scenario: Scenario, cap: int) -> tuple[float, int]:
    """(low, high) answer tokens: the references' mean (capped), and the cap."""
    from advisor.routes.context import estimate_tokens

    refs = [estimate_tokens(i.reference) for i in scenario.test_items() if i.reference]
    low = min(cap, sum(refs) / len(refs)) if refs else float(cap)
    return low, cap


def estimate_answers(
    rate: GenerationRate,
    requests: int,
    lengths: tuple[float, int],
    prompt_tokens: float | None,
) -> AnswerEstimate:
    """The answering time of ``requests`` from ``rate`` (see the module doc)."""
    from advisor.data.calibration import answer_seconds, prompt_seconds

    low, high = lengths
    said = [plan_basis.answers(requests, low, high, rate.tokens_per_second, rate.batch)]
    reading = None
    if prompt_tokens is not None:
        reading = prompt_seconds(rate, requests, prompt_tokens)
        prompt_rate = None if reading is None else rate.prompt_tokens_per_second
        said.append(plan_basis.prompts(prompt_tokens, prompt_rate))
    fixed = reading or 0.0
    return AnswerEstimate(
        seconds=round(fixed + answer_seconds(rate, requests, low), 1),
        seconds_max=round(fixed + answer_seconds(rate, requests, high), 1),
        said=said,
        prompt_tokens=None if prompt_tokens is None else round(prompt_tokens, 1),
        prompt_seconds=None if reading is None else round(reading, 1),
        completion_tokens=round(low, 1),
        completion_max=high,
    )


def adapter_basis(rate: GenerationRate, through: GenerationRate | None) -> Localized:
    """The part a fine-tuned route's basis ends with: which rates, and against what."""
    if rate.adapter is None:
        return plan_basis.ADAPTER_NOT_MEASURED
    if through is None:
        return plan_basis.ADAPTER_NOT_MEASURABLE
    share = through.tokens_per_second / rate.tokens_per_second
    merged = is_merged_engine(rate.adapter.engine)
    return plan_basis.adapter(rate.adapter.lora_r, share, rate.tokens_per_second, merged)
