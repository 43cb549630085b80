"""Attention for padding-free training: each packed example attends within itself.

TRL's ``padding_free`` collator (the SFT trainer's, :func:`backends.local.trainer.
_sft_trainer`) packs a batch into one row and marks where each example starts by
restarting ``position_ids``.  transformers reads the restarts
(``masking_utils.find_packed_sequence_indices``) and hands SDPA a block-diagonal
causal mask over the whole row.  torch's CPU flash kernel computes every block of
that mask, the ones it throws away included, and an explicit mask keeps it from
skipping the causal upper half: for a batch of four equal examples the row costs
about eight times the attention the examples need, and its backward was the
largest single item of a training step (docs/performance.md, *Attention over
packed examples*).

:func:`packed_sdpa_forward` instead splits the row where transformers' own rule
splits it (a position that does not follow its neighbour by one), pads the examples
at their ends into a batch, and runs SDPA once over it with ``is_causal=True``.  The
values are the same: a masked score contributes nothing either way, and causal
attention never lets a real position see the padding after it.  Anything that is
not a packed row of two or more examples (batched rows, decoding with a cache, a
position bias) goes to transformers' SDPA unchanged.
"""

from __future__ import annotations

from typing import Any

NAME = "advisor_packed_sdpa"


def example_bounds(position_ids: Any, length: int) -> list[tuple[int, int]] | None:
    """``[(start, end), ...]`` of the examples packed in a one-row ``position_ids``.

    None unless the row holds two or more examples: a new example starts wherever a
    position is not its predecessor plus one, as in transformers'
    ``find_packed_sequence_indices``.
    """
    if position_ids is None or position_ids.dim() != 2:
        return None
    if position_ids.shape[0] != 1 or position_ids.shape[1] != length:
        return None
    row = position_ids[0]
    starts = [0, *((row[1:] - row[:-1]) != 1).nonzero().flatten().add(1).tolist()]
    if len(starts) < 2:
        return None
    return list(zip(starts, [*starts[1:], length], strict=True))


def packed_sdpa_forward(
    module: Any,
    query: Any,
    key: Any,
    value: Any,
    attention_mask: Any,
    dropout: float = 0.0,
    scaling: float | None = None,
    is_causal: bool | None = None,
    **kwargs: Any,
) -> tuple[Any, None]:
    """transformers' attention-function signature; returns ``(output, None)`` with the
    output laid out ``(batch, sequence, heads, head_dim)`` as its SDPA returns it."""
    import torch
    from torch.nn.functional import scaled_dot_product_attention
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    causal = is_causal if is_causal is not None else getattr(module, "is_causal", True)
    bounds = None
    # transformers builds a mask for packed examples only when it detects them; without
    # one, it has read the row as a single sequence, and so does this function.
    plain = attention_mask is not None and kwargs.get("position_bias") is None
    if causal and plain and query.shape[2] == key.shape[2]:
        bounds = example_bounds(kwargs.get("position_ids"), query.shape[2])
    if bounds is None:
        return sdpa_attention_forward(
            module,
            query,
            key,
            value,
            attention_mask,
            dropout=dropout,
            scaling=scaling,
            is_causal=is_causal,
            **kwargs,
        )
    grouped = getattr(module, "num_key_value_groups", 1) > 1
    output = scaled_dot_product_attention(
        _pad_examples(query, bounds),
        _pad_examples(key, bounds),
        _pad_examples(value, bounds),
        dropout_p=dropout,
        scale=scaling,
        is_causal=True,
        enable_gqa=grouped,
    )
    rows = [output[index, :, : end - start] for index, (start, end) in enumerate(bounds)]
    return torch.cat(rows, dim=1).unsqueeze(0).transpose(1, 2).contiguous(), None


def _pad_examples(states: Any, bounds: list[tuple[int, int]]) -> Any:
    """``(1, heads, row, dim)`` -> ``(examples, heads, longest, dim)``, each example
    padded at its end.  Causal attention never lets a real position see the padding
    after it, so the examples' outputs are exact; the padding's own are dropped."""
    from torch.nn.utils.rnn import pad_sequence

    pieces = [states[0, :, start:end].transpose(0, 1) for start, end in bounds]
    return pad_sequence(pieces, batch_first=True).transpose(1, 2)


def use_packed_attention(model: Any) -> None:
    """Register :func:`packed_sdpa_forward` under :data:`NAME` (with SDPA's mask) and
    switch ``model`` to it.  Idempotent."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    AttentionInterface.register(NAME, packed_sdpa_forward)
    AttentionMaskInterface.register(NAME, sdpa_mask)
    model.set_attn_implementation(NAME)
