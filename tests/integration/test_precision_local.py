"""The embedded model in bfloat16 (``local.dtype``): answers, a LoRA job and its adapter.

The rest of the suite pins float32 (tests/conftest.py). Here bfloat16 is chosen
explicitly, so the path runs on every CPU (emulated, slower, where the CPU lacks bf16
instructions; ``auto`` would not choose it there).
"""

from __future__ import annotations

import pytest

from advisor.settings import Settings, load_settings
from backends.jobs import Hyperparameters, JobRequest
from backends.local.backend import LocalBackend
from backends.local.service import LocalFineTuning
from backends.types import ChatMessage, GenerationParams
from tests.conftest import FIXTURES
from tests.integration.test_local_training import TINY, wait_until, worker_log

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.timeout(1800)]
PARAMS = GenerationParams(temperature=0.0, max_tokens=12)
QUESTIONS = (
    "What is the capital of France?",
    "Name a primary colour.",
    "How many legs does a spider have?",
    "Say hello.",
)


def conversations() -> list[list[ChatMessage]]:
    return [[ChatMessage(role="user", content=q)] for q in QUESTIONS]


def in_format(monkeypatch: pytest.MonkeyPatch, dtype: str) -> Settings:
    monkeypatch.setenv("ADVISOR_LOCAL__DTYPE", dtype)
    return load_settings()


def test_bfloat16_answers_close_to_float32(settings: Settings, monkeypatch) -> None:
    import torch

    half = LocalBackend(in_format(monkeypatch, "bfloat16"))
    full = LocalBackend(in_format(monkeypatch, "float32"))
    assert half.generation_engine() == "torch-bfloat16" and full.generation_engine() == ""
    assert half.load().model.dtype == torch.bfloat16  # half of what is read per token
    assert full.load().model.dtype == torch.float32  # a second entry, not the same model
    halves = half.chat_batch(conversations(), params=PARAMS)
    fulls = full.chat_batch(conversations(), params=PARAMS)
    assert all(a.text.strip() and a.usage.completion_tokens > 0 for a in halves)
    # A coarse guard, not the quality measurement (the bench's pass rates, docs/benchmarks.md):
    # rounding may move a greedy answer, but not most of them from their first words.
    pairs = zip(halves, fulls, strict=True)
    assert sum(a.text.split()[:2] == b.text.split()[:2] for a, b in pairs) >= 3, (halves, fulls)


def test_a_bfloat16_job_trains_and_its_adapter_answers(settings: Settings, monkeypatch) -> None:
    chosen = in_format(monkeypatch, "bfloat16")  # the worker inherits the environment
    service = LocalFineTuning(chosen, wait_for_stop_s=120)
    request = JobRequest(
        method="sft",
        training_file=str(FIXTURES / "jobs" / "sft_small.jsonl"),
        seed=1,
        hyperparameters=Hyperparameters(n_epochs=1, max_steps=2, **TINY),
    )
    job = wait_until(service, service.create(request).id)
    assert job.status == "succeeded", worker_log(chosen, job.id)
    losses = [e.data["loss"] for e in service.events(job.id) if e.data and "loss" in e.data]
    assert losses and all(0 < loss < 20 for loss in losses), losses  # finite, not diverged
    args = next((chosen.data_dir / "jobs" / job.id).rglob("training_args.bin"))
    assert b"bf16" in args.read_bytes()  # TrainingArguments(bf16=True): autocast on the CPU
    backend = LocalBackend(chosen)
    answers = backend.chat_batch(conversations()[:2], model=job.fine_tuned_model, params=PARAMS)
    assert all(a.text.strip() for a in answers)


def test_a_bfloat16_job_holds_its_frozen_base_in_bfloat16_and_trains_float32_lora(
    settings: Settings, monkeypatch
) -> None:
    """The job's own loading and trainer: the frozen base in bfloat16 (no cast per step),
    the LoRA weights float32, as the optimizer needs (benchmarks/bench_train_base_dtype.py)."""
    import json

    import torch

    from backends.local.hyperparams import resolve
    from backends.local.trainer import (
        TrainerInputs,
        build_trainer,
        load_for_training,
        training_args,
    )

    for dtype, base_format in (("bfloat16", torch.bfloat16), ("float32", torch.float32)):
        chosen = in_format(monkeypatch, dtype)
        lines = (FIXTURES / "jobs" / "sft_small.jsonl").read_text(encoding="utf-8").splitlines()
        examples = [json.loads(line) for line in lines if line.strip()]
        hp = resolve("sft", len(examples), Hyperparameters(n_epochs=1, max_steps=1, **TINY))
        args = training_args(hp, chosen.data_dir / f"probe-{dtype}", 0, chosen, False)
        model, tokenizer = load_for_training(chosen.local.model, chosen)
        request = JobRequest(method="sft", training_file="probe.jsonl")
        inputs = TrainerInputs(model, tokenizer, examples, [], hp, args, request, chosen)
        trainer = build_trainer("sft", inputs)
        frozen = {p.dtype for p in trainer.model.parameters() if not p.requires_grad}
        trainable = {p.dtype for p in trainer.model.parameters() if p.requires_grad}
        assert frozen == {base_format}, dtype
        assert trainable == {torch.float32}, dtype
