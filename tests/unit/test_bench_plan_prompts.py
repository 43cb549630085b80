"""The bench plan counts each route's prompt and shows a range (issue 13 item 5).

Before: every route got the same answering time, answers as long as the
references over one decode rate, so on product-manual the plan said 76 s for
RAG and for the system prompt where the run took 13:51 and 3:04.
"""

from __future__ import annotations

import json
import statistics

import pytest

from advisor.app.calibration import measure_generation, measure_prefill, missing
from advisor.bench.plan import plan_bench, render_plan
from advisor.bench.plan_prompts import PromptSizer
from advisor.bench.prepare_routes import few_shot_examples
from advisor.bench.routespec import parse_route
from advisor.bench.runner import BenchOptions
from advisor.bench.scenario import load_scenario
from advisor.data import calibration as cal
from advisor.routes.context import estimate_tokens
from advisor.settings import Settings
from backends.fake import FakeBackend
from backends.types import Usage
from tests.unit.test_bench_plan import TINY, LocalLike

DECODE = 10.0  # answer tokens per second
PREFILL = 50.0  # prompt tokens per second


def store_rates(settings: Settings, model: str, prefill: float | None = PREFILL) -> None:
    generation = cal.GenerationRate(
        tokens_per_second=DECODE,
        batch=8,
        max_tokens=32,
        seconds_per_batch=25.6,
        prompt_tokens_per_second=prefill,
        prompt_tokens=None if prefill is None else 400,
    )
    cal.store(
        settings,
        cal.Calibration(
            machine=cal.machine_key(),
            model=model,
            device="cpu",
            dtype="float32",
            threads=2,
            measured_at="2026-11-30T00:00:00Z",
            generations=[generation],
            embedding=cal.EmbeddingRate(chunks_per_second=5.0, chunk_tokens=200, model="x"),
        ),
    )


def sizer(settings: Settings) -> PromptSizer:
    scenario = load_scenario(TINY)
    backend = LocalLike(settings)
    questions = [i.prompt for i in scenario.test_items()]
    return PromptSizer(scenario, backend, backend.default_model, settings, questions, 64)


def test_rag_answers_take_longer_than_the_system_prompts_with_knowledge(
    settings: Settings,
) -> None:
    scenario = load_scenario(TINY)
    backend = LocalLike(settings)
    store_rates(settings, backend.default_model)
    options = BenchOptions(routes=["system_prompt", "rag"], repeats=2, max_tokens=64)
    routes = {r.route: r for r in plan_bench(scenario, backend, settings, options).routes}
    rag, plain = routes["rag"], routes["system_prompt"]
    assert rag.answer_seconds is not None and plain.answer_seconds is not None
    assert rag.answer_seconds > plain.answer_seconds
    assert rag.prompt_tokens_per_request is not None and plain.prompt_tokens_per_request
    assert rag.prompt_tokens_per_request > 3 * plain.prompt_tokens_per_request
    # By hand: 10 requests x (prompt / 50 + answer / 10), the answer from the references' mean.
    refs = [estimate_tokens(i.reference) for i in scenario.test_items() if i.reference]
    low = sum(refs) / len(refs)
    for route in (rag, plain):
        prompt = route.prompt_tokens_per_request
        assert prompt is not None
        assert route.completion_tokens_per_request == pytest.approx(low, abs=0.05)
        assert route.prompt_seconds == pytest.approx(10 * prompt / PREFILL, abs=0.1)
        assert route.answer_seconds == pytest.approx(10 * (prompt / PREFILL + low / DECODE), 0.01)
        assert route.answer_seconds_max == pytest.approx(
            10 * (prompt / PREFILL + 64 / DECODE), 0.01
        )
        assert route.completion_tokens_max == 64
        assert f"prompts of about {prompt:,.0f} tokens at 50.0 tokens/s" in route.answer_basis


def test_prompt_tokens_come_from_what_each_route_sends(settings: Settings) -> None:
    sizes = sizer(settings)
    scenario = sizes.scenario
    questions = statistics.mean(estimate_tokens(q) for q in sizes.questions)
    plain = sizes.tokens(parse_route("system_prompt"))
    assert plain == pytest.approx(estimate_tokens(scenario.system_prompt) + questions)
    # TINY's instructions are one sentence: the minimal prompt is no system message at all.
    assert sizes.tokens(parse_route("sft_short")) == pytest.approx(questions)
    assert sizes.tokens(parse_route("sft")) == plain  # a tuned model, the same prompt
    examples = few_shot_examples(scenario, sizes.backend, sizes.model, 64)
    shots = sum(estimate_tokens(e.user) + estimate_tokens(e.assistant) for e in examples)
    assert examples and sizes.tokens(parse_route("few_shot")) == pytest.approx(plain + shots)
    policy = (TINY / "knowledge" / "policy.md").read_text(encoding="utf-8")
    rag = sizes.tokens(parse_route("rag"))
    # The RAG prompt: the instructions, the citation rules, the fenced chunk, the question.
    assert rag > plain + 0.8 * estimate_tokens(policy) + 50
    assert sizes.tokens(parse_route("sft+rag")) == rag
    assert plain < sizes.tokens(parse_route("custom_assistant")) <= rag


