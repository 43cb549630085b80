"""``advisor cost``'s model, checked against figures computed by hand (docs/cost.md)."""

from __future__ import annotations

from typing import Any

import pytest

from advisor.bench.cost import route_costs
from advisor.bench.schema import BenchResults
from advisor.data.prices import PriceTable


def _route(name: str, prompt: float, completion: float, passed: float, **prep: Any) -> Any:
    return {
        "route": name,
        "backend": "fake",
        "model": prep.pop("model", "m"),
        "status": "ok",
        "preparation": {"kind": "none", **prep},
        "metrics": {
            "n_prompts": 10,
            "n_samples": 10,
            "pass_rate": passed,
            "pass_rate_ci": [0, 1],
            "format_compliance": None,
            "style_adherence": None,
            "accuracy": None,
            "consistency": {"exact_agreement": None, "repeat_similarity": None},
            "latency_p50_s": None,
            "latency_p95_s": None,
            "prompt_tokens_per_request": prompt,
            "completion_tokens_per_request": completion,
            "tokens_per_request": prompt + completion,
            "cost_per_1k_usd": None,
        },
    }


def _results(model: str = "m") -> BenchResults:
    tuned = _route(
        "sft", 200, 200, 0.8, kind="fine_tune", trained_tokens=1_000_000, seconds=3600.0,
        model=model,
    )  # fmt: skip
    return BenchResults.model_validate(
        {
            "tool_version": "0",
            "created_at": "2026-11-30T00:00:00Z",
            "duration_s": 1,
            "scenario": {"name": "hand"},
            "config": {
                "backend": "fake",
                "model": model,
                "routes": ["system_prompt", "sft"],
                "repeats": 1,
                "temperature": 0,
                "max_examples": None,
                "max_tokens": None,
                "use_cache": False,
            },
            "prompts": [],
            "routes": {
                "system_prompt": _route("system_prompt", 1000, 200, 0.5, model=model),
                "sft": tuned,
            },
            "comparisons": [],
            "verdict": {
                "best": "sft",
                "winner": None,
                "summary": "",
                "recommended": None,
                "recommendation_matches": None,
                "recommendation_note": "",
                "chosen": None,
            },
        }
    )


TABLE = PriceTable.model_validate(
    {
        "price_date": "2026-01-01",
        "source": "hand",
        "currency": "USD",
        "models": [
            {
                "model": "m",
                "methods": ["sft"],
                "training_per_million_tokens": 10.0,
                "input_per_million_tokens": 1.0,
                "output_per_million_tokens": 2.0,
                "fine_tuned_input_per_million_tokens": 2.0,
                "fine_tuned_output_per_million_tokens": 4.0,
                "price_date": "2026-02-02",
                "source": "by hand",
            }
        ],
        "local_reference": {"tokens_per_second": 1, "measured": "x", "machine": "x"},
    }
)


def test_cumulative_curves_and_cost_per_correct_by_hand() -> None:
    report = route_costs(_results(), TABLE, volume=10_000, months=12)
    sp, sft = report.routes["system_prompt"], report.routes["sft"]
    # (1000 x $1 + 200 x $2) / 1M = $0.0014; fine-tuned (200 x $2 + 200 x $4) / 1M = $0.0012.
    assert sp.usd_per_request == pytest.approx(0.0014)
    assert sft.usd_per_request == pytest.approx(0.0012)
    assert sft.training_usd == pytest.approx(10.0) and sft.trainings == 1
    assert sp.cumulative_usd == pytest.approx([14.0 * m for m in range(1, 13)])
    assert sft.cumulative_usd == pytest.approx([10.0 + 12.0 * m for m in range(1, 13)])
    assert sp.total_usd == pytest.approx(168.0) and sft.total_usd == pytest.approx(154.0)
    assert sp.cost_per_correct_usd == pytest.approx(168.0 / 60_000)
    assert sft.cost_per_correct_usd == pytest.approx(154.0 / 96_000)
    assert report.priced_as is not None and report.priced_as.price_date == "2026-02-02"


