"""The human text of ``advisor data stats`` (advisor/messages.yaml, in the session's language)."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len

from advisor import messages
from advisor.cli.context import lang, t
from advisor.cli.output import echo
from advisor.messages import Localized


def said(sentence: Localized | None, english: str) -> str:
    """A sentence the stats carry, in the session's language; ``english`` when there is none
    (a tokenizer's name said as written)."""
    return english if sentence is None else sentence.localized(lang())


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
    echo(t("data.stats_tokenizer", tokenizer=said(result.tokenizer_said, result.tokenizer)))
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
            note=said(result.price_said, result.price_note),
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
    source = said(local.source_said, local.source)
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
