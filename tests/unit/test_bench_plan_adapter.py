"""Fine-tuned routes are planned at the rate of answering through a LoRA adapter.

Before: every route was planned at the base model's calibrated rate, but a
fine-tuned route answers through an unmerged LoRA adapter (a probe: 161 tokens/s
against the base model's 418), so a six-scenario run's plan said 3.2-5.3 min for
a scenario whose answering took 9.1 min.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator

import pytest

from advisor.app.calibration import measure_generation, missing
from advisor.bench.plan import plan_bench, render_plan
from advisor.bench.plan_basis import ADAPTER_NOT_MEASURABLE, ADAPTER_NOT_MEASURED
from advisor.bench.runner import BenchOptions
from advisor.bench.scenario import load_scenario
from advisor.bench.schema import BenchPlan, RoutePlan
from advisor.data import calibration as cal
from advisor.errors import BackendUnavailableError
from advisor.settings import Settings
from backends.base import CalibrationAdapter, FineTuningService
from backends.fake import FakeBackend
from tests.unit.test_bench_plan import TINY, LocalLike
from tests.unit.test_bench_plan_language import ENGLISH_BASES, route_line
from tests.unit.test_bench_runner import InstantTuning

DECODE, PREFILL = 10.0, 50.0  # the base model's tokens/s
ADAPTER_DECODE, ADAPTER_PREFILL = 4.0, 20.0  # through the adapter
MEASURED = cal.AdapterRate(
    tokens_per_second=ADAPTER_DECODE,
    prompt_tokens_per_second=ADAPTER_PREFILL,
    seconds_per_batch=64.0,
    lora_r=16,
    setup_seconds=3.0,
)


def generation(adapter: cal.AdapterRate | None) -> cal.GenerationRate:
    return cal.GenerationRate(
        tokens_per_second=DECODE,
        batch=8,
        max_tokens=32,
        seconds_per_batch=25.6,
        prompt_tokens_per_second=PREFILL,
        prompt_tokens=400,
        adapter=adapter,
    )


def entry(model: str, adapter: cal.AdapterRate | None) -> cal.Calibration:
    return cal.Calibration(
        machine=cal.machine_key(),
        model=model,
        device="cpu",
        dtype="float32",
        threads=2,
        measured_at="2026-11-30T00:00:00Z",
        generations=[generation(adapter)],
    )


def trained_entry(adapter: cal.AdapterRate | None) -> cal.Calibration:
    """:func:`entry` with a training figure at 64 tokens: only answering can be missing."""
    training = cal.TrainingRate(
        seq_len=64,
        batch=4,
        steps=1,
        seconds_per_step=1.0,
        seconds_per_token=0.004,
        startup_seconds=1.0,
    )
    return entry("m", adapter).model_copy(update={"training": [training]})


def planned(
    settings: Settings, adapter: cal.AdapterRate | None
) -> tuple[BenchPlan, RoutePlan, RoutePlan]:
    """The plan of the system-prompt and SFT routes: (plan, system_prompt, sft)."""
    backend = LocalLike(settings)
    cal.store(settings, entry(backend.default_model, adapter))
    options = BenchOptions(routes=["system_prompt", "sft"], repeats=2)
    plan = plan_bench(load_scenario(TINY), backend, settings, options)
    routes = {r.route: r for r in plan.routes}
    return plan, routes["system_prompt"], routes["sft"]


def expected(route: RoutePlan, decode: float, prefill: float) -> float:
    prompt, low = route.prompt_tokens_per_request, route.completion_tokens_per_request
    assert prompt is not None and low is not None
    # the plan stores the token counts rounded to 0.1: the seconds agree to about that
    return route.requests * prompt / prefill + route.requests * low / decode


def test_a_fine_tuned_route_is_planned_at_the_adapter_rate(settings: Settings) -> None:
    plan, base, sft = planned(settings, MEASURED)
    assert base.answer_seconds == pytest.approx(expected(base, DECODE, PREFILL), abs=0.3)
    assert sft.answer_seconds == pytest.approx(
        expected(sft, ADAPTER_DECODE, ADAPTER_PREFILL), abs=0.3
    )
    assert sft.answer_seconds is not None and base.answer_seconds is not None
    assert sft.answer_seconds > 2 * base.answer_seconds
    basis = sft.answer_basis
    assert "at 4.0 tokens/s (calibrated, batch 8)" in basis, basis
    assert "at 20.0 tokens/s (calibrated)" in basis, basis
    assert basis.endswith(
        "; answered through a LoRA adapter: rates calibrated with an untrained one of rank 16, "
        "0.40x the base model's 10.0 tokens/s"
    ), basis
    assert "LoRA" not in base.answer_basis

    japanese = render_plan(plan, "ja")
    line = route_line(japanese, "sft")
    assert (
        "LoRA アダプター経由で回答: 速度はランク 16 の未学習アダプターで較正"
        "（ベースモデルの毎秒 10.0 トークンの 0.40 倍）" in line
    ), line
    assert "毎秒 4.0 トークン（較正済み、バッチ 8）" in line, line
    assert not any(ENGLISH_BASES.search(x) or "adapter" in x for x in japanese[3:]), japanese


def test_without_the_adapter_figure_the_plan_says_it_uses_the_base_rate(
    settings: Settings,
) -> None:
    plan, base, sft = planned(settings, None)
    assert sft.answer_seconds == pytest.approx(expected(sft, DECODE, PREFILL), abs=0.3)
    assert sft.answer_basis.endswith("; " + str(ADAPTER_NOT_MEASURED))
    assert "LoRA" not in base.answer_basis
    line = route_line(render_plan(plan, "ja"), "sft")
    assert "LoRA アダプター経由で回答しますが、そのコストは未計測" in line, line
    assert "`advisor tune calibrate` を実行してください）" in line and "adapter" not in line


def test_an_adapter_the_backend_could_not_time_is_not_sent_back_to_calibrate(
    settings: Settings,
) -> None:
    # Measured and failed (an engine that serves no adapter): calibrating again would not help.
    plan, _, sft = planned(settings, cal.AdapterRate(tokens_per_second=None))
    assert sft.answer_seconds == pytest.approx(expected(sft, DECODE, PREFILL), abs=0.3)
    assert sft.answer_basis.endswith("; " + str(ADAPTER_NOT_MEASURABLE))
    assert "calibrate" not in sft.answer_basis.rsplit("; ", 1)[1]
    line = route_line(render_plan(plan, "ja"), "sft")
    assert "このバックエンドでは較正時に計測できませんでした" in line, line
    assert "adapter" not in line


def test_a_cache_file_from_before_the_adapter_figure_still_loads(settings: Settings) -> None:
    old = entry("m", None).model_dump(mode="json")
    del old["generations"][0]["adapter"]
    del old["generation"]  # a computed field, as older releases wrote it
    text = cal.CalibrationFile(entries=[]).model_dump(mode="json") | {"entries": [old]}
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / cal.CACHE_NAME).write_text(json.dumps(text))
    (loaded,) = cal.read_cache(settings).entries
    rate = loaded.generations[0]
    assert rate.tokens_per_second == DECODE and rate.adapter is None
    assert rate.through_adapter() is None


def test_a_bench_with_fine_tuned_routes_measures_an_entry_without_the_figure() -> None:
    def needs(adapter: cal.AdapterRate | None, wanted: bool) -> bool:
        found = trained_entry(adapter)
        needed = missing(found, 64, generation=True, embedding=False, adapter=wanted)
        return needed is not None and needed.generation

    assert needs(None, True)  # written before the adapter was measured
    assert not needs(None, False)  # no fine-tuned route: the base figure is all it needs
    assert not needs(MEASURED, True)
    # tried and not measurable (the backend lends none): not tried again every bench
    assert not needs(cal.AdapterRate(tokens_per_second=None), True)


class LendingTuning(InstantTuning):
    """Lends an adapter id, as the local service does, and notes when it is taken back."""

    returned: bool = False
    fails: bool = False

    @contextlib.contextmanager
    def calibration_adapter(self, model: str | None) -> Iterator[CalibrationAdapter | None]:
        if LendingTuning.fails:
            raise BackendUnavailableError("no peft here")
        try:
            yield CalibrationAdapter(f"local:ft:{model}:calibration:calibration-x1", 16)
        finally:
            LendingTuning.returned = True


class Lending(FakeBackend):
    """Answers through the lent adapter (recorded), as a local backend would load it."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.asked: list[str | None] = []

    def chat_batch(self, conversations, *, model=None, params=None):  # type: ignore[no-untyped-def]
        self.asked.append(model)
        return super().chat_batch(conversations, model=model, params=params)

    def fine_tuning(self) -> FineTuningService:
        return LendingTuning(self.settings)


