"""Local batched generation against one-at-a-time generation, in the same run.

Both arms answer the same prompts through the same route (the system-prompt
route ``advisor bench`` uses) with greedy decoding and the same token cap; the
figure is completion tokens per second of wall time.  The model is loaded (and
warmed up) before either arm is timed.

    nice .venv/bin/python benchmarks/bench_batch.py [--prompts 16] [--max-tokens 64]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, pin_threads

PROMPTS = [
    "How do I return hiking boots that are too small?",
    "Is the rain jacket machine washable?",
    "When will my tent order ship?",
    "Can I change the colour of a backpack I ordered yesterday?",
    "Do you price match other outdoor shops?",
    "My sleeping bag zipper broke after a week. What now?",
    "Which stove works best above 3,000 metres?",
    "Do you have gift cards?",
    "How should I store a down jacket over summer?",
    "Can I pick up my order in the store?",
    "What does the lifetime warranty cover?",
    "Are your trekking poles adjustable?",
    "How do I clean a water filter?",
    "Do you ship to Norway?",
    "What size of backpack do I need for a weekend trip?",
    "Can I cancel an order that has already shipped?",
]
SYSTEM = "You answer customer questions for an outdoor gear shop, briefly and kindly."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved runs of each arm.")
    args = parser.parse_args()
    pin_threads()  # the same thread policy for both arms, before torch loads

    from advisor.routes import SystemPromptRoute
    from advisor.settings import load_settings
    from backends.local import LocalBackend
    from backends.types import GenerationParams

    with tempfile.TemporaryDirectory() as data_dir:
        settings = load_settings(data_dir=data_dir)
        settings.local.batch_size = args.batch_size
        backend = LocalBackend(settings)
        route = SystemPromptRoute(backend, None, SYSTEM)
        params = GenerationParams(max_tokens=args.max_tokens)
        prompts = (PROMPTS * (1 + args.prompts // len(PROMPTS)))[: args.prompts]
        route.answer("warm up", GenerationParams(max_tokens=4))

        def timed(run):  # (completion tokens, seconds)
            began = time.perf_counter()
            answers = run()
            seconds = time.perf_counter() - began
            return sum(a.usage.completion_tokens for a in answers), seconds

        runs = interleave(
            {
                "single": lambda: timed(lambda: [route.answer(p, params) for p in prompts]),
                "batched": lambda: timed(lambda: route.answer_batch(prompts, params)),
            },
            args.rounds,
        )

    # The best run of each arm: the one least disturbed by other processes.
    single_tokens, single_s = min(runs["single"], key=lambda r: r[1] / max(r[0], 1))
    batch_tokens, batched_s = min(runs["batched"], key=lambda r: r[1] / max(r[0], 1))
    single_rate = single_tokens / single_s
    batch_rate = batch_tokens / batched_s
    print(machine_line())
    print(f"model: {backend.default_model}, {len(prompts)} prompts, max {args.max_tokens} tokens,")
    print(f"batch size {args.batch_size}, best of {args.rounds} interleaved runs per arm")
    print()
    print("| mode | completion tokens | wall s | tokens/s |")
    print("|---|---|---|---|")
    print(f"| one at a time | {single_tokens} | {single_s:.1f} | {single_rate:.1f} |")
    print(f"| batched ({args.batch_size}) | {batch_tokens} | {batched_s:.1f} | {batch_rate:.1f} |")
    print()
    print(f"speed-up: {batch_rate / single_rate:.2f}x tokens/s (target >= 2.5x)")


if __name__ == "__main__":
    main()
