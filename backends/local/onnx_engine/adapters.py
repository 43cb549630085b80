"""Export a PEFT LoRA adapter to ONNX Runtime's adapter format, laid out as the builder does.

The builder (``make_matmul_lora`` in onnxruntime-genai) turns a LoRA layer into
two MatMuls whose weights are ``lora_A.weight.T`` and ``(lora_B.weight *
scaling).T``, named ``model.layers.<i>.<attn|mlp>.<proj>.lora_<A|B>.MatMul.weight``
(``scaling`` is PEFT's ``lora_alpha / r``, or ``lora_alpha / sqrt(r)`` with
rsLoRA).  An exported adapter holds exactly those arrays, zero-padded to the
built model's slot rank (extra rank columns of A and rows of B are zero, so
the product is unchanged); slots the adapter does not train stay zero.

The file is cached beside the built model, keyed by the adapter's files, so a
retrained adapter in the same folder is exported again.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

from advisor.errors import BackendUnavailableError, ModelNotFoundError
from advisor.messages import Localized
from backends.local.onnx_engine.build import BuiltModel

_PEFT_KEY = re.compile(r"layers\.(\d+)\.(self_attn|mlp)\.(\w+)\.lora_([AB])\.weight$")
_BLOCKS = {"self_attn": "attn", "mlp": "mlp"}
_ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")


def onnx_name(peft_key: str) -> str | None:
    """The builder's initializer name for a PEFT LoRA weight key (None: not a LoRA weight)."""
    match = _PEFT_KEY.search(peft_key)
    if match is None:
        return None
    layer, block, proj, which = match.groups()
    return f"model.layers.{layer}.{_BLOCKS[block]}.{proj}.lora_{which}.MatMul.weight"


def scaling(config: dict[str, Any]) -> float:
    """PEFT's LoRA scaling, which the builder folds into lora_B."""
    rank = int(config["r"])
    alpha = float(config.get("lora_alpha", rank))
    return alpha / math.sqrt(rank) if config.get("use_rslora") else alpha / rank


def adapter_key(adapter_dir: Path) -> str:
    """A key for an adapter folder's content (its config and weights)."""
    digest = hashlib.sha256()
    for name in _ADAPTER_FILES:
        path = adapter_dir / name
        if path.is_file():
            stat = path.stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
            if name.endswith(".json"):
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def adapter_arrays(adapter_dir: Path, info: BuiltModel) -> dict[str, Any]:
    """The adapter's weights as the built model's LoRA slot inputs (numpy float32).

    Raises:
        ModelNotFoundError: the folder holds no PEFT LoRA adapter.
        BackendUnavailableError: the adapter cannot be served by this built model
            (no slots, rank above the slot rank, DoRA, per-module ranks, other modules).
    """
    import numpy as np
    from safetensors.numpy import load_file

    config_file = adapter_dir / "adapter_config.json"
    weights_file = adapter_dir / "adapter_model.safetensors"
    if not (config_file.is_file() and weights_file.is_file()):
        raise ModelNotFoundError.from_catalog(
            "core.onnx.no_adapter", hint_key="core.onnx.no_adapter_hint", folder=str(adapter_dir)
        )
    config = json.loads(config_file.read_text())
    unsupported = _unsupported(config, info)
    if unsupported:
        raise BackendUnavailableError.from_catalog(
            "core.onnx.adapter_unsupported",
            hint_key="core.onnx.use_torch_for_model_hint",
            adapter=adapter_dir.name,
            reason=unsupported,
        )
    rank, scale = int(config["r"]), scaling(config)
    arrays = {name: np.zeros(shape, dtype=np.float32) for name, shape in info.slots.items()}
    for key, value in load_file(str(weights_file)).items():
        name = onnx_name(key)
        if name is None or name not in arrays:
            raise BackendUnavailableError.from_catalog(
                "core.onnx.no_slot_for",
                hint_key="core.onnx.use_torch_for_model_hint",
                weight=key,
                adapter=adapter_dir.name,
            )
        weight = value.astype(np.float32)
        if ".lora_A." in name:  # (r, in) -> (in, slot): rank columns beyond r stay zero
            arrays[name][:, :rank] = weight.T
        else:  # (out, r) -> (slot, out), scaled as the builder scales it
            arrays[name][:rank, :] = (weight * np.float32(scale)).T
    return arrays


def _unsupported(config: dict[str, Any], info: BuiltModel) -> Localized | None:
    """Why the built model cannot serve this adapter (in the error's language), or None."""
    if config.get("peft_type", "LORA") != "LORA":
        return Localized("core.onnx.reason.not_lora", {"peft_type": config.get("peft_type")})
    if info.slot_rank is None:
        return Localized("core.onnx.reason.no_slots", {"precision": info.precision})
    if int(config["r"]) > info.slot_rank:
        return Localized(
            "core.onnx.reason.rank_above_slot", {"rank": config["r"], "slot_rank": info.slot_rank}
        )
    if config.get("use_dora"):
        return Localized("core.onnx.reason.dora")
    if config.get("rank_pattern") or config.get("alpha_pattern"):
        return Localized("core.onnx.reason.per_module")
    if config.get("modules_to_save"):
        return Localized("core.onnx.reason.modules_to_save")
    return None


def export_adapter(adapter_dir: Path, model_dir: Path, info: BuiltModel) -> Path:
    """The ``.onnx_adapter`` file for ``adapter_dir`` beside the built model (made once)."""
    out = model_dir / "adapters" / f"{adapter_dir.name}-{adapter_key(adapter_dir)}.onnx_adapter"
    if out.is_file():
        return out
    import onnxruntime as ort

    arrays = adapter_arrays(adapter_dir, info)
    out.parent.mkdir(parents=True, exist_ok=True)
    adapter = ort.AdapterFormat()
    adapter.set_adapter_version(1)
    adapter.set_model_version(1)
    adapter.set_parameters({k: ort.OrtValue.ortvalue_from_numpy(v) for k, v in arrays.items()})
    tmp = out.with_suffix(".tmp")
    adapter.export_adapter(str(tmp))
    tmp.replace(out)  # readers never see half a file
    return out
