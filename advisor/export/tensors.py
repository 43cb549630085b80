"""Hugging Face -> GGUF tensors: names, the llama Q/K permutation and the stored type.

Names come from the ``gguf`` package's own table (``gguf.get_tensor_name_map``),
the one llama.cpp's converter uses, so they stay right as that table grows.
Only numpy and ``gguf`` are imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from advisor.errors import UserInputError

if TYPE_CHECKING:
    import numpy as np

#: What the GGUF stores for the big matrices; norms and other 1-D tensors stay F32.
Precision = Literal["f32", "f16", "q8_0"]
PRECISIONS: tuple[Precision, ...] = get_args(Precision)

#: HF ``model_type`` -> GGUF architecture, for the architectures this writer supports.
GGUF_ARCHITECTURES = {"llama": "llama", "gemma3_text": "gemma3"}
Q8_BLOCK = 32  # Q8_0 quantizes rows in blocks of 32 values


def gguf_arch(model_type: str) -> str:
    """The GGUF architecture for an HF ``model_type``.

    Raises:
        UserInputError: the writer has no mapping for it (Gemma 3, for one).
    """
    arch = GGUF_ARCHITECTURES.get(model_type)
    if arch is None:
        supported = ", ".join(sorted(GGUF_ARCHITECTURES))
        raise UserInputError.from_catalog(
            "core.gguf.architecture",
            hint_key="core.gguf.architecture_hint",
            supported=supported,
            model_type=repr(model_type),
        )
    return arch


def tensor_name(hf_name: str, arch: str, n_blocks: int) -> str:
    """The GGUF name of an HF tensor (``model.layers.0.self_attn.q_proj.weight`` ->
    ``blk.0.attn_q.weight``).

    Raises:
        UserInputError: the tensor has no GGUF name (an unsupported layer).
    """
    import gguf

    arch_id = next(k for k, v in gguf.MODEL_ARCH_NAMES.items() if v == arch)
    name = gguf.get_tensor_name_map(arch_id, n_blocks).get_name(
        hf_name, try_suffixes=(".weight", ".bias")
    )
    if name is None:
        raise UserInputError.from_catalog(
            "core.gguf.tensor_name",
            hint_key="core.gguf.use_safetensors_hint",
            name=repr(hf_name),
            arch=arch,
        )
    return name


def prepare(hf_name: str, data: np.ndarray, arch: str, heads: int, kv_heads: int) -> np.ndarray:
    """An HF tensor as llama.cpp's converter stores it for ``arch``.

    llama: q_proj/k_proj rows in interleaved rotary order.  gemma3: norm weights
    plus one (Gemma's RMSNorm scales by ``1 + w``; llama.cpp stores ``1 + w``).
    transformers' GGUF loader undoes both.
    """
    if arch == "llama" and hf_name.endswith("q_proj.weight"):
        return permute_qk(data, heads)
    if arch == "llama" and hf_name.endswith("k_proj.weight"):
        return permute_qk(data, kv_heads)
    if arch == "gemma3" and hf_name.endswith("norm.weight"):
        return data + 1
    return data


def permute_qk(weights: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp's row order for a q_proj/k_proj matrix (``n_head``: its heads).

    HF stores the two rotary halves of each head one after the other; llama.cpp
    interleaves them.  transformers' GGUF loader applies the inverse.
    """
    rows = weights.shape[0]
    return (
        weights.reshape(n_head, 2, rows // n_head // 2, *weights.shape[1:])
        .swapaxes(1, 2)
        .reshape(weights.shape)
    )


@dataclass(frozen=True)
class Stored:
    """One tensor as the writer takes it: data and, for quantized data, its type."""

    data: Any
    raw_dtype: Any = None


def stored_tensor(data: np.ndarray, precision: Precision) -> Stored:
    """``data`` (float32) in the requested precision; 1-D tensors stay float32.

    Q8_0 needs rows that are a multiple of 32 values; a matrix that is not stays F16.
    """
    import gguf
    import numpy as np

    if data.ndim <= 1 or precision == "f32":
        return Stored(data.astype(np.float32))
    if precision == "q8_0" and data.shape[-1] % Q8_BLOCK == 0:
        qtype = gguf.GGMLQuantizationType.Q8_0
        return Stored(gguf.quants.quantize(data.astype(np.float32), qtype), qtype)
    return Stored(data.astype(np.float16))


def file_type(precision: Precision) -> int:
    """The ``general.file_type`` value llama.cpp records for a precision."""
    import gguf

    types = {
        "f32": gguf.LlamaFileType.ALL_F32,
        "f16": gguf.LlamaFileType.MOSTLY_F16,
        "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0,
    }
    return int(types[precision])
