"""The continuous-batching cache grows in place: the same keys and values as
transformers' concatenating DynamicLayer, without a copy per decode step."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from transformers.cache_utils import DynamicLayer  # noqa: E402

from backends.local.kv_batch import SPARE_COLUMNS, GrowingCache, GrowingLayer, _cache  # noqa: E402


def states(columns: int, seed: int, rows: int = 3) -> tuple[Any, Any]:
    generator = torch.Generator().manual_seed(seed)
    return (
        torch.randn(rows, 2, columns, 4, generator=generator),
        torch.randn(rows, 2, columns, 4, generator=generator),
    )


def test_growing_layer_returns_what_concatenation_returns() -> None:
    growing, concatenating = GrowingLayer(), DynamicLayer()
    for step, columns in enumerate([5, 1, 1, 1, 7, 1]):
        keys, values = states(columns, step)
        got = growing.update(keys, values)
        want = concatenating.update(keys, values)
        assert torch.equal(got[0], want[0]) and torch.equal(got[1], want[1])
    assert growing.get_seq_length() == concatenating.get_seq_length() == 16


def test_decode_steps_write_into_one_buffer_until_the_spare_columns_run_out() -> None:
    layer = GrowingLayer()
    layer.update(*states(10, 0))
    buffer = layer.keys.data_ptr()
    for step in range(SPARE_COLUMNS):
        layer.update(*states(1, step + 1))
        assert layer.keys.data_ptr() == buffer  # no copy of the cache per step
    layer.update(*states(1, 999))
    assert layer.keys.data_ptr() != buffer  # full: one reallocation, with new spare columns
    assert layer.get_seq_length() == 10 + SPARE_COLUMNS + 1


def test_a_layer_rebuilt_from_selected_rows_keeps_them_and_grows() -> None:
    layer = GrowingLayer()
    layer.update(*states(6, 0))
    kept = layer.keys.index_select(0, torch.tensor([2, 0]))[:, :, 1:]
    values = layer.values.index_select(0, torch.tensor([2, 0]))[:, :, 1:]
    cache = _cache([(kept, values)])
    assert isinstance(cache, GrowingCache)
    new_keys, new_values = states(1, 7, rows=2)
    keys, _ = cache.layers[0].update(new_keys, new_values)
    assert torch.equal(keys, torch.cat([kept, new_keys], dim=-2))


def test_rows_selected_by_transformers_are_not_overwritten_in_the_old_buffer() -> None:
    layer = GrowingLayer()
    layer.update(*states(4, 0))
    before = layer.keys.clone()
    layer.batch_select_indices(torch.tensor([1]))  # transformers replaces keys itself
    new_keys, new_values = states(1, 5, rows=1)
    keys, _ = layer.update(new_keys, new_values)
    assert torch.equal(keys, torch.cat([before[1:2], new_keys], dim=-2))
