"""Merge a LoRA adapter into its base model and save the result as a plain HF folder.

Imports torch, transformers and PEFT inside the function, so importing this
module stays cheap.  Everything is float32: the embedded presets are
de-quantized to float32 already, and merging in a lower precision would make
the exported model answer differently from the tuned one.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from advisor.errors import ModelNotFoundError

MERGED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


def merge_to_folder(base_path: str, adapter_dir: Path | None, out: Path) -> Path:
    """Write ``base`` (+ ``adapter`` merged in) to ``out`` as safetensors with its tokenizer.

    The folder gets the weights (``model.safetensors``), ``config.json``, the
    tokenizer with its chat template and ``generation_config.json`` (stop tokens).

    Raises:
        ModelNotFoundError: the base model or the adapter cannot be loaded.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(base_path)
        model = AutoModelForCausalLM.from_pretrained(base_path, dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise ModelNotFoundError.from_catalog(
            "core.export.cannot_load_base",
            hint_key="core.export.cannot_load_base_hint",
            path=repr(base_path),
        ) from exc
    if adapter_dir is not None:
        from peft import PeftModel

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            try:
                tuned = PeftModel.from_pretrained(model, str(adapter_dir))
            except (OSError, ValueError) as exc:
                raise ModelNotFoundError.from_catalog(
                    "core.export.cannot_load_adapter",
                    hint_key="core.export.cannot_load_adapter_hint",
                    path=str(adapter_dir),
                ) from exc
        model = tuned.merge_and_unload()
    model.float()  # a no-op for the float32 presets; a half-precision folder is widened
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out), safe_serialization=True)
    model.generation_config.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    return out
