"""Calibrating local training: a few LoRA SFT steps through the job trainer's own code path.

The same model loader, hyperparameter resolution, TrainingArguments and TRL
trainer as a real job (:mod:`backends.local.trainer`), under the same thread
policy, on synthetic examples truncated to the sequence length being
calibrated.  The first step is a warm-up (allocations, kernel selection) and is
not timed; the figure is the median of the timed steps, which is robust to one
step stalled by another process on a shared machine.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from advisor.data.calibration import TrainingRate, TrainingRun
from advisor.settings import Settings
from advisor.threads import use_thread_policy
from backends.jobs import Hyperparameters, JobRequest

WARMUP_STEPS = 1
# Plain words the tokenizers of every preset encode as roughly one token each.
FILLER = "the parcel arrived late so please check the label and the invoice again today"


def synthetic_examples(count: int, seq_len: int) -> list[dict[str, Any]]:
    """Chat lines whose assistant turn is long enough to be cut at ``seq_len`` tokens.

    The user turn is short so that truncation leaves assistant (trained) tokens.
    """
    words = FILLER.split()
    answer = " ".join(words[i % len(words)] for i in range(seq_len * 2))
    return [
        {
            "messages": [
                {"role": "user", "content": f"Question {n}: summarise the ticket."},
                {"role": "assistant", "content": answer},
            ]
        }
        for n in range(count)
    ]


class StepTimer:
    """Wall time of each optimizer step, from a TrainerCallback."""

    def __init__(self) -> None:
        self.durations: list[float] = []
        self._began = 0.0

    def callback(self) -> Any:
        from transformers import TrainerCallback

        outer = self

        class _Timer(TrainerCallback):
            def on_step_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                outer._began = time.perf_counter()

            def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                outer.durations.append(time.perf_counter() - outer._began)

        return _Timer()


def calibrate_training(
    settings: Settings, *, model: str, seq_len: int, batch: int, steps: int
) -> TrainingRun:
    """Time ``steps`` SFT steps (plus a warm-up) of ``model``; see the module docstring.

    Raises:
        BackendUnavailableError, UserInputError: the model cannot be loaded or trained.
    """
    began = time.perf_counter()
    threads = use_thread_policy(settings)
    from backends.local.hyperparams import resolve
    from backends.local.trainer import (
        TrainerInputs,
        _load_model,
        build_trainer,
        device_setup,
        training_args,
    )

    total = steps + WARMUP_STEPS
    examples = synthetic_examples(batch * total, seq_len)
    hyperparameters = Hyperparameters.model_validate(
        {"n_epochs": 1, "batch_size": batch, "max_steps": total, "max_length": seq_len}
    )
    hp = resolve("sft", len(examples), hyperparameters)
    base, tokenizer = _load_model(model, settings)
    with tempfile.TemporaryDirectory(prefix="advisor-calibrate-") as tmp:
        args = training_args(hp, Path(tmp) / "checkpoints", 0, settings, False)
        args.update(save_strategy="no", logging_steps=max(1, total))
        request = JobRequest(method="sft", training_file=str(Path(tmp) / "synthetic.jsonl"))
        inputs = TrainerInputs(base, tokenizer, examples, [], hp, args, request, settings)
        trainer = build_trainer("sft", inputs)
        timer = StepTimer()
        trainer.add_callback(timer.callback())
        startup = time.perf_counter() - began
        # The trainer prints its log lines; stdout belongs to the command (--format json).
        with contextlib.redirect_stdout(sys.stderr):
            trainer.train()
    timed = timer.durations[WARMUP_STEPS:] or timer.durations
    per_step = statistics.median(timed)
    setup = device_setup(settings)
    dtype = "bfloat16" if setup["bf16"] else "float16" if setup["fp16"] else "float32"
    import torch

    return TrainingRun(
        rate=TrainingRate(
            seq_len=seq_len,
            batch=batch,
            steps=len(timed),
            seconds_per_step=round(per_step, 4),
            seconds_per_token=per_step / (batch * seq_len),
            startup_seconds=round(startup, 2),
        ),
        device="cpu" if setup["use_cpu"] else "cuda",
        dtype=dtype,
        threads=torch.get_num_threads() if setup["use_cpu"] else threads,
    )
