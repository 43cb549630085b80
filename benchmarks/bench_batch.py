"""Local generation: one at a time, fixed batches and continuous batching, in the same run.

Every arm answers the same prompts through the same route (the system-prompt
route ``advisor bench`` uses) with greedy decoding and the same token cap:

* ``single``: one ``Route.answer`` call per prompt;
* ``batched``: fixed batches of ``--batch-size`` through ``Route.answer_batch``
  (``chat_batch``, left padding), as ``advisor bench`` ran before continuous
  batching: a batch delivers its answers when its longest one ends;
* ``continuous``: ``Route.answer_iter`` (``chat_batch_iter``) with
  ``--batch-size`` slots: a finished answer leaves, the next prompt takes its slot.

Figures: completion tokens per second of wall time, and the mean time until an
answer is available to the caller (the bench cache and progress bar).  The model
is loaded and warmed up before any arm is timed; arms are interleaved.

    nice .venv/bin/python benchmarks/bench_batch.py [--prompts 16] [--max-tokens 64] \
        [--arms single,batched,continuous] [--mixed]

``--slots 8,32`` compares continuous batching at several slot counts instead (the
product's ``local.batch_size``), interleaved like the other arms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

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


SHORT = "Reply with one word only. "
LABELS = {"single": "one at a time", "batched": "fixed batches", "continuous": "continuous"}


def timed(run: Callable[[], Iterable[Any]]) -> tuple[int, float, float]:
    """(completion tokens, wall s, mean s until each answer arrived) of one arm's run."""
    began = time.perf_counter()
    tokens, arrivals = 0, []
    for answer in run():
        tokens += answer.usage.completion_tokens
        arrivals.append(time.perf_counter() - began)
    return tokens, time.perf_counter() - began, sum(arrivals) / max(len(arrivals), 1)


def arms(route: Any, prompts: list[str], params: Any, size: int) -> dict[str, Callable[[], Any]]:
    def single() -> Iterable[Any]:
        return (route.answer(p, params) for p in prompts)

    def batched() -> Iterable[Any]:  # answers reach the caller batch by batch
        for start in range(0, len(prompts), size):
            yield from route.answer_batch(prompts[start : start + size], params)

    def continuous() -> Iterable[Any]:
        return (answer for _, answer in route.answer_iter(prompts, params))

    runs = {"single": single, "batched": batched, "continuous": continuous}
    return {name: partial(timed, run) for name, run in runs.items()}


def slot_arms(settings: Any, continuous: Callable[[], Any], slots: str) -> dict[str, Any]:
    """Continuous batching at each slot count of ``slots`` ("8,32"), by arm name."""

    def at(count: int) -> Any:
        settings.local.batch_size = count  # read by chat_batch_iter at each call
        return continuous()

    return {f"continuous ({n})": partial(at, int(n)) for n in slots.split(",") if n}


def report_slots(runs: dict[str, list[Any]], backend: Any, prompts: list[str], args: Any) -> None:
    best = {name: min(r, key=lambda run: run[1] / max(run[0], 1)) for name, r in runs.items()}
    print(machine_line())
    print(f"model: {backend.default_model}, {len(prompts)} prompts, max {args.max_tokens} tokens,")
    print(f"best of {args.rounds} interleaved runs per slot count")
    print()
    print("| mode | completion tokens | wall s | tokens/s | mean s to an answer |")
    print("|---|---|---|---|---|")
    for name, (tokens, seconds, arrival) in best.items():
        print(f"| {name} | {tokens} | {seconds:.1f} | {tokens / seconds:.1f} | {arrival:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8, help="Batch size and slots.")
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved runs of each arm.")
    parser.add_argument("--arms", default="single,batched,continuous")
    parser.add_argument("--slots", default="", help="e.g. 8,32: continuous at each slot count")
    parser.add_argument(
        "--scenario", default="", help="a scenario folder: its test prompts and system prompt"
    )
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="Ask every other prompt for a one-word answer: lengths vary as in a real scenario.",
    )
    args = parser.parse_args()
    chosen = [a for a in args.arms.split(",") if a]
    if not chosen or any(a not in LABELS for a in chosen):
        parser.error(f"--arms takes a comma-separated subset of {','.join(LABELS)}")
    pin_threads()  # the same thread policy for every arm, before torch loads

    from advisor.routes import SystemPromptRoute
    from advisor.settings import load_settings
    from backends.local import LocalBackend
    from backends.types import GenerationParams

    with tempfile.TemporaryDirectory() as data_dir:
        settings = load_settings(data_dir=data_dir)
        settings.local.batch_size = args.batch_size
        backend = LocalBackend(settings)
        system, pool = SYSTEM, PROMPTS
        if args.scenario:  # e.g. ja-support, whose answers run to the cap
            from advisor.bench.scenario import load_scenario

            scenario = load_scenario(Path(args.scenario))
            system, pool = scenario.system_prompt, [i.prompt for i in scenario.test_items()]
        route = SystemPromptRoute(backend, None, system)
        params = GenerationParams(max_tokens=args.max_tokens)
        prompts = (pool * (1 + args.prompts // len(pool)))[: args.prompts]
        if args.mixed:
            prompts = [SHORT + p if i % 2 else p for i, p in enumerate(prompts)]
        route.answer("warm up", GenerationParams(max_tokens=4))
        every = arms(route, prompts, params, args.batch_size)
        if args.slots:
            runs = interleave(slot_arms(settings, every["continuous"], args.slots), args.rounds)
            return report_slots(runs, backend, prompts, args)
        runs = interleave({name: every[name] for name in chosen}, args.rounds)

    # The best run of each arm: the one least disturbed by other processes.
    best = {name: min(r, key=lambda run: run[1] / max(run[0], 1)) for name, r in runs.items()}
    print(machine_line())
    mix = ", every other one asking for one word" if args.mixed else ""
    print(f"model: {backend.default_model}, {len(prompts)} prompts{mix},")
    print(f"max {args.max_tokens} tokens each,")
    print(f"batch size (slots) {args.batch_size}, best of {args.rounds} interleaved runs per arm")
    print()
    print("| mode | completion tokens | wall s | tokens/s | mean s to an answer |")
    print("|---|---|---|---|---|")
    for name, (tokens, seconds, arrival) in best.items():
        label = LABELS[name] + (f" ({args.batch_size})" if name != "single" else "")
        print(f"| {label} | {tokens} | {seconds:.1f} | {tokens / seconds:.1f} | {arrival:.1f} |")
    print()
    rate = {name: tokens / seconds for name, (tokens, seconds, _) in best.items()}
    if "single" in rate and "batched" in rate:
        print(f"batched: {rate['batched'] / rate['single']:.2f}x one-at-a-time tokens/s")
    if "batched" in rate and "continuous" in rate:
        wall = best["batched"][1] / best["continuous"][1]
        wait = best["batched"][2] / best["continuous"][2]
        print(f"continuous: {wall:.2f}x less wall time, {wait:.2f}x less mean wait than fixed")


if __name__ == "__main__":
    main()
