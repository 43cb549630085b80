"""How the real local model serves a fine-tuned model (backends/local/serving.py).

The adapter is random, not trained (tests/integration/test_adapter_precision_local.py), so
its delta is large enough to change answers: a merge that dropped it would show.
"""

from __future__ import annotations

from typing import Any

import pytest

from advisor.settings import Settings, load_settings
from backends.local.backend import LocalBackend
from backends.types import ChatMessage, GenerationParams
from tests.integration.test_adapter_precision_local import random_adapter

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]
PARAMS = GenerationParams(temperature=0.0, max_tokens=12)
QUESTIONS = ("Say hello.", "Name a primary colour that is not red, please.")


def chats() -> list[list[ChatMessage]]:
    return [[ChatMessage(role="user", content=q)] for q in QUESTIONS]


def served(monkeypatch: pytest.MonkeyPatch, dtype: str, how: str) -> LocalBackend:
    monkeypatch.setenv("ADVISOR_LOCAL__DTYPE", dtype)
    monkeypatch.setenv("ADVISOR_LOCAL__ADAPTER_SERVING", how)
    return LocalBackend(load_settings())


def texts(backend: LocalBackend, model: str | None) -> list[str]:
    return [a.text for a in backend.chat_batch(chats(), model=model, params=PARAMS)]


def test_a_merged_adapter_answers_as_the_unmerged_one_in_float32(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    tuned = random_adapter(settings)
    merged = served(monkeypatch, "float32", "merged")
    unmerged = served(monkeypatch, "float32", "unmerged")
    network = merged.load(tuned).model
    assert not any("lora_" in name for name, _ in network.named_parameters())  # no PEFT layers
    assert type(network).__name__ != "PeftModel"
    assert any("lora_" in name for name, _ in unmerged.load(tuned).model.named_parameters())
    # Folding the delta into float32 weights moves sums by rounding only: greedy answers hold.
    assert texts(merged, tuned) == texts(unmerged, tuned)
    assert texts(merged, tuned) != texts(merged, None)  # and the delta is there


def test_a_merged_adapter_takes_the_bfloat16_base_format_and_keeps_its_delta(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    tuned = random_adapter(settings)
    merged = served(monkeypatch, "bfloat16", "merged")
    network = merged.load(tuned).model
    assert {p.dtype for p in network.parameters()} == {torch.bfloat16}
    base = merged.load(None).model
    layer = "model.layers.0.self_attn.q_proj.weight"
    changed = dict(network.named_parameters())[layer] != dict(base.named_parameters())[layer]
    assert changed.float().mean() > 0.5  # merged before rounding: the delta is not rounded away
    answers = texts(merged, tuned)
    assert all(a.strip() for a in answers) and answers != texts(merged, None)


def test_the_lm_head_reads_a_contiguous_input_at_every_step(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the prefill's last positions reached a frozen head as a strided view, and
    torch copied the 49,152 x 576 head once per row (1.8 GB for 32 rows)."""
    tuned = random_adapter(settings)
    backend = served(monkeypatch, "float32", "unmerged")
    head = backend.load(tuned).model.get_output_embeddings()
    seen: list[bool] = []

    def look(_module: Any, args: tuple[Any, ...]) -> None:
        seen.append(bool(args[0].is_contiguous()))

    handle = head.register_forward_pre_hook(look)  # runs after the backend's own hook
    try:
        backend.chat_batch(chats(), model=tuned, params=PARAMS)
    finally:
        handle.remove()
    assert len(seen) > 1 and all(seen), seen
