"""The local model in float32 and in bfloat16 (``local.dtype``), in the same run.

Both arms run the product's own paths with only ``local.dtype`` changed:

* **training**: ``calibrate_training`` (the SFT job's trainer and LoRA, bf16 autocast in
  the bfloat16 arm), trained tokens per second at ``--seq-len`` x ``--batch``;
* **answering**: ``LocalBackend.chat_batch``, greedy, ``--max-tokens`` new tokens, one
  conversation (batch 1) and ``--slots`` at once; completion tokens per second of wall time;
* **agreement**: of the greedy answers to the same prompts, how many are identical and how
  many start with the same five words in both formats (the pass rates a bench measures are
  in docs/benchmarks.md; this is the cheap look at how far the answers move).

Arms are interleaved (``--rounds``), both under the product's thread policy, with the
machine line beside the table: bfloat16 pays off only where the CPU computes it
(AVX512-BF16, AMX); elsewhere ``auto`` keeps float32 (advisor/precision.py).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_precision.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, pin_threads
from bench_batch import PROMPTS, SYSTEM

ARMS = ("float32", "bfloat16")


def settings_for(dtype: str) -> Any:
    from advisor.settings import load_settings

    settings = load_settings()
    settings.local.dtype = dtype  # type: ignore[assignment]
    settings.local.warm = False  # the arm's own process loads the model it measures
    return settings


def training_rate(dtype: str, seq_len: int, batch: int, steps: int) -> float:
    from backends.local.calibrate import calibrate_training

    settings = settings_for(dtype)
    run = calibrate_training(
        settings, model=settings.local.model, seq_len=seq_len, batch=batch, steps=steps
    )
    return 1.0 / run.rate.seconds_per_token


def answering(dtype: str, count: int, max_tokens: int) -> tuple[float, list[str]]:
    from backends.local.backend import LocalBackend
    from backends.types import ChatMessage, GenerationParams

    backend = LocalBackend(settings_for(dtype))
    backend.load()  # loading is not answering
    prompts = (PROMPTS * (1 + count // len(PROMPTS)))[:count]
    conversations = [
        [ChatMessage(role="system", content=SYSTEM), ChatMessage(role="user", content=p)]
        for p in prompts
    ]
    params = GenerationParams(temperature=0.0, max_tokens=max_tokens)
    began = time.perf_counter()
    results = backend.chat_batch(conversations, params=params)
    wall = time.perf_counter() - began
    tokens = sum(r.usage.completion_tokens for r in results)
    return tokens / wall, [r.text for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved runs of each arm.")
    parser.add_argument("--seq-len", type=int, default=256)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--slots", type=int, default=32)
    parser.add_argument("--max-tokens", type=int, default=48)
    args = parser.parse_args()
    threads = pin_threads()
    print(machine_line())
    print(f"threads {threads}; {args.rounds} interleaved rounds per arm")

    def arm(dtype: str) -> dict[str, Any]:
        one, _ = answering(dtype, 1, args.max_tokens)
        many, texts = answering(dtype, args.slots, args.max_tokens)
        trained = training_rate(dtype, args.seq_len, args.batch, args.steps)
        return {"train": trained, "one": one, "many": many, "texts": texts}

    runs = interleave({dtype: lambda dtype=dtype: arm(dtype) for dtype in ARMS}, args.rounds)
    figures = {
        dtype: {k: statistics.median(r[k] for r in runs[dtype]) for k in ("train", "one", "many")}
        for dtype in ARMS
    }
    base = figures["float32"]
    print()
    print(
        f"| format | trained tokens/s ({args.seq_len} x {args.batch}) | answer tokens/s, "
        f"batch 1 | answer tokens/s, {args.slots} at once |"
    )
    print("|---|---|---|---|")
    for dtype in ARMS:
        f = figures[dtype]
        cells = [f"{f[k]:.1f} ({f[k] / base[k]:.2f}x)" for k in ("train", "one", "many")]
        print(f"| {dtype} | " + " | ".join(cells) + " |")
    fp32, bf16 = runs["float32"][0]["texts"], runs["bfloat16"][0]["texts"]
    same = sum(a == b for a, b in zip(fp32, bf16, strict=True))
    start = sum(a.split()[:5] == b.split()[:5] for a, b in zip(fp32, bf16, strict=True))
    print(
        f"\nagreement of the {len(fp32)} greedy answers: {same} identical, "
        f"{start} with the same first five words"
    )


if __name__ == "__main__":
    main()
