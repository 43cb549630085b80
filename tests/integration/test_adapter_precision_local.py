"""A fine-tuned model's LoRA adapter on a bfloat16 base (``local.adapter_dtype``).

The adapter here is random, not trained (an untrained LoRA's B is zero: no delta to
carry), and small; bfloat16 is chosen explicitly, so the path runs on every CPU
(emulated where the CPU lacks bf16 instructions, as in test_precision_local.py).
"""

from __future__ import annotations

import json

import pytest

from advisor.settings import Settings, load_settings
from backends.local.backend import ADAPTER_INFO, LocalBackend
from backends.types import ChatMessage, GenerationParams

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]
JOB = "ftjob-random"


def random_adapter(settings: Settings) -> str:
    """A LoRA adapter with random A and B, saved as a job's; its fine-tuned model id."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from advisor.embedded import resolve_chat_model

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(resolve_chat_model(settings.local.model, settings))
    # alpha/r = 1/4: a delta large enough to count, small enough to leave words
    config = LoraConfig(
        r=4,
        lora_alpha=1,
        target_modules="all-linear",
        task_type="CAUSAL_LM",
        init_lora_weights=False,
    )
    folder = settings.adapters_dir / JOB
    get_peft_model(base, config).save_pretrained(str(folder))
    (folder / ADAPTER_INFO).write_text(json.dumps({"base_model": settings.local.model}))
    return f"local:ft:{settings.local.model}:sft:{JOB}"


def lora_dtypes(backend: LocalBackend, model: str) -> set[object]:
    network = backend.load(model).model
    return {p.dtype for name, p in network.named_parameters() if "lora_" in name}


def test_the_adapter_keeps_the_bf16_base_format_and_answers(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    tuned = random_adapter(settings)
    monkeypatch.setenv("ADVISOR_LOCAL__DTYPE", "bfloat16")
    # the unmerged adapter's format (auto merges it on bfloat16: test_serving_local.py)
    monkeypatch.setenv("ADVISOR_LOCAL__ADAPTER_SERVING", "unmerged")
    kept = LocalBackend(load_settings())
    monkeypatch.setenv("ADVISOR_LOCAL__ADAPTER_DTYPE", "float32")
    upcast = LocalBackend(load_settings())
    assert lora_dtypes(kept, tuned) == {torch.bfloat16}  # no casts around each LoRA layer
    assert lora_dtypes(upcast, tuned) == {torch.float32}  # PEFT's default, the switch back
    assert kept.load(tuned).model.base_model.model.dtype == torch.bfloat16
    question = [[ChatMessage(role="user", content="Say hello.")]]
    params = GenerationParams(temperature=0.0, max_tokens=8)
    for backend in (kept, upcast):
        (answer,) = backend.chat_batch(question, model=tuned, params=params)
        assert answer.usage.completion_tokens > 0 and answer.text.strip(), answer
