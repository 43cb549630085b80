"""Local decode speed: the torch engine against the onnx engine (ONNX Runtime GenAI).

Issue 19, item 3: generation through a real inference engine.  Arms:

* ``torch``: transformers ``generate`` on the converted float32 model (the
  product's default engine, ``local.engine = "torch"``);
* ``onnx-fp32``: the onnx engine's model (``local.engine = "onnx"``), built
  from the same folder, float32, with its (zero) LoRA slots as the product
  serves it;
* ``onnx-int8``: the same at ``local.onnx_precision = "int8"`` (MatMulNBits,
  8 bits, float LoRA slots), which changes answers;
* ``onnx-int4``: the same at ``local.onnx_precision = "int4"`` (MatMulNBits),
  when it builds here; int4 changes answers, see docs/performance.md for how to
  measure what that costs in pass rate.

Each arm is its own worker process with the same thread count
(``ADVISOR_LOCAL__THREADS``: the product's policy chosen once by this script,
or ``--threads``) and passive OpenMP waits; models load and build untimed
before any arm is timed; arms alternate each round (``_machine.interleave``).
Speed is decode speed at batch 1 and batch 8: new tokens after the first over
the time after the first token, every row forced to the same length, so the
prompt's prefill does not count.

    nice .venv/bin/python benchmarks/bench_engine.py [--rounds 2] [--tokens 32] \
        [--arms torch,onnx-fp32,onnx-int8,onnx-int4] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line
from bench_threads import Arm as _ThreadArm

PROMPTS = [
    "Describe the water cycle in a few sentences.",
    "What is the capital of France?",
    "Write one sentence about the sea.",
    "How do I reset my password?",
    "List three colours.",
    "Explain what an invoice total is.",
    "Give me a tip for learning a language.",
    "Why is the sky blue?",
]
BATCHES = (1, 8)


# --- workers: one engine each, timed generations on request -------------------------------


def torch_worker(model_path: str) -> Callable[[int, int], list[float]]:
    """``generate(batch, tokens)`` for the torch engine; per-step timestamps."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, StoppingCriteria
    from transformers.utils import logging as hf_logging

    from advisor.settings import load_settings
    from advisor.threads import use_thread_policy

    hf_logging.disable_progress_bar()  # one table on stdout, no loading bars on stderr

    use_thread_policy(load_settings())  # torch is loaded: size its pools
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    tokenizer.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(model_path).eval()
    texts = [
        tokenizer.apply_chat_template(
            [{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True
        )
        for p in PROMPTS
    ]

    class Clock(StoppingCriteria):
        def __init__(self) -> None:
            self.times: list[float] = []

        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            self.times.append(time.perf_counter())
            return torch.zeros(input_ids.shape[0], dtype=torch.bool)

    def generate(batch: int, tokens: int) -> list[float]:
        inputs = tokenizer(texts[:batch], return_tensors="pt", padding=True)
        clock = Clock()
        with torch.inference_mode():
            model.generate(
                **inputs,
                do_sample=False,
                max_new_tokens=tokens,
                min_new_tokens=tokens,
                stopping_criteria=[clock],
                pad_token_id=tokenizer.eos_token_id,
            )
        return clock.times

    return generate


def onnx_worker(model_path: str, precision: str) -> Callable[[int, int], list[float]]:
    """``generate(batch, tokens)`` for the onnx engine as the product loads it."""
    import onnxruntime_genai as og

    from advisor.settings import load_settings
    from advisor.threads import policy_threads
    from backends.local.onnx_engine.build import ensure_built
    from backends.local.onnx_engine.engine import OnnxModel

    settings = load_settings()
    folder = ensure_built(settings.models_dir, Path(model_path), precision)
    loaded = OnnxModel.load(folder, policy_threads(settings))
    texts = [loaded.encode([{"role": "user", "content": p}])[0] for p in PROMPTS]

    def generate(batch: int, tokens: int) -> list[float]:
        encoded = loaded.tokenizer.encode_batch(texts[:batch]).as_numpy()
        width = int(encoded.shape[1])
        params = og.GeneratorParams(loaded.model)
        params.set_search_options(
            max_length=width + tokens, min_length=width + tokens, do_sample=False, batch_size=batch
        )
        generator = og.Generator(loaded.model, params)
        generator.append_tokens(encoded)
        times = []
        while not generator.is_done():
            generator.generate_next_token()
            times.append(time.perf_counter())
        return times

    return generate


def worker(arm: str, model_path: str) -> None:
    """Load one engine, then answer stdin lines ``BATCH TOKENS`` with decode tokens/s."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if arm == "torch":
        generate = torch_worker(model_path)
    else:
        generate = onnx_worker(model_path, arm.removeprefix("onnx-"))
    generate(1, 2)  # warm-up: first-call allocations and kernel choices
    from advisor.settings import load_settings
    from advisor.threads import policy_threads

    print(json.dumps({"threads": policy_threads(load_settings())}), flush=True)
    for line in sys.stdin:
        batch, tokens = (int(x) for x in line.split())
        times = generate(batch, tokens)
        decode = batch * (len(times) - 1) / (times[-1] - times[0])
        print(json.dumps({"tokens_per_s": decode}), flush=True)


# --- the parent -----------------------------------------------------------------------------


class Arm(_ThreadArm):
    """A worker process for one engine (bench_threads' pipes, this script's worker)."""

    def __init__(self, arm: str, model_path: str, threads: int) -> None:
        import subprocess

        env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS",)}
        env["ADVISOR_LOCAL__THREADS"] = str(threads)
        env["OMP_WAIT_POLICY"] = "PASSIVE"
        env["OMP_NUM_THREADS"] = str(threads)  # before torch loads, as the product sets it
        root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", arm, model_path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.info = {}

    def decode(self, batch: int, tokens: int) -> float:
        stdin, stdout = self._pipes()
        stdin.write(f"{batch} {tokens}\n")
        stdin.flush()
        speed: float = json.loads(stdout.readline())["tokens_per_s"]
        return speed


def main() -> None:
    from advisor.embedded import resolve_chat_model
    from advisor.settings import load_settings
    from advisor.threads import policy_threads

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--tokens", type=int, default=32, help="new tokens per row")
    parser.add_argument(
        "--arms", default="torch,onnx-fp32,onnx-int8,onnx-int4", help="comma-separated"
    )
    parser.add_argument("--threads", type=int, default=None, help="default: the product policy")
    args = parser.parse_args()

    settings = load_settings()
    threads = args.threads or policy_threads(settings)
    # What every arm runs with, so that the machine line says it too.
    os.environ.update(OMP_NUM_THREADS=str(threads), OMP_WAIT_POLICY="PASSIVE")
    model_path = resolve_chat_model(settings.local.model, settings)
    names = [a.strip() for a in args.arms.split(",") if a.strip()]
    arms = {name: Arm(name, model_path, threads) for name in names}
    ready: dict[str, Arm] = {}
    try:
        for name, arm in arms.items():  # builds (once) and loads, untimed
            try:
                arm.wait_ready()
                ready[name] = arm
            except SystemExit as exc:  # an engine that does not build here: reported, skipped
                print(f"{name}: skipped ({exc})", file=sys.stderr)
        results = {
            batch: interleave(
                {n: (lambda a=a, b=batch: a.decode(b, args.tokens)) for n, a in ready.items()},
                args.rounds,
            )
            for batch in BATCHES
        }
    finally:
        for arm in arms.values():
            arm.close()
    report(args, threads, results)


def report(
    args: argparse.Namespace, threads: int, results: dict[int, dict[str, list[float]]]
) -> None:
    print(machine_line())
    print(
        f"greedy decode tokens/s (after the first token, all rows {args.tokens} tokens); "
        f"{args.rounds} interleaved rounds; {threads} threads in every arm"
    )
    print()
    print("| engine | batch | decode tokens/s (median) | x torch | runs |")
    print("| --- | --- | --- | --- | --- |")
    for batch, arms in results.items():
        base = median(arms["torch"]) if "torch" in arms else None
        for name, runs in arms.items():
            ratio = f"{median(runs) / base:.2f}" if base else "-"
            listed = ", ".join(f"{r:.1f}" for r in runs)
            print(f"| {name} | {batch} | {median(runs):.1f} | {ratio} | {listed} |")


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3])
    else:
        main()
