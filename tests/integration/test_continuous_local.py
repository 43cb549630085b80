"""Continuous batching on the real embedded model gives the same greedy answers."""

from __future__ import annotations

import pytest

from advisor.settings import Settings
from backends.local import LocalBackend
from backends.types import ChatMessage, GenerationParams

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Write a long poem about the sea.",
    "What is 2+2?",  # ends (12 tokens) while the poem goes on: it arrives first
    "Say hi.",
    "Name three colours.",
    "Explain photosynthesis in detail.",
]


def conversations() -> list[list[ChatMessage]]:
    return [[ChatMessage(role="user", content=q)] for q in QUESTIONS]


def test_continuous_batching_matches_fixed_and_single_generation(settings: Settings) -> None:
    params = GenerationParams(max_tokens=16)
    settings.local.batch_size = 1
    backend = LocalBackend(settings)
    single = backend.chat_batch(conversations(), params=params)
    settings.local.batch_size = len(QUESTIONS)
    fixed = backend.chat_batch(conversations(), params=params)
    settings.local.batch_size = 2  # two slots: three prompts wait for a free one
    arrived = list(backend.chat_batch_iter(conversations(), params=params))
    assert sorted(index for index, _ in arrived) == list(range(len(QUESTIONS)))
    streamed = [result for _, result in sorted(arrived, key=lambda pair: pair[0])]

    def view(results):  # type: ignore[no-untyped-def]
        return [(r.text, r.usage.completion_tokens, r.finish_reason) for r in results]

    assert view(streamed) == view(single)
    assert view(streamed) == view(fixed)
    assert any(r.finish_reason == "stop" for r in streamed)  # an early exit happened
    assert any(r.finish_reason == "length" for r in streamed)
    assert [index for index, _ in arrived] != list(range(len(QUESTIONS)))  # not a fixed batch


def test_answering_re_chooses_its_threads_between_answers(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bench answers for many minutes beside a training job that starts and ends."""
    from backends.local import backend as backend_module

    checks: list[int] = []

    class Recording:
        def __init__(self, _settings: Settings, threads: int) -> None:
            self.threads = threads

        def check(self) -> None:
            checks.append(self.threads)

    monkeypatch.setattr(backend_module, "ThreadGovernor", Recording)
    settings.local.batch_size = 2
    answers = list(
        LocalBackend(settings).chat_batch_iter(
            conversations(), params=GenerationParams(max_tokens=4)
        )
    )
    assert len(answers) == len(QUESTIONS)
    assert len(checks) == len(QUESTIONS) + 1  # before each answer, and before the end
