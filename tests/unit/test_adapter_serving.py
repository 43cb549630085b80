"""A fine-tuned model's adapter merged into the weights or served unmerged (local.adapter_serving).

Unmerged, the adapter answered 32 at once at 0.30x-0.41x the base model's tokens/s in
run I (docs/benchmarks.md); merged it costs nothing per token.  What changes with the
setting: which models merge, the answers' cache key, the plan's basis, and a calibration
figure taken the other way, which is measured again.
"""

from __future__ import annotations

import pytest

from advisor import precision
from advisor.app.calibration import missing, tuned_engine
from advisor.bench.plan import render_plan
from advisor.data import calibration as cal
from advisor.settings import Settings, load_settings
from backends.local.backend import LocalBackend
from tests.unit.test_bench_plan_adapter import MEASURED, planned, trained_entry
from tests.unit.test_bench_plan_language import route_line

TUNED = "local:ft:smollm2-135m-instruct:sft:ftjob-1"


def serving(monkeypatch: pytest.MonkeyPatch, dtype: str, how: str) -> Settings:
    monkeypatch.setenv("ADVISOR_LOCAL__DTYPE", dtype)
    monkeypatch.setenv("ADVISOR_LOCAL__DEVICE", "cpu")
    monkeypatch.setenv("ADVISOR_LOCAL__ADAPTER_SERVING", how)
    return load_settings()


@pytest.mark.parametrize(
    ("how", "base", "merged"),
    [
        ("auto", "bfloat16", True),  # where unmerged layers cost most
        ("auto", "float32", False),  # float32 answers stay those of PEFT's layers
        ("merged", "float32", True),
        ("merged", "bfloat16", True),
        ("unmerged", "bfloat16", False),
        ("unmerged", "float32", False),
    ],
)
def test_which_adapters_are_merged(
    monkeypatch: pytest.MonkeyPatch, how: str, base: str, merged: bool
) -> None:
    settings = serving(monkeypatch, base, how)
    assert precision.merge_adapter(settings, base) is merged  # type: ignore[arg-type]


def test_the_default_merges_on_a_bfloat16_base_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADVISOR_LOCAL__ADAPTER_SERVING", raising=False)
    settings = load_settings()
    assert settings.local.adapter_serving == "auto"
    assert precision.merge_adapter(settings, "bfloat16")
    assert not precision.merge_adapter(settings, "float32")


def test_a_merged_adapters_answers_have_their_own_cache_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    merged = LocalBackend(serving(monkeypatch, "bfloat16", "merged"))
    unmerged = LocalBackend(serving(monkeypatch, "bfloat16", "unmerged"))
    full = LocalBackend(serving(monkeypatch, "float32", "merged"))
    assert merged.generation_engine_for(TUNED) == "torch-bfloat16-lora-merged"
    assert unmerged.generation_engine_for(TUNED) == "torch-bfloat16-lora-bfloat16"
    assert full.generation_engine_for(TUNED) == "torch-lora-merged"  # not float32's ''
    # the base model's answers do not depend on how adapters are served
    assert merged.generation_engine_for(None) == unmerged.generation_engine_for(None)
    assert tuned_engine(merged, "smollm2-135m-instruct") == "torch-bfloat16-lora-merged"


def test_an_adapter_figure_taken_the_other_way_is_measured_again() -> None:
    def needs(adapter: cal.AdapterRate | None, engine: str | None) -> bool:
        found = trained_entry(adapter)
        needed = missing(
            found, 64, generation=True, embedding=False, adapter=True, adapter_engine=engine
        )
        return needed is not None and needed.generation

    merged = MEASURED.model_copy(update={"engine": "torch-bfloat16-lora-merged"})
    assert not needs(merged, "torch-bfloat16-lora-merged")
    assert needs(merged, "torch-bfloat16-lora-bfloat16")  # the setting changed since
    assert needs(MEASURED, "torch-bfloat16-lora-merged")  # written before: it was unmerged
    assert not needs(MEASURED, None)  # nothing to compare with (a caller that cannot say)
    # tried and not measurable: not tried again, whatever the serving
    assert not needs(cal.AdapterRate(tokens_per_second=None), "torch-bfloat16-lora-merged")


def test_the_plan_says_the_adapter_answered_merged_in_both_languages(settings: Settings) -> None:
    merged = MEASURED.model_copy(update={"engine": "torch-bfloat16-lora-merged"})
    plan, _, sft = planned(settings, merged)
    assert sft.answer_basis.endswith(
        "; answered with its LoRA adapter merged into the weights: rates calibrated with an "
        "untrained one of rank 16, 0.40x the base model's 10.0 tokens/s"
    ), sft.answer_basis
    line = route_line(render_plan(plan, "ja"), "sft")
    assert "LoRA アダプターを重みに統合して回答" in line and "adapter" not in line, line
    _, _, unmerged = planned(settings, MEASURED)
    assert "answered through a LoRA adapter:" in unmerged.answer_basis  # as before


def test_tune_calibrate_says_the_adapter_answered_merged_in_both_languages() -> None:
    from advisor import messages
    from advisor.cli.tune import calibration_lines
    from tests.unit.test_bench_plan_adapter import entry

    merged = entry("m", MEASURED.model_copy(update={"engine": "torch-bfloat16-lora-merged"}))
    assert "  answering with a LoRA adapter merged into the weights (rank 16): 4.0 tokens/s" in (
        "\n".join(calibration_lines(merged))
    )
    unmerged = "\n".join(calibration_lines(entry("m", MEASURED)))
    assert "answering through a LoRA adapter (rank 16)" in unmerged and "merged" not in unmerged
    messages.set_lang("ja")  # conftest resets it
    assert "  重みに統合した LoRA アダプターでの回答（ランク 16）: 4.0 トークン/秒" in "\n".join(
        calibration_lines(merged)
    )
