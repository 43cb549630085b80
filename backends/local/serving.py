"""How a loaded chat model answers: its format, its LoRA adapter, and its LM head's input.

* **The adapter, unmerged or merged** (``local.adapter_serving``, :func:`advisor.precision.
  merge_adapter`).  Unmerged, PEFT wraps every adapted layer and adds two small matrix
  products and a scaled sum per token, which at the bench's 32 answers at once cost more
  than the layer's own product: the adapter answered at 0.30x-0.41x the base model's
  tokens/s in run I (docs/benchmarks.md).  Merged, the adapter is folded into the weights
  and costs nothing per token.  The merge is done on a float32 copy of the base, then the
  model takes its format: on a bfloat16 base the merged weights are rounded once, as the
  base's own weights are, whereas adding the adapter to weights already on bfloat16's grid
  would round its small delta away.
* **The LM head's input is made contiguous.**  At a prefill, transformers keeps the last
  position of every row (``logits_to_keep=1``), a strided view.  torch's ``matmul`` folds
  a 3-D input into one matrix product only when that needs no copy of a weight that takes
  no gradient; otherwise it broadcasts the weight to every row and copies it: 32 rows x
  the 49,152 x 576 head of SmolLM2, 1.8 GB, about 5 s per prefill of 32.  A model loaded
  by ``from_pretrained`` has weights that ask for gradients, so the base model never paid
  it; PEFT freezes them, so every fine-tuned model did.  Copying the small hidden state
  instead gives the same products (greedy answers token for token,
  ``tests/integration/test_serving_local.py``).
"""

from __future__ import annotations

import warnings
from typing import Any

from advisor.precision import FLOAT32, Dtype, torch_dtype


def load_network(path: str, dtype: Dtype, adapter: str | None, lora: Dtype, merged: bool) -> Any:
    """The model at ``path`` in ``dtype``, with ``adapter`` (a PEFT folder) served as asked.

    ``lora``: the unmerged adapter's format (``local.adapter_dtype``); ``merged``: fold it
    into the weights instead.  Raises what ``from_pretrained`` raises (OSError, ValueError).
    """
    from transformers import AutoModelForCausalLM

    load_as = FLOAT32 if adapter is not None and merged else dtype
    network: Any = AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype(load_as))
    if adapter is not None:
        from peft import PeftModel

        with warnings.catch_warnings():
            # PEFT's deprecation notices are for library authors, not for chat users.
            warnings.simplefilter("ignore", FutureWarning)
            # lora = dtype keeps it in the base's format: no casts in every LoRA layer
            network = PeftModel.from_pretrained(
                network, adapter, autocast_adapter_dtype=merged or lora == FLOAT32
            )
        if merged:
            network = network.merge_and_unload().to(torch_dtype(dtype))
    fold_lm_head_input(network)
    return network


def fold_lm_head_input(network: Any) -> None:
    """Hand the LM head a contiguous input, so that torch never copies its weight per row."""
    head = network.get_output_embeddings()
    if head is not None:
        head.register_forward_pre_hook(_contiguous)


def _contiguous(_module: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    return (args[0].contiguous(), *args[1:])
