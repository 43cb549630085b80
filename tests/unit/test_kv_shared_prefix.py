"""The tokens every prompt starts with run once: each row still answers what it
answers alone, and the model sees the shared tokens a single time.

A tiny random Llama in float32, as in test_kv_replace.py.
"""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from backends.local.continuous import Scheduler  # noqa: E402
from backends.local.kv_batch import TransformersEngine  # noqa: E402
from backends.local.shared_prefix import common_prefix, starts_with  # noqa: E402
from tests.unit.test_kv_replace import PAD, alone, prompt, tiny_model  # noqa: E402

SYSTEM = prompt(20, seed=99)  # a system prompt every question starts with


class Recording(TransformersEngine):
    """Records the width of every forward pass (the tokens the model runs per row)."""

    def __init__(self, model: Any, shared: list[int]) -> None:
        super().__init__(model, PAD, "cpu", shared)
        self.widths: list[int] = []

    def _forward(self, ids: Any, batch: Any, positions: Any) -> list[int]:
        self.widths.append(int(ids.shape[1]))
        return super()._forward(ids, batch, positions)


def questions(lengths: list[int]) -> list[list[int]]:
    return [SYSTEM + prompt(n, seed) for seed, n in enumerate(lengths)]


def test_the_common_prefix_is_what_every_prompt_starts_with() -> None:
    prompts = questions([3, 9, 4])
    assert common_prefix(prompts) == SYSTEM
    assert common_prefix(prompts, minimum=21) == []  # too short to pay for its own pass
    assert common_prefix([[*SYSTEM, 5]]) == []  # one prompt shares nothing
    assert common_prefix([[*SYSTEM, 5], SYSTEM]) == SYSTEM[:-1]  # each keeps a token of its own
    assert common_prefix([[*SYSTEM, 5], [1, *SYSTEM]]) == []
    assert starts_with([*SYSTEM, 5], SYSTEM) and not starts_with(SYSTEM, SYSTEM)


def test_rows_after_a_shared_prefix_answer_as_they_would_alone() -> None:
    model = tiny_model()
    lengths = [3, 9, 4, 30, 5, 2, 7]  # 30: wider than the batch it enters
    limits = [2, 12, 3, 6, 9, 4, 5]  # rows finish at different steps: replace, keep, join
    prompts = questions(lengths)
    plain = TransformersEngine(model, PAD, "cpu")
    expected = [alone(plain, p, n) for p, n in zip(prompts, limits, strict=True)]
    engine = Recording(model, common_prefix(prompts))
    with torch.inference_mode():
        finished = list(Scheduler(engine, 3, frozenset()).run(prompts, limits))
    assert {f.index: f.tokens for f in finished} == dict(enumerate(expected))


def test_the_shared_tokens_run_once() -> None:
    prompts = questions([3, 9, 4, 5])
    engine = Recording(tiny_model(), common_prefix(prompts))
    with torch.inference_mode():
        list(Scheduler(engine, 2, frozenset()).run(prompts, [1, 1, 1, 1]))
    # The prefix once; then two prefills of two rows each, as wide as their own tokens.
    assert engine.widths == [len(SYSTEM), 9, 5]


def test_a_prompt_without_the_prefix_is_prefilled_whole() -> None:
    model = tiny_model()
    prompts = [*questions([3, 4]), prompt(6, seed=7)]
    engine = Recording(model, SYSTEM)
    with torch.inference_mode():
        finished = list(Scheduler(engine, 3, frozenset()).run(prompts, [4, 4, 4]))
    assert engine.widths[0] == len(SYSTEM) + 4  # the group holds a stranger: plain prefill
    plain = TransformersEngine(model, PAD, "cpu")
    assert {f.index: f.tokens for f in finished} == {
        i: alone(plain, p, 4) for i, p in enumerate(prompts)
    }


def test_groups_prefilled_after_the_prefix_are_stacked_and_answer_as_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import backends.local.kv_batch as kv_batch

    model = tiny_model()
    prompts = questions([9, 4, 12, 6, 3])
    monkeypatch.setattr(kv_batch, "PREFILL_SCORES", 2 * 32 * 32)  # two rows at a time
    engine = Recording(model, common_prefix(prompts))
    with torch.inference_mode():
        finished = list(Scheduler(engine, 5, frozenset()).run(prompts, [5] * 5))
    assert engine.widths[:4] == [len(SYSTEM), 9, 12, 3]  # the prefix, then three groups
    plain = TransformersEngine(model, PAD, "cpu")
    assert {f.index: f.tokens for f in finished} == {
        i: alone(plain, p, 5) for i, p in enumerate(prompts)
    }
