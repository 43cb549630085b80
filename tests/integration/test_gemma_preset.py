"""The Japanese-capable preset (Gemma 3 270M base) for real: Japanese text, LoRA SFT/DPO/RFT.

Converts the preset once into the shared cache (a few minutes on two cores the
first time); the licence notice is accepted through the setting, as CI would.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from advisor.settings import Settings, load_settings
from backends.jobs import Hyperparameters, JobRequest
from backends.local import LocalBackend
from backends.local.service import LocalFineTuning
from backends.types import ChatMessage, GenerationParams
from tests.conftest import FIXTURES

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.timeout(1800)]
PRESET = "gemma-3-270m"
TINY = {"max_steps": 1, "batch_size": 4, "lora_r": 4, "lora_alpha": 8, "max_length": 64}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture
def gemma(isolated_state, monkeypatch) -> Settings:
    monkeypatch.setenv("ADVISOR_LOCAL__MODEL", PRESET)
    monkeypatch.setenv("ADVISOR_LOCAL__ACCEPT_MODEL_TERMS", "true")
    return load_settings()


def test_the_preset_writes_japanese(gemma):
    result = LocalBackend(gemma).chat(
        [ChatMessage(role="user", content="日本の首都はどこですか？")],
        params=GenerationParams(max_tokens=12),
    )
    assert result.usage.completion_tokens > 0
    assert JAPANESE.search(result.text), result.text
    assert "<start_of_turn>" not in result.text  # template markers are not shown


JOBS = FIXTURES / "jobs"
RFT_HP = {"num_generations": 2, "max_completion_length": 8, "batch_size": 1}
METHODS = {
    "sft": ({"training_file": str(JOBS / "sft_small.jsonl")}, {}),
    "dpo": ({"training_file": str(JOBS / "dpo_small.jsonl")}, {"beta": 0.2}),
    "rft": (
        {
            "training_file": str(JOBS / "rft_small.jsonl"),
            "grader": json.loads((JOBS / "rft_grader.json").read_text()),
        },
        RFT_HP,
    ),
}


@pytest.mark.parametrize("method", ["sft", "dpo", "rft"])
def test_lora_training_works_on_the_preset_and_the_adapter_answers(gemma, method):
    fields, extra = METHODS[method]
    service = LocalFineTuning(gemma, wait_for_stop_s=120)
    request = JobRequest(
        method=method,
        model=PRESET,
        seed=1,
        hyperparameters=Hyperparameters(n_epochs=1, **{**TINY, **extra}),
        **fields,
    )
    job = service.create(request)
    deadline = time.monotonic() + 1500
    while not job.is_terminal and time.monotonic() < deadline:
        time.sleep(1)
        job = service.retrieve(job.id)
    assert job.status == "succeeded", job
    assert job.fine_tuned_model and job.fine_tuned_model.startswith(f"local:ft:{PRESET}:")
    answer = LocalBackend(gemma).chat(
        [ChatMessage(role="user", content="こんにちは")],
        model=job.fine_tuned_model,
        params=GenerationParams(max_tokens=4),
    )
    assert answer.usage.completion_tokens > 0


def test_sft_labels_cover_only_the_answer_and_its_end_of_turn(gemma):
    from transformers import AutoTokenizer

    from advisor.embedded import resolve_chat_model
    from backends.local.trainingdata import sft_features

    tokenizer = AutoTokenizer.from_pretrained(resolve_chat_model(PRESET, gemma))
    record = {
        "messages": [
            {"role": "system", "content": "です・ます調で答えてください。"},
            {"role": "user", "content": "営業時間は？"},
            {"role": "assistant", "content": "平日9時から18時までです。"},
        ]
    }
    features = sft_features(tokenizer, record, 256)
    assert features is not None
    trained = [
        t
        for t, label in zip(features["input_ids"], features["labels"], strict=True)
        if label != -100
    ]
    text = tokenizer.decode(trained)
    assert text.startswith("平日9時から18時までです。<end_of_turn>")
    assert "営業時間" not in text and "です・ます調" not in text
