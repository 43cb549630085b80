"""A waiting prompt takes a finished row's place in the KV cache: every row still
answers what it answers alone, and the rows that go on are not copied.

A tiny random Llama (no weights to load) in float32 stands in for the embedded
model: the cache's bookkeeping does not depend on the size.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from backends.local.continuous import Scheduler  # noqa: E402
from backends.local.kv_batch import TransformersEngine  # noqa: E402

PAD = 0


def tiny_model() -> Any:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=97,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
    )
    return LlamaForCausalLM(config).eval()


def prompt(length: int, seed: int) -> list[int]:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(3, 97, (length,), generator=generator).tolist()


def alone(engine: TransformersEngine, ids: list[int], limit: int) -> list[int]:
    batch, tokens = engine.prefill([ids])
    chosen = [tokens[0]]
    while len(chosen) < limit:
        batch, tokens = engine.step(batch, [chosen[-1]])
        chosen.append(tokens[0])
    return chosen


class Counting(TransformersEngine):
    """Counts the engine calls and the fresh prompts wider than the batch they enter."""

    def __init__(self, model: Any) -> None:
        super().__init__(model, PAD, "cpu")
        self.calls: Counter[str] = Counter()

    def replace(self, batch: Any, rows: Any, fresh: Any) -> Any:
        self.calls["replace"] += 1
        if fresh.mask.shape[1] > batch.mask.shape[1]:
            self.calls["wider"] += 1
        return super().replace(batch, rows, fresh)

    def keep(self, batch: Any, rows: Any) -> Any:
        self.calls["keep"] += 1
        return super().keep(batch, rows)

    def join(self, first: Any, second: Any) -> Any:
        self.calls["join"] += 1
        return super().join(first, second)


def test_rows_that_take_a_finished_rows_place_answer_as_they_would_alone() -> None:
    model = tiny_model()
    lengths = [3, 9, 4, 30, 5, 2, 7]  # 30: wider than the batch it enters
    limits = [2, 12, 3, 6, 9, 4, 5]  # rows finish at different steps
    prompts = [prompt(n, seed) for seed, n in enumerate(lengths)]
    engine = Counting(model)
    with torch.inference_mode():
        finished = list(Scheduler(engine, 3, frozenset()).run(prompts, limits))
        expected = [alone(engine, ids, limit) for ids, limit in zip(prompts, limits, strict=True)]
    got = {item.index: item.tokens for item in finished}
    assert [got[index] for index in range(len(prompts))] == expected
    assert engine.calls["replace"] >= 3 and engine.calls["wider"] >= 1
    assert engine.calls["join"] == 0  # after the first fill, rows are replaced, not added


def test_replacing_a_row_writes_into_the_buffer_the_other_rows_live_in() -> None:
    model = tiny_model()
    engine = TransformersEngine(model, PAD, "cpu")
    with torch.inference_mode():
        batch, tokens = engine.prefill([prompt(6, 1), prompt(8, 2)])
        for _ in range(3):
            batch, tokens = engine.step(batch, tokens)
        layer = batch.cache.layers[0]
        buffer, second = layer.keys.data_ptr(), layer.keys[1].clone()
        fresh, _ = engine.prefill([prompt(4, 3)])
        batch = engine.replace(batch, [0], fresh)
    assert layer.keys.data_ptr() == buffer  # no copy of the cache
    assert torch.equal(layer.keys[1], second)  # the row that goes on is untouched
    assert batch.mask[0].tolist() == [0] * 7 + [1] * 4  # right-aligned, masked before
    assert batch.lengths.tolist() == [4, 11]


def test_leading_columns_nobody_attends_to_are_dropped_without_a_copy() -> None:
    model = tiny_model()
    engine = TransformersEngine(model, PAD, "cpu")
    with torch.inference_mode():
        batch, tokens = engine.prefill([prompt(10, 1), prompt(3, 2)])
        batch, tokens = engine.step(batch, tokens)
        layer = batch.cache.layers[0]
        kept = layer.keys[1, :, -4:].clone()
        storage = layer.keys.untyped_storage().data_ptr()
        fresh, _ = engine.prefill([prompt(5, 3)])
        batch = engine.replace(batch, [0], fresh)  # the 10-token row goes: 6 columns free
        assert batch.mask.shape[1] == 5 and bool(batch.mask.any(0).all())
        assert torch.equal(layer.keys[1, :, -4:], kept)
        assert layer.keys.shape[-2] == layer.values.shape[-2] == 5
        batch, _ = engine.step(batch, [1, 1])
    # A view of the same memory: no copy to drop the columns, nor to grow after it.
    assert layer.keys.untyped_storage().data_ptr() == storage


def test_wide_prompts_are_prefilled_in_groups_within_the_score_budget() -> None:
    from backends.local.kv_batch import prefill_groups

    assert prefill_groups([1230] * 5) == [slice(0, 2), slice(2, 4), slice(4, 5)]
    assert prefill_groups([350] * 32) == [slice(0, 32)]  # short prompts: one batch
    assert prefill_groups([5000, 10]) == [slice(0, 1), slice(1, 2)]  # alone if it must
    assert prefill_groups([]) == []


def test_a_grouped_prefill_holds_what_one_call_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    import backends.local.kv_batch as kv_batch

    model = tiny_model()
    prompts = [prompt(n, seed) for seed, n in enumerate([9, 4, 12, 6, 3])]
    engine = TransformersEngine(model, PAD, "cpu")
    with torch.inference_mode():
        whole, first = engine.prefill(prompts)
        monkeypatch.setattr(kv_batch, "PREFILL_SCORES", 2 * 12 * 12)  # two rows at a time
        assert len(kv_batch.prefill_groups([len(p) for p in prompts], kv_batch.PREFILL_SCORES)) == 3
        grouped, grouped_first = engine.prefill(prompts)
        assert grouped_first == first
        assert torch.equal(grouped.mask, whole.mask) and torch.equal(grouped.lengths, whole.lengths)
        real = whole.mask.bool()
        for (keys, values), (want_keys, want_values) in zip(
            kv_batch._layers(grouped.cache), kv_batch._layers(whole.cache), strict=True
        ):
            assert torch.allclose(
                keys.transpose(1, 2)[real], want_keys.transpose(1, 2)[real], atol=1e-5
            )
            assert torch.allclose(
                values.transpose(1, 2)[real], want_values.transpose(1, 2)[real], atol=1e-5
            )
        following, _ = engine.step(grouped, grouped_first)
        assert following.mask.shape[1] == 13  # it decodes on, one column more
