"""A cached re-run of ``advisor bench`` against the cold run, in the same process.

The cold run starts from an empty data directory (empty generation cache, no
model loaded in this process); the re-run repeats the same bench, which now
reads every answer (and every embedding of an answer) from the SQLite cache.

    nice .venv/bin/python benchmarks/bench_cache.py [--scenario brand-voice]
        [--max-examples 8] [--repeats 2] [--backend local]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_line, pin_threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="brand-voice")
    parser.add_argument("--backend", default="local")
    parser.add_argument("--routes", default="system_prompt")
    parser.add_argument("--max-examples", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=96)
    args = parser.parse_args()
    pin_threads()  # cached needs cold first: the arms cannot interleave, the policy is pinned

    from advisor.bench.report import write_reports
    from advisor.bench.runner import BenchOptions, parse_routes, run_bench
    from advisor.bench.scenario import load_scenario
    from advisor.registry import get_backend
    from advisor.settings import load_settings

    with tempfile.TemporaryDirectory() as data_dir:
        settings = load_settings(data_dir=data_dir)
        scenario = load_scenario(args.scenario)
        options = BenchOptions(
            routes=parse_routes(args.routes),
            repeats=args.repeats,
            max_examples=args.max_examples,
            max_tokens=args.max_tokens,
        )
        timings = []
        for label in ("cold", "cached"):
            began = time.perf_counter()
            backend = get_backend(args.backend, settings)
            results = run_bench(scenario, backend, settings, options)
            write_reports(results, Path(data_dir) / label)
            timings.append((label, time.perf_counter() - began, results.cache))

    print(machine_line())
    print(
        f"scenario {args.scenario}, backend {args.backend}, routes {args.routes}, "
        f"{args.max_examples} prompts x {args.repeats} repeats, max {args.max_tokens} tokens"
    )
    print()
    print("| run | wall s | cache hits | cache misses |")
    print("|---|---|---|---|")
    for label, seconds, cache in timings:
        print(f"| {label} | {seconds:.3f} | {cache.hits} | {cache.misses} |")
    print()
    print(f"speed-up: {timings[0][1] / timings[1][1]:.0f}x (target >= 50x)")


if __name__ == "__main__":
    main()
