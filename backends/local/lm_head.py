"""Score only the labelled positions in TRL's fused LM head, on the CPU too.

TRL's trainers (SFT, DPO, GRPO) project the model's hidden states through the LM
head in tiles, without building the full logits (``trl.trainer.utils.
add_fused_lm_head``), and take the loss from the positions that have a label.
On CUDA and XPU the head scores only those positions; everywhere else it scores
every position and masks the rest afterwards, so that accelerators which compile
one program per shape (Neuron) see the same tile shapes on every batch.

Eager CPU compiles nothing, and most positions of a chat example are prompt,
which has no label: invoice-total's examples are about 209 prompt tokens and 6
answer tokens.  Scoring them all costs a vocabulary-sized projection (49,152 rows
for SmolLM2) per prompt token, forward and backward: 1.42x per SFT step for
such examples, 1.06x for all-assistant ones (``benchmarks/bench_lm_head.py``;
docs/performance.md, "The LM head").  The
loss and the gradients are the same: the masked rows contribute zero either way.

TRL decides per call through its module-level ``_use_triton(device)``; within
:func:`labelled_positions_only` it answers yes for the CPU as well.  Where a TRL
release no longer has that name, training runs as TRL ships it (slower, never
wrong), and ``tests/integration/test_lm_head.py`` fails to say so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def labelled_positions_only() -> Iterator[bool]:
    """Within the block, TRL's fused LM head scores labelled positions only (also on CPU).

    Yields whether it could (False: this TRL has no such switch; it trains as shipped).
    """
    try:
        from trl.trainer import utils as trl_utils
    except ImportError:  # no TRL, no fused head
        yield False
        return
    shipped: Any = getattr(trl_utils, "_use_triton", None)
    if shipped is None:
        yield False
        return

    def compact(device: Any) -> bool:
        return bool(device.type == "cpu" or shipped(device))

    trl_utils._use_triton = compact
    try:
        yield True
    finally:
        trl_utils._use_triton = shipped
