"""TRL's fused LM head scores only labelled positions on the CPU within
``labelled_positions_only`` (backends/local/lm_head.py), with the same loss and gradients.

A tiny random Llama (no weights to load) in place of the embedded model: the head's
arithmetic does not depend on the size.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

torch = pytest.importorskip("torch")
trl_utils = pytest.importorskip("trl.trainer.utils")

from backends.local.lm_head import labelled_positions_only  # noqa: E402


def tiny_model() -> Any:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=97,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        tie_word_embeddings=True,
    )
    model = LlamaForCausalLM(config)
    trl_utils.add_fused_lm_head(model, outputs=("log_probs", "entropy", "is_top1"))
    return model


def loss_and_grads(model: Any, compact: bool) -> tuple[float, list[Any], Any]:
    ids = torch.randint(3, 97, (1, 40), generator=torch.Generator().manual_seed(1))
    labels = torch.full_like(ids, -100)
    labels[0, 30:] = ids[0, 30:]  # a prompt of 30 tokens, an answer of 10
    model.zero_grad()
    if compact:
        with labelled_positions_only() as switched:
            assert switched
            out = model(input_ids=ids, labels=labels, fused_lm_head=True)
    else:
        out = model(input_ids=ids, labels=labels, fused_lm_head=True)
    out.loss.backward()
    grads = [p.grad.clone() for p in model.parameters() if p.grad is not None]
    return out.loss.item(), grads, out.is_top1


def test_this_trl_still_has_the_switch() -> None:
    """Fails when a TRL upgrade renames it: training would then score every position again."""
    cpu = torch.device("cpu")
    assert callable(getattr(trl_utils, "_use_triton", None))
    assert trl_utils._use_triton(cpu) is False  # as shipped: every position on the CPU
    with labelled_positions_only() as switched:
        assert switched and trl_utils._use_triton(cpu) is True
    assert trl_utils._use_triton(cpu) is False  # restored


def test_labelled_positions_only_gives_the_same_loss_and_gradients() -> None:
    model = tiny_model()
    everywhere, grads_everywhere, top1_everywhere = loss_and_grads(model, compact=False)
    labelled, grads_labelled, top1_labelled = loss_and_grads(model, compact=True)
    assert labelled == pytest.approx(everywhere, rel=1e-6)
    assert len(grads_labelled) == len(grads_everywhere) > 0
    for a, b in zip(grads_labelled, grads_everywhere, strict=True):
        assert torch.allclose(a, b, rtol=1e-5, atol=1e-7)
    assert torch.equal(top1_labelled, top1_everywhere)  # the accuracy metric too


def test_jobs_calibration_and_benchmarks_train_through_the_switch() -> None:
    """``run_trainer`` is the one way a job, a calibration and the training benchmarks
    train: within it the head scores labelled positions only; after it, as TRL ships."""
    from backends.local.trainer import run_trainer

    cpu = torch.device("cpu")
    seen: dict[str, Any] = {}

    class Recording:
        model = tiny_model()
        args = SimpleNamespace(bf16=False)

        def train(self, resume_from_checkpoint: str | None = None) -> str:
            seen["compact"] = trl_utils._use_triton(cpu)
            seen["resume"] = resume_from_checkpoint
            return "output"

    assert run_trainer(Recording(), "checkpoint-4") == "output"
    assert seen == {"compact": True, "resume": "checkpoint-4"}
    assert not trl_utils._use_triton(cpu)
