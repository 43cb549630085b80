"""The onnx engine: fixed batches against ORT GenAI's ``og.Engine`` refilled as answers end.

Issue 19, item 3 asks for continuous batching on the onnx engine too.  ORT GenAI
0.18 has a request scheduler, ``og.Engine``; this script measures whether it
gives continuous batching on the model the product builds (CPU, no paged
attention).  Arms, same prompts, greedy, interleaved, one model load each:

* ``fixed``: the product's path (``OnnxModel.generate``, one ``og.Generator``
  per chunk of ``--batch-size`` prompts, as ``chat.chat_batch_iter`` runs it);
* ``engine``: one ``og.Engine`` whose batch capacity is raised to
  ``--batch-size`` (``engine.static_batching.max_batch_size`` overlay), up to
  ``--batch-size`` requests in flight, the next prompt submitted the moment an
  answer ends (``TURN_FINISHED``).

Besides wall time it prints, for the engine arm, how many engine steps a
request submitted into a freed slot waited before its first token: 1 (its
prefill step) if the engine refills freed slots, the rest of the batch if not.
Both arms must give the same tokens (checked).

    ADVISOR_LOCAL__THREADS=1 nice .venv/bin/python benchmarks/bench_onnx_refill.py \
        [--prompts 12] [--max-tokens 48] [--batch-size 4] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, pin_threads
from bench_batch import PROMPTS, SHORT, SYSTEM

Answers = dict[int, list[int]]
Run = tuple[Answers, float, list[int]]  # tokens per prompt, wall s, steps waited per refill


def fixed_arm(model: Any, texts: list[str], limit: int, size: int) -> Callable[[], Run]:
    def run() -> Run:
        answers: Answers = {}
        began = time.perf_counter()
        for start in range(0, len(texts), size):
            chunk = texts[start : start + size]
            for row in model.generate(
                chunk, limit=limit, sampling={"do_sample": False}, adapter=None
            ):
                answers[start + row.row] = row.tokens
        return answers, time.perf_counter() - began, []

    return run


def engine_arm(model: Any, texts: list[str], limit: int, size: int) -> Callable[[], Run]:
    import numpy as np
    import onnxruntime_genai as og

    engine = og.Engine(model.model)
    capacity = engine.get_capabilities().configured_max_batch_size
    assert capacity >= size, f"engine capacity {capacity} < batch size {size}"
    ids = [np.asarray(model.tokenizer.encode(t), dtype=np.int32) for t in texts]
    ends = model.end_tokens()

    def run() -> Run:
        answers: Answers = {i: [] for i in range(len(texts))}
        pending, live = list(range(len(texts))), dict[int, Any]()
        submitted: dict[int, int] = {}  # prompt -> step it was submitted after
        waited: list[int] = []
        buffer = engine.create_event_buffer(4 * size)
        step = 0
        began = time.perf_counter()

        def submit() -> None:
            while pending and len(live) < size:
                index = pending.pop(0)
                request = engine.create_request(options=og.RequestOptions())
                options = og.TurnOptions(request)
                options.set_max_generated_tokens(limit)
                options.set_do_sample(False)
                request.begin_turn(ids[index], options)
                live[index], submitted[index] = request, step

        submit()
        while engine.has_pending_requests():
            engine.run(buffer)
            step += 1
            for k in range(len(buffer)):
                event = buffer[k]
                index = next(i for i, r in live.items() if r == event.request)
                flags = int(event.flags.value)
                if flags & int(og.EngineEventFlags.TOKEN.value):
                    if not answers[index] and submitted[index] > 0:  # a refill's first token
                        waited.append(step - submitted[index])
                    if int(event.token) not in ends:
                        answers[index].append(int(event.token))
                if flags & int(og.EngineEventFlags.TURN_FINISHED.value):
                    live.pop(index).close()
            submit()
        return answers, time.perf_counter() - began, waited

    return run


def load(threads: int, size: int) -> Any:
    """The product's fp32 onnx model, with the engine's batch capacity raised to ``size``."""
    import onnxruntime_genai as og

    from advisor.settings import load_settings
    from backends.local.onnx_engine.build import ensure_built
    from backends.local.onnx_engine.engine import OnnxModel

    settings = load_settings()
    folder = ensure_built(settings.models_dir, settings.models_dir / settings.local.model, "fp32")
    model = OnnxModel.load(folder, threads)
    config = og.Config(str(folder))
    config.clear_providers()
    session = {"intra_op_num_threads": threads, "inter_op_num_threads": 1}
    overlay = {"model": {"decoder": {"session_options": session}}}
    overlay["engine"] = {"static_batching": {"max_batch_size": size}}
    config.overlay(json.dumps(overlay))
    model.model = og.Model(config)  # same folder and threads; the tokenizer is the same
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=12)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--batch-size", type=int, default=4, help="Batch size and slots.")
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved runs of each arm.")
    args = parser.parse_args()
    threads = pin_threads()
    model = load(threads, args.batch_size)
    prompts = (PROMPTS * (1 + args.prompts // len(PROMPTS)))[: args.prompts]
    prompts = [SHORT + p if i % 2 else p for i, p in enumerate(prompts)]  # lengths vary
    system = {"role": "system", "content": SYSTEM}
    texts = [model.encode([system, {"role": "user", "content": p}])[0] for p in prompts]
    arms = {
        "fixed": fixed_arm(model, texts, args.max_tokens, args.batch_size),
        "engine": engine_arm(model, texts, args.max_tokens, args.batch_size),
    }
    for run in arms.values():
        run()  # warm up, untimed
    runs = interleave(arms, args.rounds)
    same = all(r[0] == runs["fixed"][0][0] for name in runs for r in runs[name])
    print(machine_line())
    print(f"model: {model.folder.name}, {len(prompts)} prompts, every other one asking for one")
    print(f"word, max {args.max_tokens} tokens each, batch size (slots) {args.batch_size},")
    print(f"ORT threads {threads}, {args.rounds} interleaved runs per arm (best shown)")
    print()
    print("| arm | completion tokens | wall s (runs) | steps a refill waited (max) |")
    print("|---|---|---|---|")
    for name, results in runs.items():
        tokens = sum(len(t) for t in results[0][0].values())
        walls = ", ".join(f"{r[1]:.1f}" for r in results)
        waits = max((w for r in results for w in r[2]), default=0)
        print(
            f"| {name} | {tokens} | {min(r[1] for r in results):.1f} ({walls}) | {waits or '-'} |"
        )
    print()
    best = {name: min(r[1] for r in results) for name, results in runs.items()}
    print(f"same tokens in every run of both arms: {same}")
    print(f"engine refill: {best['fixed'] / best['engine']:.2f}x less wall time than fixed batches")


if __name__ == "__main__":
    main()
