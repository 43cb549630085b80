"""Two training changes that keep the values: attention within each packed example
(backends/local/packed_attention.py) and LoRA layers fed in autocast's format
(backends/local/lora_inputs.py).

A tiny random Llama (no weights to load) in place of the embedded model: the
attention's and PEFT's arithmetic does not depend on the size.
"""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from backends.local.lora_inputs import keep_lora_inputs  # noqa: E402
from backends.local.packed_attention import (  # noqa: E402
    NAME,
    example_bounds,
    use_packed_attention,
)

LENGTHS = (7, 10, 6)


def tiny_model(layers: int = 2) -> Any:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=97,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,  # grouped-query attention, as SmolLM2's
    )
    return LlamaForCausalLM(config)


def packed_row() -> tuple[Any, Any]:
    """Three examples in one row, as TRL's padding-free collator packs a batch."""
    ids = torch.randint(3, 97, (1, sum(LENGTHS)), generator=torch.Generator().manual_seed(1))
    positions = torch.cat([torch.arange(n) for n in LENGTHS]).unsqueeze(0)
    return ids, positions


def loss_and_grads(model: Any) -> tuple[Any, Any, list[Any]]:
    ids, positions = packed_row()
    model.zero_grad()
    out = model(input_ids=ids, position_ids=positions, labels=ids, use_cache=False)
    out.loss.backward()
    return out.loss.detach(), out.logits.detach(), [p.grad.clone() for p in model.parameters()]


def test_example_bounds_read_restarts_as_transformers_does() -> None:
    _, positions = packed_row()
    assert example_bounds(positions, 23) == [(0, 7), (7, 17), (17, 23)]
    # any break in the count starts an example, not only a 0
    assert example_bounds(torch.tensor([[0, 1, 2, 5, 6]]), 5) == [(0, 3), (3, 5)]
    assert example_bounds(torch.arange(9).unsqueeze(0), 9) is None  # one sequence
    assert example_bounds(torch.arange(9).repeat(2, 1), 9) is None  # a batch of rows
    assert example_bounds(positions, 22) is None  # not the row being attended
    assert example_bounds(None, 23) is None


def test_each_packed_example_reads_as_if_alone() -> None:
    model = tiny_model()
    use_packed_attention(model)
    assert model.config._attn_implementation == NAME
    ids, positions = packed_row()
    with torch.no_grad():
        row = model(input_ids=ids, position_ids=positions, use_cache=False).logits
        start = 0
        for length in LENGTHS:
            alone = model(input_ids=ids[:, start : start + length], use_cache=False).logits
            assert torch.allclose(row[:, start : start + length], alone, atol=1e-5)
            start += length


def test_loss_and_gradients_equal_transformers_block_mask() -> None:
    model = tiny_model()
    loss_stock, logits_stock, grads_stock = loss_and_grads(model)
    use_packed_attention(model)
    loss_packed, logits_packed, grads_packed = loss_and_grads(model)
    assert loss_packed.item() == pytest.approx(loss_stock.item(), rel=1e-6)
    assert torch.allclose(logits_packed, logits_stock, atol=1e-5)
    for packed, stock in zip(grads_packed, grads_stock, strict=True):
        assert torch.allclose(packed, stock, rtol=1e-4, atol=1e-6)


def test_batches_and_decoding_go_to_transformers_sdpa_unchanged() -> None:
    """Rows with padding, and generation with a cache, are not packed rows."""
    model = tiny_model()
    ids = torch.randint(3, 97, (2, 9), generator=torch.Generator().manual_seed(2))
    mask = torch.ones_like(ids)
    mask[1, :3] = 0  # left padding
    with torch.no_grad():
        stock = model(input_ids=ids, attention_mask=mask).logits
        stock_tokens = model.generate(ids, attention_mask=mask, max_new_tokens=5, do_sample=False)
        use_packed_attention(model)
        packed = model(input_ids=ids, attention_mask=mask).logits
        packed_tokens = model.generate(ids, attention_mask=mask, max_new_tokens=5, do_sample=False)
    assert torch.equal(packed, stock)
    assert torch.equal(packed_tokens, stock_tokens)


def lora_model() -> Any:
    from peft import LoraConfig, get_peft_model

    base = tiny_model().to(torch.bfloat16)  # the frozen base a bf16 job trains
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", task_type="CAUSAL_LM")
    model = get_peft_model(base, config)  # adapter weights float32 (PEFT's autocast_adapter_dtype)
    torch.manual_seed(3)
    for name, parameter in model.named_parameters():
        if "lora_B" in name:  # PEFT starts B at zero; a trained adapter is not
            parameter.data.normal_(std=0.1)
    return model


def bf16_step(model: Any) -> tuple[Any, list[Any], int]:
    """Loss, LoRA gradients and how many dtype conversions one autocast step makes."""
    from torch.utils._python_dispatch import TorchDispatchMode

    class CountConversions(TorchDispatchMode):
        count = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            if func is torch.ops.aten._to_copy.default:
                CountConversions.count += 1
            return func(*args, **(kwargs or {}))

    ids, positions = packed_row()
    model.zero_grad()
    with CountConversions(), torch.autocast("cpu", dtype=torch.bfloat16):
        out = model(input_ids=ids, position_ids=positions, labels=ids, use_cache=False)
        out.loss.backward()
    grads = [p.grad.clone() for p in model.parameters() if p.grad is not None]
    return out.loss.detach(), grads, CountConversions.count


def test_lora_inputs_in_bf16_give_bit_identical_loss_and_gradients() -> None:
    model = lora_model()
    loss_cast, grads_cast, conversions_cast = bf16_step(model)
    assert keep_lora_inputs(model) == 2 * 7  # every LoRA layer of two decoder layers
    loss_kept, grads_kept, conversions_kept = bf16_step(model)
    assert torch.equal(loss_kept, loss_cast)
    assert len(grads_kept) == len(grads_cast) == 2 * 2 * 7
    for kept, cast in zip(grads_kept, grads_cast, strict=True):
        assert torch.equal(kept, cast)
    # PEFT's cast and autocast's cast back are gone (fails if PEFT renames the switch)
    assert conversions_kept < conversions_cast - 2 * 7


def test_run_trainer_trains_jobs_with_both() -> None:
    from types import SimpleNamespace

    from backends.local.trainer import run_trainer

    model = lora_model()

    class Recording:
        args = SimpleNamespace(bf16=True)

        def __init__(self) -> None:
            self.model = model

        def train(self, resume_from_checkpoint: str | None = None) -> str:
            return "output"

    assert run_trainer(Recording()) == "output"
    assert model.config._attn_implementation == NAME
    layers = [m for m in model.modules() if hasattr(m, "cast_input_dtype_enabled")]
    assert layers and not any(layer.cast_input_dtype_enabled for layer in layers)
