"""Size, token distribution, billed tokens, cost and local training time of a training file."""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from advisor.data.io import read_jsonl
from advisor.data.prices import MAX_TOKENS_PER_EXAMPLE, default_epochs, load_prices
from advisor.data.tokens import get_counter, is_local_model
from advisor.data.trainview import TrainerView
from advisor.errors import UserInputError
from advisor.messages import Localized, Worded

if TYPE_CHECKING:
    from advisor.data.prices import PriceTable
    from advisor.settings import Settings


class Distribution(BaseModel):
    min: float = 0
    mean: float = 0
    p5: float = 0
    p50: float = 0
    p95: float = 0
    max: float = 0

    @classmethod
    def of(cls, values: array[int]) -> Distribution:
        if not values:
            return cls()
        import numpy as np

        data = np.frombuffer(values, dtype=np.uint32)
        p5, p50, p95 = np.percentile(data, [5, 50, 95])
        return cls(
            min=int(data.min()),
            mean=round(float(data.mean()), 1),
            p5=round(float(p5), 1),
            p50=round(float(p50), 1),
            p95=round(float(p95), 1),
            max=int(data.max()),
        )


class LocalEstimate(BaseModel):
    tokens_per_second: float = Field(description="Training throughput used for the estimate.")
    source: str = Field(description="Where the figure comes from (measured here or reference).")
    # ``source`` as a catalog sentence, said in the reader's language; JSON keeps the English.
    source_said: Localized | None = Field(None, exclude=True)
    epochs: int
    estimated_training_seconds: float | None
    calibrated: bool = Field(
        default=False,
        description="True: from this machine's calibration; False: the static reference figure.",
    )
    load_factor: float = Field(
        default=1.0,
        description="The load correction applied to the training steps (1: none); "
        "see advisor/data/contention.py.",
    )
    # How the trained tokens were counted (advisor/data/trainview.py); absent before.
    counted: str = Field(
        default="openai",
        description="trainer: the local trainer's tokens (chat template, truncation at "
        "max_length, dropped examples); openai: OpenAI's billed-token count.",
    )
    max_length: int | None = Field(
        default=None, description="The truncation the trainer's count assumed."
    )
    trained_examples: int | None = Field(
        default=None, description="Examples the trainer keeps (the others train nothing)."
    )
    trained_tokens: int | None = Field(
        default=None, description="Tokens the trainer processes, all epochs."
    )
    labelled_tokens: int | None = Field(
        default=None, description="Of those, tokens with a label (the loss), all epochs."
    )


class DataStats(BaseModel):
    """The result of ``advisor data stats`` (the JSON it prints)."""

    path: str
    method: str
    examples: int
    skipped_lines: int = Field(description="Lines that are not JSON objects (see validate).")
    messages_per_example: Distribution
    example_tokens: Distribution
    assistant_tokens: Distribution
    total_tokens: int
    tokenizer: str = Field(description="Which tokenizer counted, and whether it is exact.")
    tokenizer_exact: bool = Field(description="True when the counts are the model's own.")
    # The tokenizer's name and the price note as catalog sentences (None: a name said as
    # written, or a result read back from JSON), said in the reader's language; JSON keeps
    # the English of ``tokenizer`` and ``price_note``.
    tokenizer_said: Localized | None = Field(None, exclude=True)
    model: str
    default_epochs: int = Field(description="The epochs OpenAI picks for this many examples.")
    epochs: int = Field(description="The epochs the estimate is for: given, or the default.")
    over_limit_examples: int = Field(description=f"Examples above {MAX_TOKENS_PER_EXAMPLE} tokens.")
    billed_tokens_per_epoch: int
    billed_tokens: int
    price_per_million_tokens_usd: float | None
    estimated_cost_usd: float | None
    price_date: str
    price_note: str
    price_said: Localized | None = Field(None, exclude=True)
    local: LocalEstimate


