"""Does a labelled token cost more than a prompt token in a local SFT step?

Times SFT steps through the job trainer's own code path (``build_trainer``) at
one sequence-length bucket (wall and CPU seconds per step; CPU seconds are the work,
whatever the load) for synthetic examples of two shapes: all assistant
(what ``advisor tune calibrate`` uses) and a long user prompt with a short
answer (a given share of labelled tokens, like invoice-total).  One untimed
warm-up step each; the figure is the median timed step.  docs/performance.md,
"The shape of the data", has a run.

    nice -n 5 .venv/bin/python benchmarks/bench_sft_shape.py [--seq-len 256] [--steps 2]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from advisor.data.trainview import sft_features
from advisor.settings import load_settings
from advisor.threads import use_thread_policy
from backends.jobs import Hyperparameters, JobRequest
from backends.local.calibrate import FILLER, StepTimer, synthetic_examples
from backends.local.hyperparams import resolve
from backends.local.trainer import TrainerInputs, build_trainer, load_for_training, training_args


def words(n: int) -> str:
    filler = FILLER.split()
    return " ".join(filler[i % len(filler)] for i in range(n))


def prompt_heavy(tokenizer: Any, count: int, seq_len: int, share: float) -> list[dict[str, Any]]:
    """Examples cut at ``seq_len`` whose last ``share`` of tokens is the assistant's."""
    answer = max(1, round(seq_len * share))
    rows = []
    for n in range(count):
        for prompt in range(seq_len, 0, -4):  # the longest prompt that leaves the answer in
            messages = [
                {"role": "user", "content": f"Question {n}: " + words(prompt)},
                {"role": "assistant", "content": words(answer * 2)},
            ]
            features = sft_features(tokenizer, {"messages": messages}, seq_len)
            if features and sum(1 for x in features["labels"] if x != -100) >= answer:
                break
        rows.append({"messages": messages})
    return rows


def time_steps(settings: Any, model: Any, tokenizer: Any, rows: list[Any], args: Any) -> str:
    total = args.steps + 1
    features = [f for r in rows if (f := sft_features(tokenizer, r, args.seq_len))]
    tokens = sum(len(f["input_ids"]) for f in features) / len(features) * args.batch
    labelled = sum(sum(1 for x in f["labels"] if x != -100) for f in features)
    labelled_per_step = labelled / len(features) * args.batch
    hyper = {
        "n_epochs": 1,
        "batch_size": args.batch,
        "max_steps": total,
        "max_length": args.seq_len,
    }
    hp = resolve("sft", len(rows), Hyperparameters.model_validate(hyper))
    with tempfile.TemporaryDirectory() as tmp:
        targs = training_args(hp, Path(tmp) / "c", 0, settings, False)
        targs.update(save_strategy="no", logging_steps=total)
        request = JobRequest(method="sft", training_file=str(Path(tmp) / "x.jsonl"))
        inputs = TrainerInputs(model, tokenizer, rows, [], hp, targs, request, settings)
        trainer = build_trainer("sft", inputs)
        timer, cpu = StepTimer(), CpuTimer()
        trainer.add_callback(timer.callback())
        trainer.add_callback(cpu.callback())
        with contextlib.redirect_stdout(sys.stderr):
            trainer.train()
        if hasattr(trainer.model, "unload"):
            trainer.model.unload()  # the next shape gets a fresh LoRA on the same base
    median = statistics.median(timer.durations[1:])
    steps = ", ".join(f"{d:.1f}" for d in timer.durations)
    cpu_steps = ", ".join(f"{d:.1f}" for d in cpu.durations)
    return (
        f"{tokens:.0f} tokens/step, {labelled_per_step:.0f} labelled: steps [{steps}] s wall, "
        f"median {median:.2f} s = {tokens / median:.1f} tokens/s; "
        f"[{cpu_steps}] s CPU, median {statistics.median(cpu.durations[1:]):.2f} s"
    )


class CpuTimer(StepTimer):
    """CPU seconds of this process per step: the work done, whatever share of the cores
    the step got, so that two shapes compare on a loaded machine."""

    def callback(self) -> Any:
        from transformers import TrainerCallback

        outer = self

        class _Cpu(TrainerCallback):
            def on_step_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                outer._began = time.process_time()

            def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                outer.durations.append(time.process_time() - outer._began)

        return _Cpu()


def shapes(tokenizer: Any, count: int, args: Any) -> dict[str, list[dict[str, Any]]]:
    """The two shapes of data, by name: all assistant, and prompt-heavy at ``args.share``."""
    return {
        "all assistant": synthetic_examples(count, args.seq_len),
        f"prompt, {args.share:.0%} assistant": prompt_heavy(
            tokenizer, count, args.seq_len, args.share
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seq-len", type=int, default=256)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--share", type=float, default=0.05, help="labelled share, prompt shape")
    args = parser.parse_args()
    settings = load_settings()
    threads = use_thread_policy(settings)
    model, tokenizer = load_for_training(settings.local.model, settings)
    count = args.batch * (args.steps + 1)
    print(f"{settings.local.model}, {threads} threads, bucket {args.seq_len}, batch {args.batch}")
    for name, rows in shapes(tokenizer, count, args).items():
        print(f"{name}: {time_steps(settings, model, tokenizer, rows, args)}", flush=True)


if __name__ == "__main__":
    main()
