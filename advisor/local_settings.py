"""The ``[local]`` settings: the local backend's model, threads, engine and warm process.

They live apart from :mod:`advisor.settings` only to keep that module short (as
:mod:`advisor.azure_settings` does); :class:`~advisor.settings.Settings` holds
them as ``local``, so they read as ``[local] engine = "onnx"`` or
``ADVISOR_LOCAL__ENGINE=onnx``.  The embedded defaults are named here because
the ``local`` section is where they are chosen.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

EMBEDDED_CHAT_MODEL = "smollm2-135m-instruct"
EMBEDDED_EMBEDDING_MODEL = "all-MiniLM-L6-v2"


class LocalSettings(BaseModel):
    """The ``local`` backend: transformers and sentence-transformers on this machine."""

    model: str = Field(
        default=EMBEDDED_CHAT_MODEL,
        description="Chat model: a preset id (`advisor backends list`), hub id or local folder.",
    )
    embedding_model: str = Field(
        default=EMBEDDED_EMBEDDING_MODEL,
        description="Embedding model: the embedded default, a model id or a local folder.",
    )
    accept_model_terms: bool = Field(
        default=False,
        description=(
            "Accept the licence terms of the model presets that have them (Gemma Terms "
            "of Use) without the one-time notice; for CI and servers."
        ),
    )
    device: str = Field(
        default="auto",
        description="Torch device: auto (CUDA, then MPS, then CPU), cpu, cuda, cuda:1, mps.",
    )
    max_new_tokens: int = Field(
        default=256, ge=1, description="Default cap on generated tokens per answer."
    )
    # 32: on the reference 2-core CPU, 32 slots answered 1.6-1.7x the tokens/s of 8 (per-step
    # work in Python is shared by more answers); the KV cache of 32 answers of 400 tokens is
    # about 0.6 GB on the embedded model (docs/performance.md, "How many answers at once").
    batch_size: int = Field(
        default=32, ge=1, description="Conversations generated together by chat_batch."
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description="CPU threads (torch, onnx); unset: the cores free now, docs/backends.md.",
    )
    # One local model process shared between commands (docs/backends.md, "warm").
    warm: bool = Field(default=True, description="Share one warm local model between commands.")
    warm_idle_s: float = Field(default=600.0, gt=0, description="Idle seconds before it exits.")
    warm_wait_s: float = Field(default=300.0, gt=0, description="Longest wait while it is busy.")
    auto_calibrate: bool = Field(default=True, description="Measure before a first estimate.")
    # auto: bfloat16 where the CPU has bf16 instructions (AVX512-BF16, AMX) or the GPU
    # computes it; there it trained 2.9x and answered 32 at once 2.3x as fast as float32
    # (docs/performance.md, "Precision"). Answers change slightly: the pass rates measured
    # side by side are in docs/benchmarks.md.
    dtype: Literal["auto", "float32", "bfloat16"] = Field(
        default="auto",
        description="Torch model format for answering and training: auto (bfloat16 where "
        "the hardware computes it, else float32), float32 or bfloat16.",
    )
    # auto: a served LoRA adapter's weights in the base's format, so a bfloat16 base
    # multiplies bfloat16 by bfloat16 instead of casting every layer's activations to float32
    # and back (PEFT's default); float32 keeps PEFT's default (docs/performance.md,
    # "Precision"). A float32 base keeps a float32 adapter either way.
    adapter_dtype: Literal["auto", "float32"] = Field(
        default="auto",
        description="Format of a fine-tuned model's LoRA adapter when answering: auto (the "
        "base's format, bfloat16 on a bfloat16 base) or float32.",
    )
    # auto: merged on a bfloat16 base. Unmerged, PEFT adds two small products to every
    # adapted layer; merged, the adapter is folded into a float32 copy of the base, then
    # takes the base's format: 1.56x the unmerged tokens/s 32 at once, a held-out loss as close
    # to all-float32's as the unmerged adapter's (docs/performance.md, "Precision").
    adapter_serving: Literal["auto", "merged", "unmerged"] = Field(
        default="auto",
        description="How a fine-tuned model's LoRA adapter answers: merged into the weights "
        "(from the float32 base, then in the base's format), unmerged (PEFT's layers), or "
        "auto (merged on a bfloat16 base, unmerged on a float32 one).",
    )
    engine: Literal["torch", "onnx"] = Field(
        default="torch", description="Generation engine: torch, or onnx (ONNX Runtime GenAI)."
    )
    onnx_precision: Literal["fp32", "int8", "int4"] = Field(
        default="fp32",
        description="Weights of the onnx engine's model: fp32 (torch's answers), "
        "int8 or int4 (faster, change answers; int4 serves no adapters).",
    )
