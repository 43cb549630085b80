"""A second ``advisor chat --backend local`` with the warm model against today's cold path.

Farm-style paired runs: each round runs both arms as fresh ``advisor chat``
processes, alternating their order (cold warm, then warm cold), with the same
thread policy pinned for both (``ADVISOR_LOCAL__THREADS``):

* **cold**: ``ADVISOR_LOCAL__WARM=false``, the process loads torch and the model;
* **warm**: ``ADVISOR_LOCAL__WARM=true`` with the warm process already running
  (started, untimed, before the first round; its start is reported separately).

Wall time of the whole command, as a person waits for it.  Both arms use a
fresh temporary data dir and the shared converted-model cache, which the script
fills first, untimed, if it needs to (a conversion takes 25-60 s and would
otherwise land in whichever call comes first: the 32 s "first call" of issue 19).

    nice .venv/bin/python benchmarks/bench_warm_chat.py [--rounds 3] [--max-tokens 16]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import interleave, machine_line, pin_threads

PROMPT = "Name one colour of the sky."


def prepare_model(settings: Any) -> str:
    """Convert the configured preset into the shared cache now, untimed; what it took."""
    from advisor.embedded import ensure_chat_model
    from advisor.model_presets import find_preset

    if find_preset(settings.local.model) is None:
        return "model not a preset (no conversion)"
    began = time.perf_counter()
    ensure_chat_model(settings, preset_id=settings.local.model)
    took = time.perf_counter() - began
    return f"model converted before timing ({took:.0f} s)" if took > 1 else "model in the cache"


def timed_chat(env: dict[str, str], max_tokens: int) -> tuple[float, float, str]:
    """Wall seconds of one ``advisor chat`` process, its own CPU seconds, and its answer.

    The CPU time is the command's alone (user + system): the warm process is not
    its child, so for the warm arm it is what the command costs besides waiting.
    """
    command = [sys.executable, "-m", "advisor", "chat", PROMPT, "--backend", "local"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(
        [*command, "--max-tokens", str(max_tokens)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if done.returncode != 0:
        raise SystemExit(f"advisor chat failed: {done.stderr.strip()[-400:]}")
    return wall, cpu, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="pairs of runs (interleaved)")
    parser.add_argument("--max-tokens", type=int, default=16)
    args = parser.parse_args()
    threads = pin_threads()

    from advisor.settings import load_settings

    conversion = prepare_model(load_settings())
    with tempfile.TemporaryDirectory(prefix="warm-bench-") as data_dir:
        base = {
            **os.environ,
            "ADVISOR_DATA_DIR": data_dir,
            "ADVISOR_CACHE_DIR": str(load_settings().cache_dir),  # no second conversion
            "ADVISOR_LOCAL__THREADS": str(threads),
        }
        cold_env = {**base, "ADVISOR_LOCAL__WARM": "false"}
        warm_env = {**base, "ADVISOR_LOCAL__WARM": "true"}
        first, _, first_text = timed_chat(warm_env, args.max_tokens)  # starts the warm process
        try:
            runs = interleave(
                {
                    "cold": lambda: timed_chat(cold_env, args.max_tokens),
                    "warm": lambda: timed_chat(warm_env, args.max_tokens),
                },
                args.rounds,
            )
        finally:
            stop = [sys.executable, "-m", "advisor", "backends", "warm", "stop"]
            subprocess.run(stop, env=warm_env, capture_output=True, check=False)
    answers = {text for arm in runs.values() for _, _, text in arm} | {first_text}
    cold = [wall for wall, _, _ in runs["cold"]]
    warm = [wall for wall, _, _ in runs["warm"]]
    cpu = {arm: median(c for _, c, _ in walls) for arm, walls in runs.items()}
    print(machine_line())
    print(f"{args.rounds} interleaved pairs, {args.max_tokens} new tokens, greedy; {conversion}")
    print()
    print("| arm | median wall s | runs (s) | the command's own CPU s (median) |")
    print("| --- | --- | --- | --- |")
    cold_row = f"| cold (`local.warm = false`) | {median(cold):.2f} | {_runs(cold)}"
    print(f"{cold_row} | {cpu['cold']:.2f} |")
    print(f"| warm (second call) | {median(warm):.2f} | {_runs(warm)} | {cpu['warm']:.2f} |")
    print(f"| first call, starting the warm process | {first:.2f} | 1 run | |")
    print()
    print(f"**{median(cold) / median(warm):.1f}x** faster warm; target <= 1.5 s wall warm")
    print("same answer in every run" if len(answers) == 1 else f"ANSWERS DIFFER: {answers}")


def _runs(walls: list[float]) -> str:
    return ", ".join(f"{w:.2f}" for w in walls)


if __name__ == "__main__":
    main()
