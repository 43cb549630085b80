"""Local generation speed: torch's default threads against the product's thread policy.

The first acceptance line of issue 19, in one run:

* **under load**: two busy processes (pure-python spin loops) that this script
  starts before the phase and kills after it; batch-1 greedy decoding with
  torch's default threads (one per core, OpenMP's spinning waits: what the
  product did before ``advisor/threads.py``) against the product's policy
  (passive waits, the threads it picks for this machine under that load);
  target: the policy at least 5x the default;
* **idle** (whatever else runs on the machine: see the machine line): batch-1
  greedy decoding with the policy, against the memory-bandwidth limit, the
  bytes of weights read per generated token divided by the measured memory
  bandwidth (parallel numpy copies, read + written bytes); target: 50%.

Thread settings are fixed when OpenMP starts, so every arm is its own worker
process, started with its environment and fed requests on stdin; the model
loads (untimed) before any arm is timed, and the arms alternate each round.
Speed is decode speed: the tokens after the first over the time after the
first (per-token timestamps from a stopping criterion), so the prompt's
prefill does not count.  The load's policy thread count is what
``advisor.threads.choose_threads`` picks with the two busy processes added to
the load average: the one-minute average lags a load just started, and a real
shared machine has had its load for longer than that.

    nice .venv/bin/python benchmarks/bench_threads.py [--rounds 2] [--tokens 32] \
        [--loaded-tokens 16]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import median
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line

PROMPT = "Describe the water cycle in a few sentences."
BUSY = "while True:\n    pass\n"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "MKL_NUM_THREADS")


# --- the worker: one model, one thread setting ---------------------------------------------


def worker(model_path: str, policy: bool) -> None:
    """Load the model, then answer each stdin line ``N`` with one timed N-token generation."""
    if policy:  # before torch loads, as every local model process of the product does
        from advisor.settings import load_settings
        from advisor.threads import use_thread_policy

        use_thread_policy(load_settings())
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, StoppingCriteria
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # one table on stdout, no loading bars on stderr
    if policy:
        use_thread_policy(load_settings())  # torch is loaded: size its pools
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModelForCausalLM.from_pretrained(model_path).eval()
    text = tokenizer.apply_chat_template(
        [{"role": "user", "content": PROMPT}], tokenize=False, add_generation_prompt=True
    )
    inputs = tokenizer(text, return_tensors="pt")

    class Clock(StoppingCriteria):
        """Notes the time each new token is ready; never stops anything itself."""

        def __init__(self) -> None:
            self.times: list[float] = []

        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            self.times.append(time.perf_counter())
            return torch.zeros(input_ids.shape[0], dtype=torch.bool)

    def generate(tokens: int) -> list[float]:
        clock = Clock()
        with torch.inference_mode():
            model.generate(
                **inputs,
                do_sample=False,
                max_new_tokens=tokens,
                min_new_tokens=tokens,  # every run decodes the same number of tokens
                stopping_criteria=[clock],
                pad_token_id=tokenizer.eos_token_id,
            )
        return clock.times

    generate(2)  # warm-up: first-call allocations and kernel choices
    bytes_per_token = sum(p.numel() * p.element_size() for p in model.parameters())
    ready = {"threads": torch.get_num_threads(), "bytes_per_token": bytes_per_token}
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        times = generate(int(line))
        decode = (len(times) - 1) / (times[-1] - times[0])
        print(json.dumps({"tokens_per_s": decode}), flush=True)


# --- the parent: arms, load, bandwidth ------------------------------------------------------


class Arm:
    """A worker process for one thread setting; ``run(n)`` is one timed generation."""

    def __init__(self, model_path: str, policy: bool, threads: int | None) -> None:
        env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
        env.pop("ADVISOR_LOCAL__THREADS", None)
        if threads is not None:
            env["ADVISOR_LOCAL__THREADS"] = str(threads)
        root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        command = [sys.executable, __file__, "--worker", model_path]
        self.process = subprocess.Popen(
            [*command, *(["--policy"] if policy else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.info: dict[str, Any] = {}

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        return self.process.stdin, self.process.stdout

    def wait_ready(self) -> dict[str, Any]:
        line = self._pipes()[1].readline()
        if not line:
            raise SystemExit(f"a worker failed to load the model (exit {self.process.wait()})")
        self.info = json.loads(line)
        return self.info

    def run(self, tokens: int) -> float:
        stdin, stdout = self._pipes()
        stdin.write(f"{tokens}\n")
        stdin.flush()
        speed: float = json.loads(stdout.readline())["tokens_per_s"]
        return speed

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._pipes()[0].close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def busy_processes(count: int) -> Iterator[None]:
    """``count`` spinning python processes for the length of the block."""
    spinners = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(count)]
    try:
        time.sleep(1.0)  # let the scheduler see them
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def copy_bandwidth(threads: int, megabytes: int = 256, repeats: int = 5) -> float:
    """Bytes per second that ``threads`` parallel numpy copies read and write (best run)."""
    import numpy as np

    size = megabytes * 1024 * 1024 // threads
    sources = [np.ones(size, dtype=np.uint8) for _ in range(threads)]
    targets = [np.zeros(size, dtype=np.uint8) for _ in range(threads)]
    pairs = list(zip(sources, targets, strict=True))
    best = float("inf")
    with ThreadPoolExecutor(threads) as pool:  # numpy releases the GIL while it copies
        for _ in range(repeats):
            began = time.perf_counter()
            list(pool.map(lambda pair: np.copyto(pair[1], pair[0]), pairs))
            best = min(best, time.perf_counter() - began)
    return 2 * size * threads / best


def prepare_model() -> str:
    """The converted model's folder (converted now, untimed, if the cache lacks it)."""
    from advisor.embedded import resolve_chat_model
    from advisor.settings import load_settings

    settings = load_settings()
    return resolve_chat_model(settings.local.model, settings)


