"""Estimates count the tokens the local trainer sees (advisor/data/trainview.py).

The reference is the trainer's own feature builder on the model's transformers
tokenizer; the estimate counts with the light tokenizer (no transformers).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from advisor.data.stats import compute_stats
from advisor.data.trainview import light_tokenizer, seen
from backends.local.trainingdata import read_examples, sft_features
from tests.conftest import FIXTURES

SYSTEM = "Extract the amount due from the invoice. Reply with the number only."


@pytest.fixture(scope="module")
def folder() -> Path:
    from advisor.embedded import resolve_chat_model
    from advisor.settings import load_settings

    return Path(resolve_chat_model("smollm2-135m-instruct", load_settings()))


@pytest.fixture(scope="module")
def tokenizer(folder: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder)


def invoice(n: int, lines: int) -> dict[str, Any]:
    body = "\n".join(f"Item {i}: widget x {i + 1} at EUR {10 + i}.50" for i in range(lines))
    return {
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Invoice {n}\n{body}\nTotal due: EUR {n}.00"},
            {"role": "assistant", "content": f"{n}.00"},
        ]
    }


@pytest.fixture
def prompt_heavy(tmp_path: Path) -> Path:
    """Long prompts and 2-token answers; the longest lose their answer at 128 tokens."""
    path = tmp_path / "invoices.jsonl"
    rows = [invoice(n, lines=2 + 3 * (n % 6)) for n in range(12)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def trainer_totals(tokenizer: Any, path: Path, max_length: int) -> tuple[int, int, int]:
    """(examples kept, tokens, labelled tokens) as the local trainer builds its features."""
    kept = tokens = labelled = 0
    for record in read_examples(path):
        features = sft_features(tokenizer, record, max_length)
        if features is None:
            continue
        kept += 1
        tokens += len(features["input_ids"])
        labelled += sum(1 for label in features["labels"] if label != -100)
    return kept, tokens, labelled


def test_prompt_heavy_file_is_counted_as_the_trainer_truncates_it(
    settings: Any, tokenizer: Any, prompt_heavy: Path
) -> None:
    kept, tokens, labelled = trainer_totals(tokenizer, prompt_heavy, 128)
    assert 0 < kept < 12  # the fixture does exercise truncation and dropped lines
    stats = compute_stats(
        prompt_heavy, "sft", model="local", settings=settings, epochs=2, max_length=128
    )
    local = stats.local
    assert local.counted == "trainer" and local.max_length == 128
    assert local.trained_examples == kept
    assert local.trained_tokens == 2 * tokens
    assert local.labelled_tokens == 2 * labelled
    # The OpenAI-style count sees every line at full length: far more than is trained.
    assert stats.billed_tokens > 1.3 * local.trained_tokens


def test_short_file_is_counted_with_the_chat_template_and_weight_zero(
    settings: Any, tokenizer: Any
) -> None:
    path = FIXTURES / "jobs" / "sft_small.jsonl"  # has a weight-0 turn
    kept, tokens, labelled = trainer_totals(tokenizer, path, 512)
    stats = compute_stats(path, "sft", model="local", settings=settings, epochs=1)
    assert stats.local.max_length == 512  # the trainer's default
    assert (stats.local.trained_examples, stats.local.trained_tokens) == (kept, tokens)
    assert stats.local.labelled_tokens == labelled


def test_the_estimate_is_start_up_plus_the_trainers_tokens(
    settings: Any, prompt_heavy: Path, tokenizer: Any
) -> None:
    from advisor.data import calibration as cal

    entry = cal.Calibration(
        machine=cal.machine_key(),
        model=settings.local.model,
        device="cpu",
        dtype="float32",
        threads=1,
        measured_at="2026-11-30T10:00:00Z",
        training=[
            cal.TrainingRate(
                seq_len=128,
                batch=4,
                steps=2,
                seconds_per_step=5.12,
                seconds_per_token=0.01,
                startup_seconds=20.0,
            )
        ],
    )
    cal.store(settings, entry)
    _, tokens, _ = trainer_totals(tokenizer, prompt_heavy, 128)
    stats = compute_stats(
        prompt_heavy, "sft", model="local", settings=settings, epochs=2, max_length=128
    )
    assert stats.local.estimated_training_seconds == pytest.approx(20 + 2 * tokens * 0.01, abs=0.1)


def test_light_tokenizer_renders_and_tokenizes_as_transformers(
    folder: Path, tokenizer: Any
) -> None:
    light = light_tokenizer(str(folder))
    records = [json.loads(line) for line in (FIXTURES / "jobs" / "sft_small.jsonl").open()]
    records.append(
        {
            "messages": [
                {"role": "developer", "content": "Be terse. «quotes» 日本語"},
                {"role": "user", "content": [{"type": "text", "text": "parts"}]},
                {"role": "assistant", "content": "ok"},
            ]
        }
    )
    for record in records:
        for max_length in (16, 512):
            assert sft_features(light, record, max_length) == sft_features(
                tokenizer, record, max_length
            )


def test_dpo_counts_both_completions_and_drops_prompts_that_fill_max_length(
    folder: Path, tokenizer: Any
) -> None:
    light = light_tokenizer(str(folder))
    record = json.loads((FIXTURES / "jobs" / "dpo_small.jsonl").open().readline())
    full = seen(tokenizer, record, "dpo", 4096)
    assert full is not None and full == seen(light, record, "dpo", 4096)
    text = tokenizer.apply_chat_template(
        [{"role": m["role"], "content": m["content"]} for m in record["input"]["messages"]],
        tokenize=False,
        add_generation_prompt=True,
    )
    prompt_len = len(tokenizer(text, add_special_tokens=False)["input_ids"])
    assert full.tokens - full.labelled == 2 * prompt_len  # the prompt once per completion
    assert seen(light, record, "dpo", prompt_len) is None  # TRL drops it: nothing to learn
