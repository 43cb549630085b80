"""The transformers side of continuous batching: one KV cache whose rows come and go.

Rows are left-padded to a common length exactly as ``generate`` pads a batch
(attention mask 0 on the padding, positions counted from each row's first real
token), so every row computes what it would compute alone.  Joining a freshly
prefilled group left-pads the shorter cache with masked zeros; dropping rows
also drops the leading columns no remaining row attends to.  A prompt that
takes a finished row's place is written into that row, right-aligned, and the
columns left of it are masked: the other rows are not copied.  Long prompts
are prefilled a few at a time (:func:`prefill_groups`) and their caches
stacked once.

Only models whose cache is a plain full-attention cache qualify
(:func:`supports_continuous`); sliding-window layers (Gemma 3) keep a window
that this re-padding would break, so those models use fixed batches.

The cache's layers (:class:`GrowingLayer`) write each step's keys and values
into spare columns instead of concatenating: transformers' ``DynamicLayer``
copies the whole cache at every step, into freshly allocated memory, and at 32
rows and a few hundred tokens those copies were most of a decode step
(docs/performance.md, *The KV cache grows in place*).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from transformers.cache_utils import Cache, DynamicCache, DynamicLayer

from backends.local.shared_prefix import starts_with

SPARE_COLUMNS = 128  # columns added per reallocation: a 256-token answer reallocates twice
# A padded batch's prefill attends through a mask, holding rows x heads x width^2 scores at
# once: 32 RAG-sized prompts in one call prefilled at 0.4x the speed of a few at a time
# (docs/performance.md, *Long prompts are prefilled a few at a time*).
PREFILL_SCORES = 1 << 22


@dataclass
class KVBatch:
    cache: Any  # a GrowingCache: one GrowingLayer per model layer
    mask: torch.Tensor  # (rows, columns) 1 where a row has a real token
    lengths: torch.Tensor  # (rows,) real tokens so far: the next token's position


def supports_continuous(model: Any) -> bool:
    """Whether ``model``'s cache is full attention in every layer (no sliding window)."""
    config = model.config
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    if getattr(text, "sliding_window", None):
        return False
    layer_types = getattr(text, "layer_types", None) or []
    return all(kind == "full_attention" for kind in layer_types)


