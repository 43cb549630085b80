"""OpenAI JSONL to trainer rows: assistant-only labels, weight 0, DPO and RFT rows."""

from __future__ import annotations

import json

import pytest

from backends.local.trainingdata import chat_messages, dpo_row, read_examples, rft_row, sft_features
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from advisor.embedded import resolve_chat_model
    from advisor.settings import load_settings

    return AutoTokenizer.from_pretrained(
        resolve_chat_model("smollm2-135m-instruct", load_settings())
    )


def trained_text(tokenizer, features) -> str:
    ids = [
        t
        for t, label in zip(features["input_ids"], features["labels"], strict=True)
        if label != -100
    ]
    return tokenizer.decode(ids)


def test_only_assistant_turns_without_weight_zero_are_trained(tokenizer):
    record = {
        "messages": [
            {"role": "system", "content": "Be terse."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello there, friend!", "weight": 0},
            {"role": "user", "content": "Capital of France?"},
            {"role": "assistant", "content": "ANSWER: Paris", "weight": 1},
        ]
    }
    features = sft_features(tokenizer, record, 512)
    assert features is not None
    text = trained_text(tokenizer, features)
    assert text.startswith("ANSWER: Paris<|im_end|>")
    assert "Hello there" not in text and "France" not in text


def test_all_weight_zero_or_truncated_examples_are_skipped(tokenizer):
    muted = {
        "messages": [
            {"role": "user", "content": "x"},
            {"role": "assistant", "content": "y", "weight": 0},
        ]
    }
    assert sft_features(tokenizer, muted, 512) is None
    long_prompt = {
        "messages": [
            {"role": "user", "content": "word " * 200},
            {"role": "assistant", "content": "ok"},
        ]
    }
    assert sft_features(tokenizer, long_prompt, 32) is None


def test_developer_role_and_content_parts_are_normalised():
    messages = chat_messages(
        [
            {
                "role": "developer",
                "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
            }
        ]
    )
    assert messages == [{"role": "system", "content": "ab", "weight": None}]


def test_dpo_and_rft_rows():
    dpo = dpo_row(read_examples(FIXTURES / "jobs" / "dpo_small.jsonl")[0])
    assert dpo["prompt"][-1]["role"] == "user"
    assert dpo["chosen"][0]["content"].startswith("CATEGORY:")
    assert dpo["rejected"][0]["role"] == "assistant"
    record = {
        "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "old"}],
        "label": "X",
    }
    rft = rft_row(record)
    assert rft["prompt"] == [{"role": "user", "content": "q"}]
    assert json.loads(rft["advisor_item"])["label"] == "X"
