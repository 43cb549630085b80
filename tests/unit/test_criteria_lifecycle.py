"""Provider lifecycles (issue 16): a path that closes before the horizon warns and costs points."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from advisor.criteria import assess, load_answers
from advisor.criteria.lifecycle import add_months, closures, parse_lifecycle, shipped_lifecycle
from advisor.errors import DataFileError

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 30)
BRAND = load_answers(REPO / "scenarios/brand-voice/scenario.toml").root


def _assess(**answers: object) -> object:
    return assess({**BRAND, **answers}, today=TODAY)


def test_openai_fine_tuning_past_the_cutoff_warns_explains_and_costs_points() -> None:
    result = assess({**BRAND, "provider": "openai", "horizon_months": 12}, today=TODAY)
    baseline = assess({**BRAND, "provider": "azure", "horizon_months": 12}, today=TODAY)
    sft = {r.criterion: r for r in result.route("sft").reasons}
    assert sft["provider_closes"].contribution == -4
    assert "2027-01-06" in sft["provider_closes"].text
    assert result.route("sft").score == baseline.route("sft").score - 4
    warning = next(w for w in result.warnings if "2027-01-06" in w)
    assert "Azure OpenAI" in warning and "local" in warning
    assert any("Azure OpenAI" in s for s in result.recommendation.next_steps)
    assert [c.route for c in result.closures] == ["sft", "dpo", "rft"]


@pytest.mark.parametrize("provider", ["azure", "local", "compatible"])
def test_azure_and_local_remain_recommended_where_they_fit(provider: str) -> None:
    result = assess({**BRAND, "provider": provider, "horizon_months": 24}, today=TODAY)
    assert result.recommendation.primary == "sft"
    assert not result.closures
    assert not any("2027-01-06" in w for w in result.warnings)


def test_a_horizon_that_ends_before_the_cutoff_changes_nothing() -> None:
    result = assess({**BRAND, "provider": "openai", "horizon_months": 1}, today=TODAY)
    assert not result.closures
    assert "provider_closes" not in [r.criterion for r in result.route("sft").reasons]


def test_the_penalty_decides_a_close_call_and_the_flip_names_another_provider() -> None:
    # One criterion: SFT leads the system prompt by 2 points, less than the penalty.
    answers = {"fixed_style": True, "example_count": 150}
    azure = assess({**answers, "provider": "azure", "horizon_months": 12}, today=TODAY)
    openai = assess({**answers, "provider": "openai", "horizon_months": 12}, today=TODAY)
    assert azure.recommendation.primary == "sft"
    assert openai.recommendation.primary != "sft"
    flip = next(f for f in openai.flips if f.question == "provider")
    assert flip.new_primary == "sft"


def test_undecided_warns_without_points() -> None:
    result = assess({**BRAND, "provider": "undecided", "horizon_months": 12}, today=TODAY)
    assert "provider_closes" not in [r.criterion for r in result.route("sft").reasons]
    assert any("No provider is chosen yet" in w for w in result.warnings)


def test_japanese_lifecycle_texts() -> None:
    result = assess({**BRAND, "provider": "openai", "horizon_months": 12}, lang="ja", today=TODAY)
    assert any("Azure OpenAI" in w and "2027-01-06" in w for w in result.warnings)
    reason = next(r for r in result.route("sft").reasons if r.criterion == "provider_closes")
    assert "再学習" in reason.text


def test_every_event_has_a_source_and_unverified_ones_say_so() -> None:
    table = shipped_lifecycle()
    for entry in table.entries:
        for event in entry.events:
            assert event.source
            if not event.verified:
                assert "issue 16" in event.source or "third-party" in event.source


def test_closures_are_computed_from_dates() -> None:
    table = shipped_lifecycle()
    end_before = closures({"provider": "openai", "horizon_months": 1}, table, TODAY)
    assert end_before == []
    after = closures({"provider": "openai", "horizon_months": 2}, table, TODAY)
    assert {c.route for c in after} == {"sft", "dpo", "rft"}
    assert after[0].date == dt.date(2027, 1, 6) and not after[0].already
    later = closures({"provider": "openai", "horizon_months": 0}, table, dt.date(2027, 2, 1))
    assert later and later[0].already


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 14) == dt.date(2028, 1, 30)


def test_a_broken_lifecycle_table_names_the_place() -> None:
    with pytest.raises(DataFileError, match=r"entries\.0\.events"):
        parse_lifecycle(
            {
                "version": 1,
                "checked": "2026-11-30",
                "entries": [
                    {"id": "x", "provider": "openai", "kind": "feature", "subject": "x",
                     "events": [{"status": "gone", "source": "s"}]}
                ],
            }
        )  # fmt: skip


def test_the_japanese_undecided_warning_reads_in_japanese() -> None:
    # The s11 audit: "OpenAI self-serve fine-tuning (SFT, DPO, RFT)は2027-01-06に
    # 新しいジョブの受付を停止するで、" - an English subject and a verb that cannot take で.
    result = assess(
        {**BRAND, "provider": "undecided", "horizon_months": 12}, lang="ja", today=TODAY
    )
    warning = next(w for w in result.warnings if w.startswith("事業者がまだ決まっていません"))
    assert "OpenAI のセルフサービスのファインチューニング（SFT、DPO、RFT）は" in warning
    assert "self-serve" not in warning
    assert "2027-01-06に新規ジョブの受付終了となり、" in warning