def compute_stats(
    path: Path | str,
    method: str,
    *,
    model: str | None = None,
    settings: Settings | None = None,
    encoding: str | None = None,
    epochs: int | None = None,
    max_length: int | None = None,
) -> DataStats:
    """Measure a JSONL training file for ``method`` and estimate cost and local time.

    ``model`` is an OpenAI model id (default: the configured ``openai.chat_model``)
    or a local model ("local", "local:...", the configured local model).
    ``epochs``, when the job sets them, replaces OpenAI's default in billed tokens,
    cost and local time (``default_epochs`` still reports the default).
    ``max_length``: where the local trainer truncates (default: its own default);
    for a local model, the local time counts the tokens the trainer will see.

    Raises:
        DataFileError: unreadable file, wrong encoding or invalid JSON.
    """
    if settings is None:
        from advisor.settings import load_settings

        settings = load_settings()
    model = model or settings.openai.chat_model
    counter = get_counter(model, settings)
    sizes = array("I")
    answers = array("I")
    turns = array("I")
    bad: list[int] = []
    view = TrainerView.for_model(model, method, settings, max_length)
    for number, obj in read_jsonl(Path(path), encoding, on_invalid=bad.append):
        if not isinstance(obj, dict):
            bad.append(number)
            continue
        sizes.append(counter.count_example(obj, method))
        answers.append(counter.assistant_tokens(obj, method))
        turns.append(_message_count(obj, method))
        if view is not None:
            view.add(obj)
    examples = len(sizes)
    if epochs is not None and epochs < 1:
        raise UserInputError.from_catalog("core.data.stats.bad_epochs", epochs=epochs)
    chosen_epochs = epochs or default_epochs(examples)
    per_epoch = sum(min(size, MAX_TOKENS_PER_EXAMPLE) for size in sizes)
    billed = per_epoch * chosen_epochs
    prices = load_prices()
    price = None if is_local_model(model, settings) else prices.find(model)
    per_million = price.training_per_million_tokens if price else None
    cost = round(billed / 1_000_000 * per_million, 4) if per_million is not None else None
    note = _price_note(model, price, method, prices, settings)
    return DataStats(
        path=str(path),
        method=method,
        examples=examples,
        skipped_lines=len(bad),
        messages_per_example=Distribution.of(turns),
        example_tokens=Distribution.of(sizes),
        assistant_tokens=Distribution.of(answers),
        total_tokens=sum(sizes),
        tokenizer=counter.name,
        tokenizer_said=counter.said,
        tokenizer_exact=counter.local
        if is_local_model(model, settings)
        else counter.exact_for_openai,
        model=model,
        default_epochs=default_epochs(examples),
        epochs=chosen_epochs,
        over_limit_examples=sum(1 for size in sizes if size > MAX_TOKENS_PER_EXAMPLE),
        billed_tokens_per_epoch=per_epoch,
        billed_tokens=billed,
        price_per_million_tokens_usd=per_million,
        estimated_cost_usd=cost,
        price_date=prices.price_date,
        price_note=str(note),
        price_said=note,
        local=_local(view, billed, chosen_epochs, settings, per_epoch / max(1, examples), model),
    )


def _local(
    view: TrainerView | None,
    billed: int,
    epochs: int,
    settings: Settings,
    mean_tokens: float,
    model: str,
) -> LocalEstimate:
    """The local estimate from the trainer's count when there is one, else from ``billed``."""
    if view is None:
        return local_estimate(billed, epochs, settings, mean_tokens=mean_tokens, model=model)
    trained = view.tokens * epochs
    estimate = local_estimate(
        trained,
        epochs,
        settings,
        mean_tokens=view.tokens / max(1, view.examples),
        model=model,
        labelled=view.labelled * epochs,
    )
    return estimate.model_copy(
        update={
            "counted": "trainer",
            "max_length": view.max_length,
            "trained_examples": view.examples,
            "trained_tokens": trained,
            "labelled_tokens": view.labelled * epochs,
        }
    )


def _message_count(obj: dict[str, Any], method: str) -> int:
    if method == "dpo":
        data = obj.get("input")
        messages = data.get("messages") if isinstance(data, dict) else None
        return (len(messages) if isinstance(messages, list) else 0) + 1
    messages = obj.get("messages")
    return len(messages) if isinstance(messages, list) else 0


def _price_note(
    model: str, price: Any, method: str, prices: PriceTable, settings: Settings
) -> Localized:
    if is_local_model(model, settings):
        return Localized("data.stats_price_local")
    if price is None:
        return Localized("data.stats_price_missing", {"model": model})
    if method not in price.methods:
        return Localized("data.stats_price_unlisted", {"model": price.model, "method": method})
    if price.training_per_hour is not None:
        return Localized(
            "data.stats_price_hourly", {"method": method, "price": price.training_per_hour}
        )
    return Localized(
        "data.stats_price_tokens",
        # the table's own Japanese for its source, chosen here where the sentence is made
        {
            "price": price.training_per_million_tokens,
            "source": Worded(prices.source, prices.source_ja),
        },
    )


def local_estimate(
    billed: int,
    epochs: int,
    settings: Settings,
    *,
    mean_tokens: float,
    model: str | None = None,
    labelled: int | None = None,
) -> LocalEstimate:
    """Local training time of ``billed`` tokens: calibrated when this machine has been.

    Without a calibration the static reference throughput of the price table is
    used and labelled "uncalibrated" (it was measured on another, loaded machine).
    """
    from advisor.data.calibration import cached_calibration, rate_sentence, training_seconds
    from advisor.data.contention import load_correction

    name = model if model is not None and is_local_model(model, settings) else None
    found = cached_calibration(settings, name)
    rate = found.training_at(round(mean_tokens)) if found is not None else None
    if found is not None and rate is not None:
        correction = load_correction(found, rate, settings)
        factor = correction.factor if correction is not None else 1.0
        said = rate_sentence(found, rate, correction)
        return LocalEstimate(
            tokens_per_second=round(1 / rate.seconds_per_token, 1),
            source=str(said),
            source_said=said,
            epochs=epochs,
            estimated_training_seconds=round(
                training_seconds(rate, billed, factor, labelled=labelled), 1
            ),
            calibrated=True,
            load_factor=factor,
        )
    ref = load_prices().local_reference
    seconds = round(billed / ref.tokens_per_second, 1) if ref.tokens_per_second > 0 else None
    said = Localized(
        "data.stats_source_reference", {"machine": ref.machine, "measured": ref.measured}
    )
    return LocalEstimate(
        tokens_per_second=ref.tokens_per_second,
        source=str(said),
        source_said=said,
        epochs=epochs,
        estimated_training_seconds=seconds,
    )
