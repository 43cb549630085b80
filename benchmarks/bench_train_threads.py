"""What a second thread gives a local training job, against what it gives a matrix product.

A job's worker trains on one thread while the bench answers on the other core and takes
the second one when the answering ends (``advisor/threads.py``, the governor).  That pays
only if a second thread makes the training faster.  This script measures it alone, on an
otherwise idle machine, through the job's own code path (``load_for_training``,
``build_trainer``, ``run_trainer``; the product's format, ``local.dtype``):

* ``1 thread`` and ``2 threads``: the same SFT job (a shipped scenario's first lines,
  batch 4, ``--steps`` steps, seed 0), trained tokens per second of the training loop;
* as a yardstick, a 2048 x 2048 matrix product in float32 and bfloat16 at each count:
  whether the cores themselves scale.

Arms are interleaved (1 2, then 2 1; ``--rounds``); the thread policy is pinned before
torch loads and the count set per arm with ``torch.set_num_threads``.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_train_threads.py \\
        [--scenario brand-voice] [--examples 64] [--steps 10] [--rounds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, pin_threads
from train_common import job_sft_trainer, measure, scenario_sft

SIZE = 2048


def product_gflops(threads: int, dtype: Any, repeats: int = 6) -> float:
    """Best-of-``repeats`` GFLOP/s of a SIZE x SIZE matrix product at ``threads``."""
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(SIZE, SIZE, dtype=dtype), torch.randn(SIZE, SIZE, dtype=dtype)
    a @ b  # warm-up: the pool and the kernel
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - began)
    return 2 * SIZE**3 / best / 1e9


def trained_rate(threads: int, settings: Any, examples: list[Any], hp: Any) -> float:
    """Trained tokens/s of one job-shaped SFT run at ``threads``."""
    import torch

    from backends.local.trainer import load_for_training

    torch.set_num_threads(threads)
    model, tokenizer = load_for_training(settings.local.model, settings)
    with tempfile.TemporaryDirectory() as out:
        trainer = job_sft_trainer(settings, model, tokenizer, examples, hp, 0, Path(out))
        with contextlib.redirect_stdout(sys.stderr):
            figures = measure(trainer, as_a_job=True)
    return figures["tokens"] / figures["seconds"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="brand-voice")
    parser.add_argument("--examples", type=int, default=64)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    pin_threads()
    import torch

    from advisor.settings import load_settings

    settings = load_settings()
    _, examples, hp = scenario_sft(args.scenario, args.examples, args.steps, 4)
    arms = {
        f"{n} thread{'s' if n > 1 else ''}": (lambda n=n: trained_rate(n, settings, examples, hp))
        for n in (1, 2)
    }
    rates = interleave(arms, args.rounds)
    products = {
        (n, str(dtype).removeprefix("torch.")): product_gflops(n, dtype)
        for dtype in (torch.float32, torch.bfloat16)
        for n in (1, 2)
    }
    print(machine_line())
    shape = f"{args.examples} lines, batch 4, {args.steps} steps"
    print(f"{args.scenario}: {shape}; {args.rounds} rounds")
    print("| arm | trained tokens/s (each round) | median | against 1 thread |")
    print("|---|---|---|---|")
    one = median(rates["1 thread"])
    for name, runs in rates.items():
        each = ", ".join(f"{r:.0f}" for r in runs)
        print(f"| {name} | {each} | {median(runs):.0f} | {median(runs) / one:.2f}x |")
    print("| matrix product | 1 thread GFLOP/s | 2 threads GFLOP/s | 2 against 1 |")
    print("|---|---|---|---|")
    for dtype in ("float32", "bfloat16"):
        single, double = products[(1, dtype)], products[(2, dtype)]
        print(f"| {SIZE}x{SIZE} {dtype} | {single:.0f} | {double:.0f} | {double / single:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