def test_answering_through_the_lent_adapter_is_measured(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LendingTuning, "returned", False)
    monkeypatch.setattr(LendingTuning, "fails", False)
    backend = Lending(settings)
    seen: list[str] = []
    rate = measure_generation(
        backend, backend.default_model, settings, lambda d, t, label: seen.append(label)
    )
    adapter = rate.adapter
    assert adapter is not None and adapter.tokens_per_second and adapter.tokens_per_second > 0
    assert adapter.prompt_tokens_per_second and adapter.lora_r == 16
    assert adapter.setup_seconds is not None and adapter.seconds_per_batch is not None
    lent = f"local:ft:{backend.default_model}:calibration:calibration-x1"
    assert lent in backend.asked and backend.asked[0] != lent  # the base first, then through it
    assert LendingTuning.returned  # the adapter is removed after the measurement
    assert any(re.search("LoRA adapter", str(label)) for label in seen), seen

    monkeypatch.setattr(LendingTuning, "fails", True)
    assert measure_generation(backend, backend.default_model, settings).adapter == (
        cal.AdapterRate(tokens_per_second=None)
    )
    # A backend that lends none (the default contract) records that nothing was measured.
    plain = FakeBackend(settings)
    assert measure_generation(plain, plain.default_model, settings).adapter == (
        cal.AdapterRate(tokens_per_second=None)
    )


def test_tune_calibrate_shows_the_adapter_figure_in_both_languages() -> None:
    from advisor import messages
    from advisor.cli.tune import calibration_lines

    shown = entry("m", MEASURED)
    unmeasured = entry("m", cal.AdapterRate(tokens_per_second=None))
    lines = calibration_lines(shown)
    assert "  answering through a LoRA adapter (rank 16): 4.0 tokens/s, reading prompts " in (
        "\n".join(lines)
    )
    assert "not measured" in calibration_lines(unmeasured)[-1]
    assert not any("LoRA" in line for line in calibration_lines(entry("m", None)))
    messages.set_lang("ja")  # conftest resets it
    assert "  LoRA アダプター経由の回答（ランク 16）: 4.0 トークン/秒" in "\n".join(
        calibration_lines(shown)
    )
    assert "未計測" in calibration_lines(unmeasured)[-1]
