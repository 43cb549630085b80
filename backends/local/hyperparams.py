"""``auto`` hyperparameters, derived from the dataset size the way OpenAI documents them.

* ``n_epochs``: 3, raised so that small sets see at least 100 examples in all
  (at most 25 epochs) and lowered so that big sets see at most 25,000 (at least
  1): the rule of OpenAI's data-preparation cookbook.
* ``batch_size``: about 0.2 % of the examples, at least 1, at most 256.
* ``learning_rate_multiplier``: 0.05, 0.1 or 0.2 depending on the final batch
  size (larger batches take larger rates).  Locally it multiplies
  :data:`LORA_BASE_LR`, a LoRA learning rate (OpenAI's base rate is not public).
* ``beta`` (DPO): 0.1, OpenAI's and TRL's default.

Local-only knobs travel as extra hyperparameters (the model allows extras):
``max_steps``, ``save_steps``, ``logging_steps``, ``max_length``, ``lora_r``,
``lora_alpha``, ``num_generations`` and ``max_completion_length`` (RFT).
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel

from advisor.ids import LOCAL_MAX_LENGTH, auto_epochs
from backends.jobs import Hyperparameters

LORA_BASE_LR = 2e-2
DEFAULT_BETA = 0.1


class Resolved(BaseModel):
    """Concrete values for one run; ``extras`` are the local-only knobs."""

    n_epochs: int
    batch_size: int
    learning_rate_multiplier: float
    learning_rate: float
    beta: float | None
    max_steps: int | None = None
    save_steps: int | None = None
    logging_steps: int = 1
    max_length: int = LOCAL_MAX_LENGTH
    lora_r: int = 16
    lora_alpha: int = 32
    num_generations: int = 4
    max_completion_length: int = 64


def auto_batch_size(n_examples: int) -> int:
    return max(1, min(256, math.ceil(n_examples * 0.002)))


def auto_lr_multiplier(batch_size: int) -> float:
    if batch_size < 8:
        return 0.05
    if batch_size < 64:
        return 0.1
    return 0.2


def resolve(method: str, n_examples: int, hp: Hyperparameters) -> Resolved:
    """Concrete hyperparameters for ``n_examples`` training examples."""
    epochs = auto_epochs(n_examples) if hp.n_epochs == "auto" else int(hp.n_epochs)
    batch = auto_batch_size(n_examples) if hp.batch_size == "auto" else int(hp.batch_size)
    batch = min(batch, max(n_examples, 1))
    multiplier = (
        auto_lr_multiplier(batch)
        if hp.learning_rate_multiplier == "auto"
        else float(hp.learning_rate_multiplier)
    )
    beta: float | None = None
    if method == "dpo":
        beta = DEFAULT_BETA if hp.beta in (None, "auto") else float(hp.beta)
    extras: dict[str, Any] = {k: v for k, v in (hp.model_extra or {}).items() if v is not None}
    return Resolved(
        n_epochs=epochs,
        batch_size=batch,
        learning_rate_multiplier=multiplier,
        learning_rate=LORA_BASE_LR * multiplier,
        beta=beta,
        **{k: v for k, v in extras.items() if k in Resolved.model_fields},
    )
