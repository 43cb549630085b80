"""What does running the prompts' shared system prompt once save a bench route?

Every request of a bench route starts with the same tokens: the chat template and
the scenario's system prompt (ja-support: 202 of a prompt's 265 tokens).  Since
2026-12-04 the continuous-batching engine (``backends/local/kv_batch.py``) runs
those tokens once and prefills only each prompt's own tokens after them
(``backends/local/shared_prefix.py``).

Arms, through the local backend's own ``continuous_chat`` on the embedded model in
the product's format (``local.dtype``), a scenario's system prompt over its test
prompts and paraphrases in the bench's order, greedy, the bench's cap on answer
tokens (``reference_max_tokens``), interleaved:

* ``whole``: every prompt prefilled whole (the engine before 2026-12-04);
* ``shared``: the engine today;
* ``whole-31``: ``whole`` with one slot fewer, once: its answers differ from
  ``whole``'s only by the rounding of matrix products of other shapes, the
  yardstick for how many answers ``shared`` changes.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_shared_prefix.py \\
        [--scenario ja-support] [--prompts 64] [--rounds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, pin_threads

SLOTS = 32


def requests(scenario: Any, count: int) -> list[str]:
    """The bench's requests in its order: each test prompt, then the paraphrases."""
    items = scenario.test_items()
    paraphrases = scenario.paraphrases()
    texts = [item.prompt for item in items]
    texts += [text for item in items for text in paraphrases.get(item.id, [])]
    return texts[:count]


def answer(loaded: Any, conversations: list[Any], limit: int, arm: str) -> tuple[float, list[str]]:
    """Seconds to answer every conversation, and the answers in input order."""
    import backends.local.continuous_chat as chat
    from backends.types import GenerationParams

    slots = SLOTS - 1 if arm == "whole-31" else SLOTS
    params = GenerationParams(temperature=0.0, max_tokens=limit)
    sharing: contextlib.AbstractContextManager[Any] = (
        contextlib.nullcontext()
        if arm == "shared"
        else mock.patch.object(chat, "common_prefix", lambda ids: [])
    )
    with sharing:
        began = time.perf_counter()
        results = dict(
            chat.continuous_chat(
                loaded,
                conversations,
                name="bench",
                backend="local",
                params=params,
                default_max_tokens=limit,
                slots=slots,
            )
        )
        seconds = time.perf_counter() - began
    return seconds, [results[i].text for i in range(len(conversations))]


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="ja-support")
    parser.add_argument("--prompts", type=int, default=64, help="Requests answered per run.")
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved runs of each arm.")
    return parser.parse_args()


def main() -> None:
    args = parse()
    pin_threads()  # one thread policy for every arm, before torch loads

    from advisor.bench.answer_length import reference_max_tokens
    from advisor.bench.scenario import load_scenario
    from advisor.settings import load_settings
    from backends.local.backend import LocalBackend
    from backends.local.shared_prefix import common_prefix
    from backends.types import ChatMessage

    scenario = load_scenario(args.scenario)
    limit = reference_max_tokens(scenario)
    backend = LocalBackend(load_settings())
    loaded = backend.load(backend.default_model)
    system = ChatMessage(role="system", content=scenario.system_prompt)
    conversations = [
        [system, ChatMessage(role="user", content=text)]
        for text in requests(scenario, args.prompts)
    ]
    arms: dict[str, Callable[[], tuple[float, list[str]]]]
    arms = {arm: partial(answer, loaded, conversations, limit, arm) for arm in ("whole", "shared")}
    runs = interleave(arms, args.rounds)
    yardstick = answer(loaded, conversations, limit, "whole-31")
    print(machine_line())
    print("| prefill | seconds (each round) | vs whole | answers as whole's |")
    print("|---|---|---|---|")
    base = median(seconds for seconds, _ in runs["whole"])
    reference = runs["whole"][0][1]
    for arm, results in [*runs.items(), ("whole-31", [yardstick])]:
        wall = median(seconds for seconds, _ in results)
        each = ", ".join(f"{seconds:.1f}" for seconds, _ in results)
        same = sum(a == b for a, b in zip(results[0][1], reference, strict=True))
        print(f"| {arm} | {wall:.1f} ({each}) | {base / wall:.2f}x | {same} of {len(reference)} |")
    tokenizer = loaded.tokenizer
    ids = [  # as continuous_chat tokenizes them
        list(
            tokenizer(tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True))[
                "input_ids"
            ]
        )
        for c in [
            [m.model_dump(include={"role", "content"}) for m in conv] for conv in conversations
        ]
    ]
    shared = len(common_prefix(ids))
    print(
        f"\n{args.scenario}: {len(ids)} requests of {sum(map(len, ids)) / len(ids):.0f} prompt "
        f"tokens on average, {shared} of them shared; at most {limit} answer tokens; "
        f"{SLOTS} slots; {loaded.model.dtype}; medians of {args.rounds} interleaved runs per "
        "arm, whole-31 once."
    )


if __name__ == "__main__":
    main()
