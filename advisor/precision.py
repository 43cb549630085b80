"""The local model's number format: float32, or bfloat16 where the hardware computes it.

bfloat16 halves what is read per generated token and, on a CPU with bf16 dot-product
instructions (AVX512-BF16, AMX), runs matrix products at about twice float32's rate:
on the reference EPYC (avx512_bf16) a LoRA training step ran 2.9x and 32 answers at
once 2.3x as fast (``benchmarks/bench_precision.py``, docs/performance.md). Without
such instructions torch emulates bf16, slower than float32, so ``auto`` takes bfloat16
only where they are present.

One rule for answering and training: the warm model, the bench's answer cache and the
calibration key on the resolved format, so answers and figures of the two never mix.
A low-layer module, just above :mod:`advisor.embedded`: it reads settings and the CPU's flags,
and imports torch only for a GPU, where the flags say nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from advisor.cpuinfo import CPUINFO, cpu_info

if TYPE_CHECKING:
    from advisor.settings import Settings

Dtype = Literal["float32", "bfloat16"]
FLOAT32: Dtype = "float32"
BFLOAT16: Dtype = "bfloat16"
# Linux's names for the instructions torch's oneDNN kernels use for bf16 products.
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def cpu_has_bf16(cpuinfo: Path = CPUINFO) -> bool:
    """Whether this CPU computes bfloat16 products in hardware (not emulated).

    Read from the kernel's flags, so that a bench plan or a cache lookup need not load
    torch; elsewhere (no ``/proc``) torch's own probes answer.
    """
    info = cpu_info(cpuinfo)
    if info is None:
        return _torch_says_bf16()
    return bool(BF16_FLAGS & info.flags)


def _torch_says_bf16() -> bool:
    import torch

    # Private probes of torch's dispatch: absent in a future torch means "unknown", and
    # unknown must not pick a format that could be emulated.
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)


def model_dtype(settings: Settings, device: str) -> Dtype:
    """The format the local model answers and trains in on ``device`` (``local.dtype``).

    ``device`` is a resolved torch device (``cpu``, ``cuda:1``, ``mps``).
    """
    wanted = settings.local.dtype
    if wanted != "auto":
        return wanted
    if device.startswith("cuda"):
        import torch

        return BFLOAT16 if torch.cuda.is_bf16_supported() else FLOAT32
    if device != "cpu":
        return FLOAT32  # MPS and others: the format every kernel there has
    return BFLOAT16 if cpu_has_bf16() else FLOAT32


def planned_dtype(settings: Settings) -> Dtype | None:
    """:func:`model_dtype` without loading torch, or None where only torch can tell.

    ``local.device = auto`` on a machine with an NVIDIA driver may mean a GPU, whose
    format only torch can tell; everywhere else the device is the CPU.
    """
    device = settings.local.device
    if settings.local.dtype != "auto":
        return settings.local.dtype
    if device == "auto":
        return None if shutil.which("nvidia-smi") else model_dtype(settings, "cpu")
    return None if device.startswith("cuda") else model_dtype(settings, device)


def resolved_dtype(settings: Settings) -> Dtype:
    """The format of the configured device, loading torch only where it must."""
    planned = planned_dtype(settings)
    if planned is not None:
        return planned
    from advisor.embedded import pick_device

    return model_dtype(settings, pick_device(settings.local.device))


def adapter_dtype(settings: Settings, base: Dtype) -> Dtype:
    """The format a served LoRA adapter's weights are kept in on a ``base``-format model.

    PEFT upcasts an adapter to float32 by default, so on a bfloat16 base every LoRA layer
    casts its input up and its output back; ``local.adapter_dtype = auto`` keeps the
    adapter in the base's format instead (docs/performance.md, *Precision*).
    """
    return FLOAT32 if settings.local.adapter_dtype == FLOAT32 else base


def merge_adapter(settings: Settings, base: Dtype) -> bool:
    """Whether a served LoRA adapter is merged into the weights (``local.adapter_serving``).

    Merged, the adapter costs nothing per token; it is folded into the float32 weights
    first, so on a bfloat16 base it is rounded with them, once, instead of being rounded
    away against weights already on bfloat16's grid.
    """
    serving = settings.local.adapter_serving
    if serving == "auto":
        return base == BFLOAT16
    return serving == "merged"


MERGED_SUFFIX = "-lora-merged"  # the answers' engine id of a merged adapter (answer cache)


def merged_engine(engine: str) -> str:
    """The engine id of answers from a merged adapter on ``engine`` ('' is float32 torch)."""
    return f"{engine or 'torch'}{MERGED_SUFFIX}"


def is_merged_engine(engine: str | None) -> bool:
    return (engine or "").endswith(MERGED_SUFFIX)


def torch_dtype(name: Dtype) -> Any:
    """The torch dtype of ``name``."""
    import torch

    return torch.bfloat16 if name == BFLOAT16 else torch.float32