class TransformersEngine:
    """:class:`~backends.local.continuous.DecodeEngine` over a causal LM, greedy."""

    def __init__(
        self, model: Any, pad_token_id: int, device: str, shared_prefix: Sequence[int] = ()
    ) -> None:
        """``shared_prefix``: tokens the prompts start with (:func:`backends.local.
        shared_prefix.common_prefix`), run once at the first prefill and reused by
        every prompt that starts with them (:mod:`backends.local.shared_prefix`)."""
        self.model = model
        self.pad = pad_token_id
        self.device = device
        self.prefix = list(shared_prefix)
        self._prefix_states: list[tuple[torch.Tensor, torch.Tensor]] | None = None

    def _forward(self, ids: torch.Tensor, batch: KVBatch, positions: torch.Tensor) -> list[int]:
        output = self.model(
            input_ids=ids,
            attention_mask=batch.mask,
            position_ids=positions,
            cache=batch.cache,  # a GrowingCache, updated in place
            use_cache=True,
            logits_to_keep=1,  # as generate does: the same lm_head shapes, the same sums
        )
        return [int(t) for t in output.logits[:, -1, :].argmax(dim=-1)]

    def prefill(self, prompts: Sequence[Sequence[int]]) -> tuple[KVBatch, list[int]]:
        groups = prefill_groups([len(p) for p in prompts], PREFILL_SCORES)
        if len(groups) == 1:
            return self._prefill(prompts)
        parts = [self._prefill(prompts[group]) for group in groups]
        return _stacked([batch for batch, _ in parts]), [t for _, first in parts for t in first]

    def _prefill(self, prompts: Sequence[Sequence[int]]) -> tuple[KVBatch, list[int]]:
        if self.prefix and all(starts_with(p, self.prefix) for p in prompts):
            return self._prefill_after_prefix(prompts)
        width = max(len(p) for p in prompts)
        ids = torch.full((len(prompts), width), self.pad, dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for row, prompt in enumerate(prompts):
            ids[row, width - len(prompt) :] = torch.tensor(list(prompt), dtype=torch.long)
            mask[row, width - len(prompt) :] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 0)
        batch = KVBatch(GrowingCache(), mask, mask.sum(-1))
        return batch, self._forward(ids, batch, positions)

    def _prefill_after_prefix(self, prompts: Sequence[Sequence[int]]) -> tuple[KVBatch, list[int]]:
        """Each row as ``[prefix][pad][own tokens]``: the prefix's keys and values copied
        in, only the prompts' own tokens run (positions counted over the mask)."""
        shared = len(self.prefix)
        own = [list(p[shared:]) for p in prompts]
        width = max(len(o) for o in own)
        ids = torch.full((len(own), width), self.pad, dtype=torch.long)
        mask = torch.ones((len(own), shared + width), dtype=torch.long)
        for row, tokens in enumerate(own):
            ids[row, width - len(tokens) :] = torch.tensor(tokens, dtype=torch.long)
            mask[row, shared : shared + width - len(tokens)] = 0
        ids, mask = ids.to(self.device), mask.to(self.device)
        positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 0)[:, shared:]
        layers = [
            GrowingLayer.with_room(keys, values, len(own), shared + width + SPARE_COLUMNS)
            for keys, values in self._prefix_layers()
        ]
        batch = KVBatch(GrowingCache(layers), mask, mask.sum(-1))
        return batch, self._forward(ids, batch, positions)

    def _prefix_layers(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """The shared prefix's keys and values per layer, one row, computed once."""
        if self._prefix_states is None:
            ids = torch.tensor([self.prefix], dtype=torch.long, device=self.device)
            batch = KVBatch(GrowingCache(), torch.ones_like(ids), torch.tensor([ids.shape[1]]))
            positions = torch.arange(ids.shape[1], device=self.device).unsqueeze(0)
            self._forward(ids, batch, positions)
            self._prefix_states = [(k.clone(), v.clone()) for k, v in _layers(batch.cache)]
        return self._prefix_states

    def step(self, batch: KVBatch, tokens: Sequence[int]) -> tuple[KVBatch, list[int]]:
        ids = torch.tensor([[t] for t in tokens], dtype=torch.long, device=self.device)
        batch.mask = torch.cat([batch.mask, torch.ones_like(batch.mask[:, :1])], dim=-1)
        positions = batch.lengths.unsqueeze(-1)
        following = self._forward(ids, batch, positions)
        batch.lengths = batch.lengths + 1
        return batch, following

    def keep(self, batch: KVBatch, rows: Sequence[int]) -> KVBatch:
        index = torch.tensor(list(rows), dtype=torch.long, device=batch.mask.device)
        mask = batch.mask.index_select(0, index)
        used = mask.sum(0).nonzero()
        start = int(used[0]) if len(used) else 0  # leading columns nobody attends to go
        layers = [
            (keys.index_select(0, index)[:, :, start:], values.index_select(0, index)[:, :, start:])
            for keys, values in _layers(batch.cache)
        ]
        return KVBatch(_cache(layers), mask[:, start:], batch.lengths.index_select(0, index))

    def replace(self, batch: KVBatch, rows: Sequence[int], fresh: KVBatch) -> KVBatch:
        width = max(batch.mask.shape[1], fresh.mask.shape[1])
        batch = _left_pad(batch, width)  # copies only when the fresh prompts are wider
        start = width - fresh.mask.shape[1]
        index = torch.tensor(list(rows), dtype=torch.long, device=batch.mask.device)
        for layer, (keys, values) in zip(batch.cache.layers, _layers(fresh.cache), strict=True):
            layer.keys[index, :, start:] = keys  # into the buffer: a view's rows, in place
            layer.values[index, :, start:] = values
        batch.mask[index] = 0  # the finished rows' columns, now nobody's
        batch.mask[index, start:] = fresh.mask
        batch.lengths = batch.lengths.index_put((index,), fresh.lengths)
        unused = int(batch.mask.any(0).long().argmax())  # leading columns nobody attends to
        if unused:
            for layer in batch.cache.layers:
                layer.drop_leading(unused)
            batch.mask = batch.mask[:, unused:]
        return batch

    def join(self, first: KVBatch, second: KVBatch) -> KVBatch:
        width = max(first.mask.shape[1], second.mask.shape[1])
        a, b = _left_pad(first, width), _left_pad(second, width)
        layers = [
            (torch.cat([ka, kb]), torch.cat([va, vb]))
            for (ka, va), (kb, vb) in zip(_layers(a.cache), _layers(b.cache), strict=True)
        ]
        return KVBatch(
            _cache(layers),
            torch.cat([a.mask, b.mask]),
            torch.cat([first.lengths, second.lengths]),
        )


def prefill_groups(lengths: Sequence[int], budget: int = PREFILL_SCORES) -> list[slice]:
    """Consecutive groups of prompts whose rows x width^2 stays within ``budget``
    (a prompt wider than that alone is a group of its own)."""
    groups: list[slice] = []
    start, width = 0, 0
    for index, length in enumerate(lengths):
        wider = max(width, length)
        if index > start and (index - start + 1) * wider * wider > budget:
            groups.append(slice(start, index))
            start, wider = index, length
        width = wider
    if lengths:
        groups.append(slice(start, len(lengths)))
    return groups


def _stacked(batches: list[KVBatch]) -> KVBatch:
    """The batches' rows in order, right-aligned to the widest: one copy of each layer."""
    width = max(b.mask.shape[1] for b in batches)
    mask = torch.cat(
        [torch.nn.functional.pad(b.mask, (width - b.mask.shape[1], 0)) for b in batches]
    )
    layers = []
    for parts in zip(*(_layers(b.cache) for b in batches), strict=True):
        _, heads, _, dim = parts[0][0].shape
        keys = parts[0][0].new_zeros((mask.shape[0], heads, width, dim))
        values = parts[0][1].new_zeros((mask.shape[0], heads, width, dim))
        row = 0
        for part_keys, part_values in parts:
            count, columns = part_keys.shape[0], part_keys.shape[-2]
            keys[row : row + count, :, width - columns :] = part_keys
            values[row : row + count, :, width - columns :] = part_values
            row += count
        layers.append((keys, values))
    return KVBatch(_cache(layers), mask, torch.cat([b.lengths for b in batches]))


def _layers(cache: Any) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(layer.keys, layer.values) for layer in cache.layers]


