"""Bench answers reach the cache and the progress bar one by one, as they finish."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from advisor.bench.runner import BenchOptions, run_bench
from advisor.bench.scenario import load_scenario
from advisor.settings import Settings
from backends.base import Capabilities
from backends.fake import FakeBackend
from backends.types import ChatMessage, ChatResult, GenerationParams
from tests.conftest import FIXTURES

TINY = FIXTURES / "bench" / "tiny"  # four prompts, two paraphrases of t1
STAGE = "system_prompt: answering, paraphrases included"


def answering(seen: list[tuple[str, int, int]]) -> list[int]:
    return [done for label, done, _ in seen if label == STAGE]


def test_fixed_batches_report_progress_once_per_answer(settings: Settings) -> None:
    settings.local.batch_size = 3  # 4 prompts and 2 paraphrases: two batches of 3
    seen: list[tuple[str, int, int]] = []
    options = BenchOptions(routes=["system_prompt"], use_cache=False)
    progress = lambda done, total, label: seen.append((label, done, total))  # noqa: E731
    run_bench(load_scenario(TINY), FakeBackend(settings), settings, options, progress=progress)
    assert answering(seen) == [0, 1, 2, 3, 4, 5, 6]
    assert {total for label, _, total in seen if label == STAGE} == {6}


class Streaming(FakeBackend):
    """Finishes answers in reverse order, one at a time, as continuous batching may."""

    capabilities = FakeBackend.capabilities.model_copy(update={"supports_streaming_batch": True})
    calls: ClassVar[list[int]] = []

    def chat_batch_iter(
        self,
        conversations: Sequence[Sequence[ChatMessage]],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> Iterator[tuple[int, ChatResult]]:
        Streaming.calls.append(len(conversations))
        for index in reversed(range(len(conversations))):
            yield index, self.chat(conversations[index], model=model, params=params)


def test_streamed_answers_land_on_their_own_prompts_one_progress_step_each(
    settings: Settings,
) -> None:
    assert isinstance(Streaming.capabilities, Capabilities)
    settings.local.batch_size = 2  # ignored: the streaming backend's slots do the batching
    seen: list[tuple[str, int, int]] = []
    options = BenchOptions(routes=["system_prompt"])
    backend = Streaming(settings)
    progress = lambda done, total, label: seen.append((label, done, total))  # noqa: E731
    results = run_bench(load_scenario(TINY), backend, settings, options, progress=progress)
    # One stream: the prompts and both paraphrases share the slots, no part-empty phase.
    assert Streaming.calls == [6]
    assert answering(seen) == [0, 1, 2, 3, 4, 5, 6]
    scenario = load_scenario(TINY)
    prompts = {item.id: item.prompt for item in scenario.test_items()}
    samples = results.routes["system_prompt"].samples
    assert len(samples) == 4
    for sample in samples:  # reverse arrival did not shuffle answers between prompts
        assert sample.text.endswith(prompts[sample.prompt_id]), sample
    again = run_bench(scenario, backend, settings, options)  # every answer was cached
    assert all(s.cached for s in again.routes["system_prompt"].samples)
