"""Scoring only labelled positions in TRL's fused LM head (backends/local/lm_head.py).

Times SFT steps through the job trainer's own code path (``build_trainer``, as
bench_sft_shape.py does) with the head as TRL ships it on the CPU (every position
scored) and as a local job now runs it (labelled positions only), arms
interleaved, one thread policy for both, for two shapes of data: all assistant
(every position labelled: nothing to save) and a long prompt with a short answer
(about 5% labelled, like invoice-total).  One untimed warm-up step per run; the
figure is the median timed step.  docs/performance.md, "The LM head", has a run.

    nice -n 5 .venv/bin/python benchmarks/bench_lm_head.py [--seq-len 256] [--steps 3] [--rounds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import sys
from collections.abc import Callable
from typing import Any

from _machine import interleave, machine_line, pin_threads
from bench_sft_shape import shapes, time_steps

from backends.local.lm_head import labelled_positions_only

MEDIAN = re.compile(r"median ([0-9.]+) s = ")


def arm(
    settings: Any, model: Any, tokenizer: Any, rows: list[Any], args: Any, compact: bool
) -> Callable[[], float]:
    def run() -> float:
        switch = labelled_positions_only() if compact else contextlib.nullcontext()
        with switch:
            line = time_steps(settings, model, tokenizer, rows, args)
        print(f"  {'labelled only' if compact else 'as shipped'}: {line}", file=sys.stderr)
        found = MEDIAN.search(line)
        assert found is not None, line
        return float(found.group(1))

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seq-len", type=int, default=256)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--share", type=float, default=0.05, help="labelled share, prompt shape")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    threads = pin_threads()
    from advisor.settings import load_settings
    from backends.local.trainer import load_for_training

    settings = load_settings()
    model, tokenizer = load_for_training(settings.local.model, settings)
    count = args.batch * (args.steps + 1)
    print(f"{settings.local.model}, {threads} threads, bucket {args.seq_len}, batch {args.batch}")
    print("| shape | TRL as shipped (s/step) | labelled only (s/step) | speed-up |")
    print("|---|---|---|---|")
    for name, rows in shapes(tokenizer, count, args).items():
        arms: dict[str, Callable[[], float]] = {
            "shipped": arm(settings, model, tokenizer, rows, args, compact=False),
            "labelled": arm(settings, model, tokenizer, rows, args, compact=True),
        }
        runs = interleave(arms, args.rounds)
        shipped, labelled = (statistics.median(runs[k]) for k in ("shipped", "labelled"))
        print(
            f"| {name} | {shipped:.2f} | {labelled:.2f} | {shipped / labelled:.2f}x |", flush=True
        )
    print(machine_line())


if __name__ == "__main__":
    main()