def _cache(layers: list[tuple[torch.Tensor, torch.Tensor]]) -> Any:
    return GrowingCache([GrowingLayer.holding(keys, values) for keys, values in layers])


class GrowingLayer(DynamicLayer):
    """A ``DynamicLayer`` whose keys and values are views of a buffer with spare columns.

    ``update`` writes the new columns in place and reallocates only when the spare
    columns run out (:data:`SPARE_COLUMNS` more each time), so a decode step copies
    nothing.  ``keys`` and ``values`` stay ``(rows, heads, columns, head_dim)`` with the
    last dimension contiguous, which SDPA reads without a copy.
    """

    _key_buffer: torch.Tensor
    _value_buffer: torch.Tensor

    def lazy_initialization(self, key_states: torch.Tensor, value_states: torch.Tensor) -> None:
        super().lazy_initialization(key_states, value_states)
        self._key_buffer, self._value_buffer = self._held()

    @classmethod
    def holding(cls, keys: torch.Tensor, values: torch.Tensor) -> GrowingLayer:
        """A layer that already holds ``keys`` and ``values`` (its buffer, no spare yet)."""
        layer = cls()
        layer.lazy_initialization(keys, values)
        layer._key_buffer, layer._value_buffer = keys, values
        layer.keys, layer.values = keys, values
        return layer

    @classmethod
    def with_room(
        cls, keys: torch.Tensor, values: torch.Tensor, rows: int, columns: int
    ) -> GrowingLayer:
        """A layer of ``rows`` rows, each holding the one row of ``keys`` and ``values``,
        in a buffer of ``columns`` columns (the rest spare)."""
        _, heads, held, dim = keys.shape
        layer = cls()
        buffers = []
        for states in (keys, values):
            buffer = states.new_empty((rows, heads, columns, dim))
            buffer[:, :, :held] = states
            buffers.append(buffer)
        layer.lazy_initialization(buffers[0][:, :, :held], buffers[1][:, :, :held])
        layer._key_buffer, layer._value_buffer = buffers
        layer.keys, layer.values = buffers[0][:, :, :held], buffers[1][:, :, :held]
        return layer

    def update(
        self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any, **kwargs: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        keys, values = self._held()
        used = self.get_seq_length()
        needed = used + key_states.shape[-2]
        if not self._holds(keys) or needed > self._key_buffer.shape[-2]:
            self._key_buffer = _grown(keys, key_states, needed + SPARE_COLUMNS)
            self._value_buffer = _grown(values, value_states, needed + SPARE_COLUMNS)
        self._key_buffer[:, :, used:needed] = key_states
        self._value_buffer[:, :, used:needed] = value_states
        keys, values = self._key_buffer[:, :, :needed], self._value_buffer[:, :, :needed]
        self.keys, self.values = keys, values
        return keys, values

    def drop_leading(self, columns: int) -> None:
        """Forget the first ``columns`` columns without copying: the buffer becomes a
        view that starts later, its spare columns kept."""
        keys, values = self._held()
        if not self._holds(keys):  # replaced by transformers: what it holds is the buffer
            self._key_buffer, self._value_buffer = keys, values
        used = keys.shape[-2] - columns
        self._key_buffer = self._key_buffer[:, :, columns:]
        self._value_buffer = self._value_buffer[:, :, columns:]
        self.keys, self.values = self._key_buffer[:, :, :used], self._value_buffer[:, :, :used]

    def _held(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.keys is None or self.values is None:
            raise RuntimeError("the cache layer was reset; it holds nothing to grow")
        return self.keys, self.values

    def _holds(self, keys: torch.Tensor) -> bool:
        """Whether ``keys`` is still the start of the buffer: transformers' own methods
        (``batch_select_indices``, ``crop``...) replace it, and a new buffer is needed."""
        buffer = self._key_buffer
        return (
            buffer.numel() > 0
            and keys.data_ptr() == buffer.data_ptr()
            and keys.shape[:2] == buffer.shape[:2]
            and keys.stride() == buffer.stride()
        )


def _grown(held: torch.Tensor, new: torch.Tensor, columns: int) -> torch.Tensor:
    """A buffer of ``columns`` columns shaped like ``new``, ``held``'s columns copied in."""
    rows, heads, _, width = new.shape
    buffer = new.new_empty((rows, heads, columns, width))
    if held.numel():
        buffer[:, :, : held.shape[-2]] = held
    return buffer


class GrowingCache(DynamicCache):
    """A ``DynamicCache`` of :class:`GrowingLayer` (lazily created, one per model layer,
    unless ``layers`` are given)."""

    def __init__(self, layers: list[GrowingLayer] | None = None) -> None:
        # DynamicCache's own constructor would create DynamicLayers; Cache's takes ours.
        if layers:
            Cache.__init__(self, layers=list[Any](layers))
        else:
            Cache.__init__(self, layer_class_to_replicate=GrowingLayer)


def _left_pad(batch: KVBatch, width: int) -> KVBatch:
    extra = width - batch.mask.shape[1]
    if extra == 0:
        return batch
    pad = torch.nn.functional.pad
    layers = [(pad(k, (0, 0, extra, 0)), pad(v, (0, 0, extra, 0))) for k, v in _layers(batch.cache)]
    return KVBatch(_cache(layers), pad(batch.mask, (extra, 0)), batch.lengths)
