"""Are long prompts prefilled faster a few at a time than all in one padded batch?

A padded batch's prefill attends through a mask, so SDPA computes every row's
width x width scores, padding included.  On product-manual's rag route (about
1,140 prompt tokens a request: the retrieved chunks) run N answered 80 requests
in 165 s where its plan, from the calibrated prompt rate, said 43-63 s.  Since
2026-12-03 the continuous-batching engine (``backends/local/kv_batch.py``)
prefills in consecutive groups whose rows x width^2 stays within
``PREFILL_SCORES`` and stacks their caches once.

Arms, through the engine's own ``prefill`` on the embedded model in the
product's format (``local.dtype``), the same prompts, interleaved:

* ``one-call``: every prompt in one padded batch (the engine before 2026-12-03);
* ``grouped``: the engine today.

The prompts are RAG-sized stand-ins: ``--prompts`` runs of product-manual's
knowledge documents of ``--words`` words and up to ``--spread`` more, under a
short system prompt, with a question after them (the route's retrieval is not
run, so the figure is the prefill alone).  Both arms must choose the same first
tokens (checked).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_prefill.py \\
        [--prompts 32] [--words 700] [--spread 500] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, pin_threads

ARMS = ("one-call", "grouped")
KNOWLEDGE = Path(__file__).resolve().parents[1] / "scenarios" / "product-manual" / "knowledge"


def stand_in_prompts(tokenizer: Any, count: int, words: int, spread: int) -> list[list[int]]:
    text = " ".join(path.read_text() for path in sorted(KNOWLEDGE.iterdir()) if path.is_file())
    pool = text.split()
    prompts = []
    for index in range(count):
        size = words + (index * 37) % max(1, spread)
        start = (index * 13) % max(1, len(pool) - size)
        context = " ".join(pool[start : start + size])
        messages = [
            {"role": "system", "content": "Answer from the context."},
            {"role": "user", "content": f"{context}\nQuestion: how do I reset it?"},
        ]
        chat = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        prompts.append(list(tokenizer(chat)["input_ids"]))
    return prompts


def prefill(model: Any, pad: int, prompts: list[list[int]], arm: str) -> tuple[float, list[int]]:
    import torch

    import backends.local.kv_batch as kv_batch

    budget = 1 << 62 if arm == "one-call" else kv_batch.PREFILL_SCORES
    with mock.patch.object(kv_batch, "PREFILL_SCORES", budget), torch.inference_mode():
        engine = kv_batch.TransformersEngine(model, pad, "cpu")
        began = time.perf_counter()
        _, first = engine.prefill(prompts)
        return time.perf_counter() - began, first


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=32, help="Prompts prefilled at once.")
    parser.add_argument("--words", type=int, default=700, help="Smallest context, in words.")
    parser.add_argument("--spread", type=int, default=500, help="Up to this many words more.")
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved runs of each arm.")
    return parser.parse_args()


def main() -> None:
    args = parse()
    pin_threads()  # one thread policy for both arms, before torch loads

    from transformers import AutoTokenizer

    from advisor.embedded import configure_offline, resolve_chat_model
    from advisor.precision import model_dtype
    from advisor.settings import load_settings
    from backends.local.kv_batch import PREFILL_SCORES, prefill_groups
    from backends.local.serving import load_network

    settings = load_settings()
    configure_offline(settings)
    path = str(resolve_chat_model(settings.local.model, settings))
    dtype = model_dtype(settings, "cpu")
    model = load_network(path, dtype, None, dtype, merged=False).eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    prompts = stand_in_prompts(tokenizer, args.prompts, args.words, args.spread)
    tokens = sum(map(len, prompts))
    runs = interleave(
        {arm: partial(prefill, model, tokenizer.pad_token_id, prompts, arm) for arm in ARMS},
        args.rounds,
    )
    print(machine_line())
    print("| prefill | seconds (each round) | prompt tokens/s | vs one call |")
    print("|---|---|---|---|")
    base = median(seconds for seconds, _ in runs[ARMS[0]])
    for arm in ARMS:
        wall = median(seconds for seconds, _ in runs[arm])
        each = ", ".join(f"{seconds:.1f}" for seconds, _ in runs[arm])
        print(f"| {arm} | {wall:.1f} ({each}) | {tokens / wall:.0f} | {base / wall:.2f}x |")
    groups = prefill_groups([len(p) for p in prompts], PREFILL_SCORES)
    same = runs["one-call"][0][1] == runs["grouped"][0][1]
    print(
        f"\n{len(prompts)} prompts of {min(map(len, prompts))}-{max(map(len, prompts))} tokens "
        f"({tokens / len(prompts):.0f} on average), {dtype}; grouped: {len(groups)} groups; "
        f"medians of {args.rounds} interleaved runs per arm; the same first tokens in both "
        f"arms: {'yes' if same else 'NO'}."
    )


if __name__ == "__main__":
    main()
