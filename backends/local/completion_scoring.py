"""Score only the completion tokens through the LM head when training DPO on a CPU.

TRL's fused LM head projects hidden states onto the vocabulary (49,152 tokens for
SmolLM2) only at positions that carry a label, but it does so on Triton devices
only: elsewhere it projects every position so that compiled backends such as
Neuron see fixed tile shapes.  Eager CPU training recompiles nothing, and in a DPO
batch the prompt and the padding are most of every sequence, so projecting all
positions spends most of the head's work (about a fifth of a 135M model's FLOPs
per token) on log-probabilities that are masked out right after.  The result is
the same either way; a test checks it.

This module imports TRL, so only the training worker imports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import trl.trainer.utils as trl_utils
from trl import DPOTrainer

# The switch TRL's fused head consults; tests fail loudly if a TRL upgrade renames it.
SWITCH = "_use_triton"


@contextmanager
def completion_positions_only() -> Iterator[None]:
    """Within the block, TRL's fused LM head scores only labelled positions on CPU too.

    Other devices keep TRL's own choice.  Without the switch (a TRL that no longer
    has it) the block changes nothing, so training stays correct, only slower.
    """
    original = getattr(trl_utils, SWITCH, None)
    if original is None:
        yield
        return

    def compact(device: Any) -> bool:
        return bool(device.type == "cpu" or original(device))

    setattr(trl_utils, SWITCH, compact)
    try:
        yield
    finally:
        setattr(trl_utils, SWITCH, original)


class CompletionScoringDPOTrainer(DPOTrainer):
    """TRL's DPOTrainer, with the LM head applied to completion tokens only.

    Both the policy forward of every step and the one-off reference pass
    (``precompute_ref_log_probs``) go through the switch; nothing else changes.
    """

    def compute_loss(self, *args: Any, **kwargs: Any) -> Any:
        with completion_positions_only():
            return super().compute_loss(*args, **kwargs)

    def compute_ref_log_probs(self, *args: Any, **kwargs: Any) -> Any:
        with completion_positions_only():
            return super().compute_ref_log_probs(*args, **kwargs)
