"""Shared pieces of the training benchmarks: model loading, LoRA, matmul peak, MFU."""

from __future__ import annotations

import time
from typing import Any

LORA = {
    "r": 16,
    "lora_alpha": 32,
    "lora_dropout": 0.0,
    "target_modules": "all-linear",
    "task_type": "CAUSAL_LM",
}


def load(settings: Any) -> tuple[Any, Any]:
    """A fresh float32 copy of the embedded model, as TRL's default loads it (the baseline;
    LoRA wraps it, so each arm needs its own)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from advisor.embedded import configure_offline, resolve_chat_model

    configure_offline(settings)
    path = resolve_chat_model(settings.local.model, settings)
    tokenizer = AutoTokenizer.from_pretrained(path)
    return AutoModelForCausalLM.from_pretrained(path), tokenizer


def our_trainer(
    method: str, settings: Any, examples: list[dict[str, Any]], steps: int, batch: int, out: Any
) -> tuple[Any, float]:
    """The trainer ``advisor tune create --backend local`` builds, and seconds to build it.

    Building includes DPO's one-off reference pass, so it counts in end-to-end time.
    """
    from backends.jobs import Hyperparameters, JobRequest
    from backends.local.hyperparams import resolve
    from backends.local.trainer import TrainerInputs, build_trainer, training_args

    hp = resolve(
        method,
        len(examples),
        Hyperparameters(
            n_epochs=100, batch_size=batch, learning_rate_multiplier=0.01, max_steps=steps
        ),
    )
    from backends.local.trainer import load_for_training

    args = {**training_args(hp, out, 0, settings, False), "save_strategy": "no"}
    model, tokenizer = load_for_training(settings.local.model, settings)  # as a job loads it
    request = JobRequest(method=method, training_file="benchmark.jsonl")
    began = time.perf_counter()
    inputs = TrainerInputs(model, tokenizer, examples, [], hp, args, request, settings)
    return build_trainer(method, inputs), time.perf_counter() - began


def scenario_sft(name: str, count: int, steps: int, batch: int) -> tuple[Any, list[Any], Any]:
    """A shipped scenario, its first ``count`` SFT lines, and the hyperparameters a job
    resolves for them at ``batch`` (``steps`` steps; the ``auto`` learning rate)."""
    from advisor.bench.scenario import load_scenario
    from backends.jobs import Hyperparameters
    from backends.local.hyperparams import resolve
    from backends.local.trainingdata import read_examples

    scenario = load_scenario(name)
    examples = read_examples(scenario.training.sft)[:count]
    hp = resolve("sft", len(examples), Hyperparameters(batch_size=batch, max_steps=steps))
    return scenario, examples, hp


def job_sft_trainer(
    settings: Any, model: Any, tokenizer: Any, examples: list[Any], hp: Any, seed: int, out: Any
) -> Any:
    """The SFT trainer a job builds around ``model`` (seeded before LoRA wraps it)."""
    from transformers import set_seed

    from backends.jobs import JobRequest
    from backends.local.trainer import TrainerInputs, build_trainer, training_args

    args = {**training_args(hp, out, seed, settings, False), "save_strategy": "no"}
    request = JobRequest(method="sft", training_file="benchmark.jsonl")
    set_seed(seed)  # the LoRA initialisation happens before the Trainer seeds itself
    return build_trainer(
        "sft", TrainerInputs(model, tokenizer, examples, [], hp, args, request, settings)
    )


def measure(trainer: Any, *, as_a_job: bool = False) -> dict[str, float]:
    """Train; the loop's seconds, steps and non-padding tokens, and FLOPs per token.

    ``as_a_job``: train as ``advisor tune create`` does (``backends.local.trainer.
    run_trainer``: the LM head scores labelled positions only); the baseline keeps
    ``trainer.train()`` as TRL ships it.
    """
    if as_a_job:
        from backends.local.trainer import run_trainer

        metrics = run_trainer(trainer).metrics
    else:
        metrics = trainer.train().metrics
    return {
        "seconds": float(metrics["train_runtime"]),
        "steps": float(trainer.state.global_step),
        "tokens": float(trainer.state.num_input_tokens_seen),
        "flops_per_token": lora_flops_per_token(trainer.model),
    }


def lora() -> Any:
    from peft import LoraConfig

    return LoraConfig(**LORA)


def matmul_peak_gflops(size: int = 2048, repeats: int = 6) -> float:
    """Measured float32 matrix-multiply throughput of this machine, in GFLOP/s (best of runs)."""
    import torch

    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b  # warm up
    best = 0.0
    for _ in range(repeats):
        began = time.perf_counter()
        a @ b
        best = max(best, 2 * size**3 / (time.perf_counter() - began) / 1e9)
    return best


def lora_flops_per_token(model: Any) -> float:
    """Training FLOPs per token with frozen base weights: forward 2N + activation gradients 2N.

    Full fine-tuning would add 2N for weight gradients (the usual 6N); LoRA's own
    weights are too few to count.  Attention score FLOPs are left out, as in
    the usual MFU convention for short sequences.
    """
    params = sum(p.numel() for n, p in model.named_parameters() if "lora_" not in n)
    return 4.0 * params


def row(name: str, figures: dict[str, float], baseline: dict[str, float], key: str) -> str:
    ratio = figures[key] / baseline[key] if baseline[key] else float("nan")
    return f"| {name} | {figures[key]:.2f} | {ratio:.2f}x |"
