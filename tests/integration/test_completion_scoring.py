"""DPO's LM head scores completion tokens only on CPU, with the same log-probabilities."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.integration]


@pytest.fixture(scope="module")
def patched_model() -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl.trainer.utils import add_fused_lm_head

    from advisor.embedded import resolve_chat_model
    from advisor.settings import load_settings

    path = resolve_chat_model("smollm2-135m-instruct", load_settings())
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    add_fused_lm_head(model)
    return model, AutoTokenizer.from_pretrained(path)


def fused_log_probs(model: Any, tokenizer: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, int]:
    """Per-token log-probabilities of a completion after a prompt, and the rows projected."""
    import torch
    import trl.trainer.utils as trl_utils

    prompt = tokenizer("Ticket: I was charged twice this month. Category:")["input_ids"]
    completion = tokenizer(" BILLING")["input_ids"]
    input_ids = torch.tensor([prompt + completion])
    labels = input_ids.clone()
    labels[0, : len(prompt)] = -100
    projected: list[int] = []
    apply = trl_utils._ChunkedLogProbFunction.apply

    def spy(hidden: Any, *args: Any) -> Any:
        projected.append(hidden.shape[0])
        return apply(hidden, *args)

    monkeypatch.setattr(trl_utils._ChunkedLogProbFunction, "apply", spy)
    with torch.no_grad():
        out = model(input_ids=input_ids, labels=labels, fused_lm_head=True)
    monkeypatch.undo()
    return out.log_probs, projected[0]


def test_only_labelled_positions_reach_the_head_and_results_agree(patched_model, monkeypatch):
    import torch
    import trl.trainer.utils as trl_utils

    from backends.local.completion_scoring import SWITCH, completion_positions_only

    model, tokenizer = patched_model
    everything, rows_all = fused_log_probs(model, tokenizer, monkeypatch)
    with completion_positions_only():
        compact, rows_compact = fused_log_probs(model, tokenizer, monkeypatch)

    completion_tokens = len(tokenizer(" BILLING")["input_ids"])
    assert rows_all == everything.shape[1]  # TRL's CPU default: every position
    assert rows_compact == completion_tokens
    assert torch.allclose(everything, compact, atol=1e-5)
    assert compact[0, -completion_tokens:].lt(0).all()  # real log-probabilities, not the zero fill
    assert getattr(trl_utils, SWITCH).__name__ == "_use_triton"  # restored after the block


def test_trl_still_has_the_switch():
    """A TRL upgrade that renames it would silently bring back the slow path."""
    import trl.trainer.utils as trl_utils

    from backends.local.completion_scoring import SWITCH

    assert callable(getattr(trl_utils, SWITCH, None))
