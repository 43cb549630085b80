"""What do packed attention and LoRA's kept input save in a local SFT job?

Two changes of 2026-12-03 keep a job's values and cut its work
(``backends/local/trainer.py``, ``run_trainer``):

* packed examples attend within themselves
  (``backends/local/packed_attention.py``): one SDPA call over the examples
  padded into a batch, instead of SDPA over the whole packed row with a block
  mask, whose CPU backward computes every masked block;
* under bf16 autocast, LoRA layers keep autocast's bfloat16 input
  (``backends/local/lora_inputs.py``) instead of PEFT casting it to float32 and
  back, which is exact either way.

Arms, each trained through the job's own path (``build_trainer``, ``run_trainer``)
with the same hyperparameters and data, the changes switched off where an arm
says so:

* ``stock``: neither change (the job path before 2026-12-03), seed 0;
* ``packed``: packed attention only, seed 0;
* ``both``: both changes, as a job trains today, seed 0;
* ``stock-seed1``: ``stock`` with seed 1: its loss distance from ``stock`` is
  the yardstick for the others' (bf16 rounding moves the loss a little; in
  float32 the values are equal, which ``tests/integration/test_packed_training.py``
  checks).

Arms run interleaved (``--rounds``; the order alternates each round) under one
thread policy; the table gives trained tokens/s (median over rounds) and the first
round's mean training loss over all its steps.  docs/performance.md has a run.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_train_attention.py \\
        [--scenario invoice-total] [--examples 64] [--steps 12] [--rounds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, pin_threads
from train_common import job_sft_trainer, measure, scenario_sft

BATCH = 4


@dataclass(frozen=True)
class Arm:
    name: str
    seed: int
    packed: bool
    keep_inputs: bool


ARMS = (
    Arm("stock", 0, packed=False, keep_inputs=False),
    Arm("packed", 0, packed=True, keep_inputs=False),
    Arm("both", 0, packed=True, keep_inputs=True),
    Arm("stock-seed1", 1, packed=False, keep_inputs=False),
)


@dataclass(frozen=True)
class Trained:
    tokens: float
    seconds: float
    loss: float

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds else float("nan")


@contextlib.contextmanager
def switched(arm: Arm) -> Iterator[None]:
    """The job path with the changes ``arm`` leaves out replaced by no-ops."""
    import backends.local.trainer as trainer_module

    with contextlib.ExitStack() as stack:
        if not arm.packed:
            stack.enter_context(mock.patch.object(trainer_module, "use_packed_attention", _none))
        if not arm.keep_inputs:
            stack.enter_context(mock.patch.object(trainer_module, "keep_lora_inputs", _none))
        yield


def _none(model: Any) -> None:
    return None


def train(settings: Any, examples: list[Any], hp: Any, arm: Arm, out: Path) -> Trained:
    """One adapter trained as a job trains it, with ``arm``'s changes."""
    from backends.local.trainer import load_for_training

    model, tokenizer = load_for_training(settings.local.model, settings)
    trainer = job_sft_trainer(settings, model, tokenizer, examples, hp, arm.seed, out)
    with switched(arm), contextlib.redirect_stdout(sys.stderr):
        figures = measure(trainer, as_a_job=True)
    # TRL's own summary: the mean training loss over every step of the run.
    summary = [e["train_loss"] for e in trainer.state.log_history if "train_loss" in e]
    return Trained(figures["tokens"], figures["seconds"], float(summary[-1]))


def table(runs: dict[str, list[Trained]]) -> list[str]:
    rates = {name: median(t.tokens_per_s for t in trained) for name, trained in runs.items()}
    loss = {name: trained[0].loss for name, trained in runs.items()}
    lines = [
        "| arm | trained tokens/s (each round) | vs stock | mean training loss | vs stock |",
        "|---|---|---|---|---|",
    ]
    for arm in ARMS:
        each = ", ".join(f"{t.tokens_per_s:.0f}" for t in runs[arm.name])
        lines.append(
            f"| {arm.name} | {rates[arm.name]:.1f} ({each}) "
            f"| {rates[arm.name] / rates['stock']:.2f}x | {loss[arm.name]:.5f} "
            f"| {loss[arm.name] - loss['stock']:+.5f} |"
        )
    return lines


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="invoice-total")
    parser.add_argument("--examples", type=int, default=64, help="Training lines used.")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved runs of each arm.")
    return parser.parse_args()


def main() -> None:
    args = parse()
    pin_threads()  # one thread policy for every arm, before torch loads

    from advisor.settings import load_settings
    from backends.local.trainer import device_setup, frozen_base_dtype

    _, examples, hp = scenario_sft(args.scenario, args.examples, args.steps, BATCH)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=tmp)
        runs = interleave(
            {a.name: partial(train, settings, examples, hp, a, Path(tmp) / a.name) for a in ARMS},
            args.rounds,
        )
    print(machine_line())
    print("\n".join(table(runs)))
    setup = device_setup(settings)
    print(
        f"\n{args.scenario}: {len(examples)} training lines, {args.steps} steps of batch "
        f"{hp.batch_size}; bf16 autocast {'on' if setup['bf16'] else 'off'}, frozen base in "
        f"{frozen_base_dtype(settings)}; stock trained {runs['stock'][0].tokens:.0f} tokens "
        f"per run (medians of {args.rounds} interleaved runs per arm)."
    )


if __name__ == "__main__":
    main()
