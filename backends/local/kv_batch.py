"""The transformers side of continuous batching: one KV cache whose rows come and go.

Rows are left-padded to a common length exactly as ``generate`` pads a batch
(attention mask 0 on the padding, positions counted from each row's first real
token), so every row computes what it would compute alone.  Joining a freshly
prefilled group left-pads the shorter cache with masked zeros; dropping rows
also drops the leading columns no remaining row attends to.

Only models whose cache is a plain full-attention cache qualify
(:func:`supports_continuous`); sliding-window layers (Gemma 3) keep a window
that this re-padding would break, so those models use fixed batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch


@dataclass
class KVBatch:
    cache: Any  # transformers DynamicCache with one DynamicLayer per layer
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

    def __init__(self, model: Any, pad_token_id: int, device: str) -> None:
        self.model = model
        self.pad = pad_token_id
        self.device = device

    def _forward(self, ids: torch.Tensor, batch: KVBatch, positions: torch.Tensor) -> list[int]:
        output = self.model(
            input_ids=ids,
            attention_mask=batch.mask,
            position_ids=positions,
            cache=batch.cache,  # a DynamicCache, updated in place
            use_cache=True,
            logits_to_keep=1,  # as generate does: the same lm_head shapes, the same sums
        )
        return [int(t) for t in output.logits[:, -1, :].argmax(dim=-1)]

    def prefill(self, prompts: Sequence[Sequence[int]]) -> tuple[KVBatch, list[int]]:
        from transformers import DynamicCache

        width = max(len(p) for p in prompts)
        ids = torch.full((len(prompts), width), self.pad, dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for row, prompt in enumerate(prompts):
            ids[row, width - len(prompt) :] = torch.tensor(list(prompt), dtype=torch.long)
            mask[row, width - len(prompt) :] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 0)
        batch = KVBatch(DynamicCache(), mask, mask.sum(-1))
        return batch, self._forward(ids, batch, positions)

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


def _layers(cache: Any) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(layer.keys, layer.values) for layer in cache.layers]


def _cache(layers: list[tuple[torch.Tensor, torch.Tensor]]) -> Any:
    from transformers import DynamicCache

    return DynamicCache(ddp_cache_data=layers)


def _left_pad(batch: KVBatch, width: int) -> KVBatch:
    extra = width - batch.mask.shape[1]
    if extra == 0:
        return batch
    pad = torch.nn.functional.pad
    layers = [(pad(k, (0, 0, extra, 0)), pad(v, (0, 0, extra, 0))) for k, v in _layers(batch.cache)]
    return KVBatch(_cache(layers), pad(batch.mask, (extra, 0)), batch.lengths)