def test_crossover_volume_breakeven_month_and_quality_weighted_volume() -> None:
    (cross,) = route_costs(_results(), TABLE, volume=10_000, months=12).crossover
    assert (cross.fine_tuned, cross.baseline) == ("sft", "system_prompt")
    # $10 / (12 months x $0.0002 saved per request) = 4,166.667 requests a month.
    assert cross.volume_per_month == pytest.approx(4166.667)
    # 10 + 12 m <= 14 m from month 5.
    assert cross.breakeven_month == 5
    # 0.5 x 10 / (12 x (0.8 x 0.0014 - 0.5 x 0.0012)) = 801.282
    assert cross.quality_volume_per_month == pytest.approx(801.282)


def test_monthly_knowledge_changes_retrain_every_month() -> None:
    report = route_costs(_results(), TABLE, volume=10_000, months=12, knowledge_changes="monthly")
    sft = report.routes["sft"]
    assert sft.trainings == 12 and sft.total_usd == pytest.approx(120.0 + 144.0)
    # $120 / (12 x $0.0002) = 50,000 requests a month; never at 10,000.
    assert report.crossover[0].volume_per_month == pytest.approx(50_000.0)
    assert report.crossover[0].breakeven_month is None


def test_hosting_and_local_training_when_the_model_has_no_price() -> None:
    report = route_costs(
        _results(model="local-model"), TABLE, volume=1000, months=2, hosting_usd_per_hour=2.0
    )
    sp, sft = report.routes["system_prompt"], report.routes["sft"]
    assert sp.usd_per_request == 0.0 and "no price" in sp.notes[0]
    assert sp.hosting_usd_per_month == pytest.approx(1460.0)
    # One hour of training at $2 an hour.
    assert sft.training_usd == pytest.approx(2.0)
    assert sft.cumulative_usd == pytest.approx([1462.0, 2922.0])
    assert report.crossover[0].volume_per_month is None  # not cheaper per request: never


def test_pricing_as_another_model_uses_its_training_price() -> None:
    report = route_costs(
        _results(model="local-model"), TABLE, volume=1000, months=1, price_model="m"
    )
    assert report.routes["sft"].training_usd == pytest.approx(10.0)
    assert report.routes["sft"].usd_per_request == pytest.approx(0.0012)


def test_a_deployed_azure_fine_tune_pays_its_hourly_hosting_fee() -> None:
    azure = {
        **TABLE.models[0].model_dump(),
        "provider": "azure",
        "training_per_million_tokens": 20.0,
        "fine_tuned_hosting_per_hour": 2.0,
    }
    table = TABLE.model_copy(
        update={"models": [*TABLE.models, TABLE.models[0].model_validate(azure)]}
    )
    data = _results().model_dump()
    data["config"]["backend"] = "azure"
    # On Azure the route answers through a deployment; the job's model id is priced.
    data["routes"]["sft"]["model"] = "ft-bench-hand-0123"
    data["routes"]["sft"]["preparation"]["model"] = "m.ft-0123456789abcdef"
    report = route_costs(BenchResults.model_validate(data), table, volume=10_000, months=2)
    sp, sft = report.routes["system_prompt"], report.routes["sft"]
    assert sp.hosting_usd_per_month == 0.0 and sp.cumulative_usd == pytest.approx([14.0, 28.0])
    # $2/hour x 730 hours = $1,460 a month; training 1M tokens x $20/M (Azure's entry).
    assert sft.hosting_usd_per_month == pytest.approx(1460.0)
    assert sft.training_usd == pytest.approx(20.0)
    assert sft.cumulative_usd == pytest.approx([20.0 + 12.0 + 1460.0, 20.0 + 24.0 + 2920.0])
    assert "hosting fee" in sft.notes[0]
    # The fee is a fixed cost of the fine-tuned route: ($20 + 2 x $1,460) / (2 x $0.0002).
    assert report.crossover[0].volume_per_month == pytest.approx(7_350_000.0)
