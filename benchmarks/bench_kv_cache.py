"""Does the KV cache that grows in place answer long batches faster?

The continuous-batching engine (``backends/local/kv_batch.py``) held its keys and
values in transformers' ``DynamicLayer``, which concatenates at every decode step:
each step copies the whole cache into newly allocated memory.  Since 2026-12-03
its ``GrowingLayer`` writes each step into spare columns instead.  A profile of 32
ja-support answers at their 256-token cap put ``aten::cat`` at 63% of a decode
step's CPU time by step 200.

Arms, through the engine's own ``prefill`` and ``step`` on the embedded model in
the product's format (``local.dtype``), the same prompts:

* ``concatenating``: transformers' ``DynamicCache`` (the engine before 2026-12-03);
* ``growing``: the engine today.

Each arm prefills ``--prompts`` prompts of a shipped scenario at once and decodes
``--tokens`` steps (end tokens ignored, so every row runs to the cap, as a base
model's Japanese answers do); decode tokens/s per round, arms interleaved, and
whether both arms chose the same tokens (they should: the same arithmetic).
docs/performance.md has a run.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_kv_cache.py \\
        [--scenario ja-support] [--prompts 32] [--tokens 256] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, pin_threads

ARMS = ("concatenating", "growing")


@dataclass(frozen=True)
class Decoded:
    prefill_seconds: float
    decode_seconds: float
    steps: int
    rows: int
    tokens: list[list[int]]

    @property
    def tokens_per_s(self) -> float:
        return self.steps * self.rows / self.decode_seconds


def concatenating_cache(layers: list[tuple[Any, Any]] | None = None) -> Any:
    """transformers' own cache, as the engine built it before 2026-12-03."""
    from transformers import DynamicCache

    return DynamicCache(ddp_cache_data=layers) if layers else DynamicCache()


def decode(model: Any, pad: int, prompts: list[list[int]], steps: int, arm: str) -> Decoded:
    import torch

    import backends.local.kv_batch as kv_batch

    patches = []
    if arm == "concatenating":
        patches = [
            mock.patch.object(kv_batch, "GrowingCache", concatenating_cache),
            mock.patch.object(kv_batch, "_cache", concatenating_cache),
        ]
    for patch in patches:
        patch.start()
    try:
        engine = kv_batch.TransformersEngine(model, pad, "cpu")
        with torch.inference_mode():
            began = time.perf_counter()
            batch, following = engine.prefill(prompts)
            prefilled = time.perf_counter()
            chosen = [following]
            for _ in range(steps):
                batch, following = engine.step(batch, following)
                chosen.append(following)
            ended = time.perf_counter()
    finally:
        for patch in patches:
            patch.stop()
    rows = [list(column) for column in zip(*chosen, strict=True)]
    return Decoded(prefilled - began, ended - prefilled, steps, len(prompts), rows)


def scenario_prompts(name: str, count: int, tokenizer: Any) -> list[list[int]]:
    """The scenario's first ``count`` test prompts under its system prompt, as token ids."""
    from advisor.bench.scenario import load_scenario

    scenario = load_scenario(name)
    prompts = []
    for item in scenario.test_items()[:count]:
        messages = [{"role": "user", "content": item.prompt}]
        if scenario.system_prompt:
            messages.insert(0, {"role": "system", "content": scenario.system_prompt})
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        prompts.append(list(tokenizer(text)["input_ids"]))
    return prompts


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="ja-support")
    parser.add_argument("--prompts", type=int, default=32, help="Rows decoded at once.")
    parser.add_argument("--tokens", type=int, default=256, help="Decode steps per row.")
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved runs of each arm.")
    return parser.parse_args()


def main() -> None:
    args = parse()
    pin_threads()  # one thread policy for both arms, before torch loads

    from transformers import AutoTokenizer

    from advisor.embedded import configure_offline, resolve_chat_model
    from advisor.precision import model_dtype
    from advisor.settings import load_settings
    from backends.local.serving import load_network

    settings = load_settings()
    configure_offline(settings)
    path = str(resolve_chat_model(settings.local.model, settings))
    dtype = model_dtype(settings, "cpu")
    model = load_network(path, dtype, None, dtype, merged=False).eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    prompts = scenario_prompts(args.scenario, args.prompts, tokenizer)
    runs = interleave(
        {
            arm: partial(decode, model, tokenizer.pad_token_id, prompts, args.tokens, arm)
            for arm in ARMS
        },
        args.rounds,
    )
    rates = {arm: median(d.tokens_per_s for d in runs[arm]) for arm in ARMS}
    print(machine_line())
    print("| cache | decode tokens/s (each round) | vs concatenating | prefill s |")
    print("|---|---|---|---|")
    for arm in ARMS:
        each = ", ".join(f"{d.tokens_per_s:.0f}" for d in runs[arm])
        prefill = median(d.prefill_seconds for d in runs[arm])
        print(
            f"| {arm} | {rates[arm]:.1f} ({each}) | {rates[arm] / rates[ARMS[0]]:.2f}x "
            f"| {prefill:.2f} |"
        )
    same = runs["concatenating"][0].tokens == runs["growing"][0].tokens
    mean_prompt = sum(map(len, prompts)) / len(prompts)
    print(
        f"\n{args.scenario}: {len(prompts)} prompts of {mean_prompt:.0f} tokens on average, "
        f"{args.tokens} decode steps each, {dtype}; medians of {args.rounds} interleaved runs "
        f"per arm; the same tokens in both arms: {'yes' if same else 'NO'}."
    )


if __name__ == "__main__":
    main()