def policy_threads(extra_load: float) -> int:
    """The threads the product's policy picks here with ``extra_load`` more busy processes."""
    from advisor.threads import affinity_cpus, cgroup_quota, choose_threads, load_average

    return choose_threads(affinity_cpus(), cgroup_quota(), load_average() + extra_load)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per phase")
    parser.add_argument("--tokens", type=int, default=32, help="tokens per idle generation")
    parser.add_argument(
        "--loaded-tokens", type=int, default=16, help="tokens per generation under load"
    )
    parser.add_argument("--busy", type=int, default=2, help="busy processes for the load")
    args = parser.parse_args()

    model_path = prepare_model()
    idle_threads, loaded_threads = policy_threads(0.0), policy_threads(float(args.busy))
    arms = {
        "default": Arm(model_path, policy=False, threads=None),
        "policy, loaded": Arm(model_path, policy=True, threads=loaded_threads),
        "policy, idle": Arm(model_path, policy=True, threads=idle_threads),
    }
    try:
        info = {name: arm.wait_ready() for name, arm in arms.items()}
        with busy_processes(args.busy):
            loaded = interleave(
                {
                    "default": lambda: arms["default"].run(args.loaded_tokens),
                    "policy": lambda: arms["policy, loaded"].run(args.loaded_tokens),
                },
                args.rounds,
            )
        idle = [arms["policy, idle"].run(args.tokens) for _ in range(args.rounds)]
        bandwidth = copy_bandwidth(info["policy, idle"]["threads"])
    finally:
        for arm in arms.values():
            arm.close()
    report(args, info, loaded, idle, bandwidth)


def report(
    args: argparse.Namespace,
    info: dict[str, dict[str, Any]],
    loaded: dict[str, list[float]],
    idle: list[float],
    bandwidth: float,
) -> None:
    bytes_per_token = info["policy, idle"]["bytes_per_token"]
    limit = bandwidth / bytes_per_token
    default, policy, quiet = median(loaded["default"]), median(loaded["policy"]), median(idle)
    print(machine_line())
    print(
        f"batch 1, greedy, decode tokens/s (after the first token); {args.rounds} interleaved "
        f"rounds; load: {args.busy} busy python processes started by the script; "
        "each arm's threads in the table"
    )
    print()
    print("| phase | threads | decode tokens/s (median) | runs |")
    print("| --- | --- | --- | --- |")
    rows = [
        ("under load, torch default", info["default"], loaded["default"]),
        ("under load, product policy", info["policy, loaded"], loaded["policy"]),
        ("idle, product policy", info["policy, idle"], idle),
    ]
    for label, arm, runs in rows:
        threads = arm["threads"]
        print(
            f"| {label} | {threads} | {median(runs):.2f} | {', '.join(f'{r:.2f}' for r in runs)} |"
        )
    print()
    print(f"**{policy / default:.1f}x** the default's tokens/s under load (target >= 5x)")
    print(
        f"idle: {quiet:.1f} tokens/s = **{quiet / limit:.0%}** of the bandwidth limit "
        f"{limit:.1f} tokens/s ({bytes_per_token / 1e6:.0f} MB of weights per token, "
        f"{bandwidth / 1e9:.1f} GB/s copy bandwidth with {info['policy, idle']['threads']} "
        "threads; target >= 50%)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        worker(sys.argv[2], policy="--policy" in sys.argv)
    else:
        main()
