"""The human text of ``advisor data stats`` (advisor/messages.yaml, in the session's language)."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len

from advisor import messages
from advisor.app.text import ESTIMATE_SOURCES
from advisor.cli.context import lang, t
from advisor.cli.output import echo

# The estimate's source sentence (stored in English in the JSON), most specific first.
SOURCES = ESTIMATE_SOURCES
# The tokenizer's name and the price note, stored in English in the JSON likewise.
TOKENIZERS = (
    "data.stats_tokenizer_bpe",
    "data.stats_tokenizer_approx",
    "data.stats_tokenizer_local",
)
PRICE_NOTES = (
    "data.stats_price_tokens",
    "data.stats_price_local",
    "data.stats_price_missing",
    "data.stats_price_unlisted",
    "data.stats_price_hourly",
)


def print_stats(result: Any) -> None:
    echo(
        t(
            "data.stats_head",
            path=str(result.path),
            examples=result.examples,
            method=result.method,
            skipped=result.skipped_lines,
        )
    )
    tokenizer = messages.recognised(result.tokenizer, TOKENIZERS, lang())
    echo(t("data.stats_tokenizer", tokenizer=tokenizer))
    for key, dist in (
        ("data.stats_messages", result.messages_per_example),
        ("data.stats_tokens", result.example_tokens),
        ("data.stats_assistant", result.assistant_tokens),
    ):
        label = t(key)
        echo(
            label
            + " " * max(1, 18 - cell_len(label))
            + t(
                "data.stats_dist",
                min=f"{dist.min:g}",
                mean=f"{dist.mean:g}",
                p5=f"{dist.p5:g}",
                p50=f"{dist.p50:g}",
                p95=f"{dist.p95:g}",
                max=f"{dist.max:g}",
            )
        )
    echo(t("data.stats_total", tokens=f"{result.total_tokens:,}", epochs=result.default_epochs))
    echo(
        t(
            "data.stats_billed",
            tokens=f"{result.billed_tokens:,}",
            epochs=result.epochs,
            per_epoch=f"{result.billed_tokens_per_epoch:,}",
        )
    )
    known = result.estimated_cost_usd is not None
    cost = f"${result.estimated_cost_usd:,.4f}" if known else t("bench_report.na")
    echo(
        t(
            "data.stats_cost",
            model=result.model,
            cost=cost,
            date=result.price_date,
            note=_price_note(result.price_note, lang()),
        )
    )
    local = result.local
    if local.counted == "trainer" and local.trained_tokens is not None:
        echo(
            t(
                "data.stats_trainer",
                kept=local.trained_examples,
                examples=result.examples,
                max_length=local.max_length,
                tokens=f"{local.trained_tokens:,}",
                epochs=local.epochs,
                labelled=f"{local.labelled_tokens or 0:,}",
            )
        )
    source = messages.recognised(local.source, SOURCES, lang())
    if local.estimated_training_seconds is None:
        echo(t("data.stats_local_unknown", source=source))
    else:
        echo(
            t(
                "data.stats_local",
                duration=messages.duration_text(local.estimated_training_seconds, lang()),
                epochs=local.epochs,
                speed=f"{local.tokens_per_second:,.0f}",
                source=source,
            )
        )


def _price_note(note: str, lang: str) -> str:
    """The price note in ``lang``; the price table's source in its own Japanese words."""
    values = messages.match("data.stats_price_tokens", note)
    if values is None or lang != "ja":
        return messages.recognised(note, PRICE_NOTES, lang)
    from advisor.data.prices import load_prices

    table = load_prices()
    source = values["source"]
    if source == table.source and table.source_ja:
        source = table.source_ja
    return messages.text("data.stats_price_tokens", lang, price=values["price"], source=source)
