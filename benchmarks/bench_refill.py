"""Does refilling a finished row in place answer a scenario faster than rebuilding the batch?

Continuous batching (``backends/local/continuous.py``) used to drop a finished
row from the KV cache (``keep``: every other row copied) and append the next
waiting prompt (``join``: the whole cache copied again, and once more when the
next step needed spare columns).  Since 2026-12-03 the waiting prompt takes the
finished row's place (``replace``): its keys and values are written into that
row and the other rows are not touched; rows are dropped only once nothing waits.

Arms, through the product's ``TransformersEngine`` on the embedded model in the
product's format (``local.dtype``), the same requests, greedy:

* ``rebuild``: the scheduler loop before 2026-12-03 (kept below, verbatim in
  what it asks of the engine);
* ``refill``: the product's :class:`~backends.local.continuous.Scheduler`.

The requests are what ``advisor bench`` sends one route: each test prompt of
``--scenario`` ``--repeats`` times, then each paraphrase once, under the
scenario's system prompt, ``--slots`` at once, each answer capped at
``--max-tokens``.  Prints wall time and tokens/s per round (arms interleaved),
where the time went (engine calls), and whether both arms gave the same tokens.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_refill.py \\
        [--scenario house-rules] [--max-tokens 160] [--repeats 2] [--slots 32] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, pin_threads

ARMS = ("rebuild", "refill")


@dataclass
class Timed:
    """Wraps an engine: seconds and calls per operation."""

    engine: Any
    seconds: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)

    def __getattr__(self, name: str) -> Any:
        operation = getattr(self.engine, name)

        def timed(*args: Any) -> Any:
            began = time.perf_counter()
            result = operation(*args)
            self.seconds[name] += time.perf_counter() - began
            self.calls[name] += 1
            return result

        return timed


def rebuild(
    engine: Any, slots: int, end: frozenset[int], prompts: Sequence[Sequence[int]], limit: int
) -> Iterator[tuple[int, list[int]]]:
    """The scheduler before 2026-12-03: finished rows leave (keep), waiting ones join."""
    waiting = deque(range(len(prompts)))
    running: list[tuple[int, list[int]]] = []
    batch = None
    while waiting or running:
        free = slots - len(running)
        if free > 0 and waiting:
            entering = [waiting.popleft() for _ in range(min(free, len(waiting)))]
            fresh, first = engine.prefill([prompts[i] for i in entering])
            batch = fresh if batch is None else engine.join(batch, fresh)
            running += [(index, [token]) for index, token in zip(entering, first, strict=True)]
        else:
            batch, following = engine.step(batch, [tokens[-1] for _, tokens in running])
            for (_, tokens), token in zip(running, following, strict=True):
                tokens.append(token)
        staying = []
        for row, (index, tokens) in enumerate(running):
            if tokens[-1] in end or len(tokens) >= limit:
                yield index, tokens
            else:
                staying.append(row)
        if len(staying) < len(running):
            running = [running[row] for row in staying]
            batch = engine.keep(batch, staying) if running else None


@dataclass(frozen=True)
class Answered:
    seconds: float
    tokens: dict[int, list[int]]
    spent: Counter[str]
    calls: Counter[str]

    @property
    def tokens_per_s(self) -> float:
        return sum(map(len, self.tokens.values())) / self.seconds


def answer(
    model: Any, pad: int, end: frozenset[int], prompts: list[list[int]], args: Any, arm: str
) -> Answered:
    import torch

    from backends.local.continuous import Scheduler
    from backends.local.kv_batch import TransformersEngine

    engine = Timed(TransformersEngine(model, pad, "cpu"))
    with torch.inference_mode():
        began = time.perf_counter()
        if arm == "rebuild":
            finished = dict(rebuild(engine, args.slots, end, prompts, args.max_tokens))
        else:
            scheduler = Scheduler(engine, args.slots, end)
            run = scheduler.run(prompts, [args.max_tokens] * len(prompts))
            finished = {item.index: item.tokens for item in run}
        seconds = time.perf_counter() - began
    return Answered(seconds, finished, engine.seconds, engine.calls)


def bench_requests(name: str, repeats: int, tokenizer: Any) -> list[list[int]]:
    """What ``advisor bench`` sends one route: prompts per repeat, then paraphrases."""
    from advisor.bench.scenario import load_scenario

    scenario = load_scenario(name)
    items = scenario.test_items()
    paraphrases = scenario.paraphrases()
    texts = [item.prompt for _ in range(repeats) for item in items]
    texts += [text for item in items for text in paraphrases.get(item.id, [])]

    def ids(text: str) -> list[int]:
        messages = [{"role": "user", "content": text}]
        if scenario.system_prompt:
            messages.insert(0, {"role": "system", "content": scenario.system_prompt})
        chat = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return list(tokenizer(chat)["input_ids"])

    return [ids(text) for text in texts]


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="house-rules")
    parser.add_argument("--max-tokens", type=int, default=160, help="Each answer's cap.")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--slots", type=int, default=32, help="Answers generated at once.")
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved runs of each arm.")
    return parser.parse_args()


def main() -> None:
    args = parse()
    pin_threads()  # one thread policy for both arms, before torch loads

    from transformers import AutoTokenizer

    from advisor.embedded import configure_offline, resolve_chat_model
    from advisor.precision import model_dtype
    from advisor.settings import load_settings
    from backends.local.continuous_chat import end_tokens
    from backends.local.serving import load_network

    settings = load_settings()
    configure_offline(settings)
    path = str(resolve_chat_model(settings.local.model, settings))
    dtype = model_dtype(settings, "cpu")
    model = load_network(path, dtype, None, dtype, merged=False).eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    prompts = bench_requests(args.scenario, args.repeats, tokenizer)
    end = end_tokens(model)
    runs = interleave(
        {
            arm: partial(answer, model, tokenizer.pad_token_id, end, prompts, args, arm)
            for arm in ARMS
        },
        args.rounds,
    )
    print(machine_line())
    print("| scheduler | wall s (each round) | tokens/s | vs rebuild | engine time, last round |")
    print("|---|---|---|---|---|")
    base = median(a.seconds for a in runs[ARMS[0]])
    for arm in ARMS:
        each = ", ".join(f"{a.seconds:.1f}" for a in runs[arm])
        wall = median(a.seconds for a in runs[arm])
        last = runs[arm][-1]
        spent = "; ".join(
            f"{op} {last.spent[op]:.1f} s ({last.calls[op]})" for op in sorted(last.spent)
        )
        rate = median(a.tokens_per_s for a in runs[arm])
        print(f"| {arm} | {wall:.1f} ({each}) | {rate:.1f} | {base / wall:.2f}x | {spent} |")
    lengths = [len(t) for t in runs[ARMS[1]][0].tokens.values()]
    same = runs["rebuild"][0].tokens == runs["refill"][0].tokens
    print(
        f"\n{args.scenario}: {len(prompts)} requests ({args.repeats} repeats and the "
        f"paraphrases), answers of {min(lengths)}-{max(lengths)} tokens "
        f"(mean {sum(lengths) / len(lengths):.0f}, cap {args.max_tokens}), {args.slots} slots, "
        f"{dtype}; medians of {args.rounds} interleaved runs per arm; the same tokens in both "
        f"arms: {'yes' if same else 'NO'}."
    )


if __name__ == "__main__":
    main()
