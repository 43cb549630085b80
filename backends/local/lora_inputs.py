"""Let LoRA layers take their input in autocast's format when training in bf16.

PEFT casts each LoRA layer's input to the adapter weights' dtype before the
adapter's two products (``BaseTunerLayer._cast_input_dtype``).  With a bfloat16
frozen base and float32 adapter weights under bf16 autocast
(:mod:`backends.local.trainer`), that turns a bfloat16 activation into float32,
and autocast at once turns it back into bfloat16 for the product: two copies of
the activation per LoRA layer (seven per decoder layer) and their gradients, for
a value that comes back unchanged, since bfloat16 -> float32 -> bfloat16 is exact.

:func:`keep_lora_inputs` switches that cast off through PEFT's own attribute
(the one ``peft.helpers.disable_input_dtype_casting`` sets).  Only under
autocast: without it the products would see mixed dtypes.  The loss and the
gradients are bit for bit the same (``tests/integration/test_packed_training.py``).
"""

from __future__ import annotations

from typing import Any


def keep_lora_inputs(model: Any) -> int:
    """Switch PEFT's input cast off in every LoRA layer of ``model``; how many layers.

    Call only when the model trains under bf16 autocast.
    """
    from peft.tuners.tuners_utils import BaseTunerLayer

    layers = [module for module in model.modules() if isinstance(module, BaseTunerLayer)]
    for layer in layers:
        # PEFT reads it with getattr (default True); BaseTunerLayer does not declare it.
        setattr(layer, "cast_input_dtype_enabled", False)  # noqa: B010
    return len(layers)