def test_an_entry_from_before_prefill_was_measured_still_reads(settings: Settings) -> None:
    scenario = load_scenario(TINY)
    backend = LocalLike(settings)
    store_rates(settings, backend.default_model, prefill=None)
    # As older releases wrote it: one generation figure, no engine, no prompt fields at all.
    path = settings.data_dir / cal.CACHE_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["entries"]:
        (entry["generation"],) = entry.pop("generations")
        for field in ("prompt_tokens_per_second", "prompt_tokens", "engine"):
            del entry["generation"][field]
    path.write_text(json.dumps(data), encoding="utf-8")
    found = cal.cached_calibration(settings, backend.default_model)
    assert found is not None
    torch_rate = found.generation_for("torch")  # before engines were told apart: torch's
    assert torch_rate is not None and torch_rate.prompt_tokens_per_second is None
    options = BenchOptions(routes=["rag"], repeats=2, max_tokens=64)
    rag = plan_bench(scenario, backend, settings, options).routes[0]
    refs = [estimate_tokens(i.reference) for i in scenario.test_items() if i.reference]
    assert rag.answer_seconds == pytest.approx(10 * statistics.mean(refs) / DECODE, abs=0.05)
    assert rag.prompt_seconds is None
    assert "prompt time not calibrated (about " in rag.answer_basis
    japanese = render_plan(plan_bench(scenario, backend, settings, options), "ja")
    assert "プロンプトの読み込み時間は未較正（1 件約 " in japanese[-2], japanese
    # The bench's automatic calibration measures answering again, prefill included.
    again = missing(found, 64, generation=True, embedding=False)
    assert again is not None and again.generation


def test_the_range_in_english_and_japanese(settings: Settings) -> None:
    scenario = load_scenario(TINY)
    backend = LocalLike(settings)
    store_rates(settings, backend.default_model)
    # dpo is skipped (TINY has no preference pairs): a skipped route takes no time at either end.
    options = BenchOptions(routes=["system_prompt", "rag", "dpo"], repeats=2, max_tokens=256)
    plan = plan_bench(scenario, backend, settings, options)
    assert not plan.routes[-1].runs
    assert plan.total_seconds is not None and plan.total_seconds_max is not None
    assert plan.total_seconds_max > plan.total_seconds
    english, japanese = render_plan(plan), render_plan(plan, "ja")
    # one unit, the top's (a low end under 2 min is in minutes too); "1", not "1.0"
    assert (plan.total_seconds, plan.total_seconds_max) == pytest.approx((61.6, 563.0))
    assert english[-1] == "  total: 1-9.4 min"
    assert japanese[-1] == "  合計: 1〜9.4 分"
    rag = next(line for line in japanese if line.startswith("  rag: "))
    assert "トークンの回答 10 件" in rag and "〜256 トークン" in rag, rag
    assert "トークンのプロンプト、毎秒 50.0 トークンで読み込み（較正済み）" in rag, rag
    fields = plan.model_dump(mode="json")["routes"][0]
    assert {"answer_seconds_max", "prompt_tokens_per_request", "prompt_seconds"} <= set(fields)


def test_the_prefill_rate_is_measured_on_long_prompts(settings: Settings) -> None:
    backend = FakeBackend(settings)
    rate, tokens = measure_prefill(backend, backend.default_model)
    assert rate is not None and rate > 0 and tokens is not None and tokens > 300
    generation = measure_generation(backend, backend.default_model, settings)
    assert generation.prompt_tokens_per_second and generation.prompt_tokens == tokens


class NoPromptCounts(FakeBackend):
    """A backend that reports no prompt tokens: prefill cannot be measured on it."""

    def chat_batch(self, conversations, *, model=None, params=None):  # type: ignore[no-untyped-def]
        answers = super().chat_batch(conversations, model=model, params=params)
        return [a.model_copy(update={"usage": Usage(completion_tokens=3)}) for a in answers]


def test_a_backend_without_prompt_counts_is_measured_once(settings: Settings) -> None:
    backend = NoPromptCounts(settings)
    generation = measure_generation(backend, backend.default_model, settings)
    assert generation.prompt_tokens_per_second is None and generation.prompt_tokens == 0
    found = cal.Calibration(
        machine=cal.machine_key(),
        model="m",
        device="cpu",
        dtype="float32",
        threads=2,
        measured_at="2026-11-30T00:00:00Z",
        training=[cal.TrainingRate(seq_len=64, batch=4, steps=1, seconds_per_step=1.0,
                                   seconds_per_token=0.004, startup_seconds=1.0)],
        generations=[generation],
    )  # fmt: skip
    assert missing(found, 64, generation=True, embedding=False) is None


class OnnxLike(LocalLike):
    def generation_engine(self) -> str:
        return "onnx-fp32"


def test_a_plan_on_another_engine_never_uses_the_torch_rate(settings: Settings) -> None:
    scenario = load_scenario(TINY)
    store_rates(settings, LocalLike(settings).default_model)  # torch's figure only
    backend = OnnxLike(settings)
    options = BenchOptions(routes=["rag"], repeats=2, max_tokens=64)
    rag = plan_bench(scenario, backend, settings, options).routes[0]
    assert rag.answer_seconds is None and "no measured generation" in rag.answer_basis
    found = cal.cached_calibration(settings, backend.default_model)
    needed = missing(found, 64, generation=True, embedding=False, engine="onnx-fp32")
    assert needed is not None and needed.generation
    # Measured on that engine, the figure is recorded under its name, beside torch's.
    rate = measure_generation(backend, backend.default_model, settings)
    assert rate.engine == "onnx-fp32"
