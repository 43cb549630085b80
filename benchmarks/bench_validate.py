"""Validation speed and memory: `validate_file` against a straightforward validator.

Both validators run the same checks (:func:`advisor.data.checks.check_record`,
blank lines, duplicates, the whole-file counts) on the same generated SFT files,
without token counting.  The baseline is what one writes first: a text-mode
``for line in file``, ``json.loads`` and the dict checks on every line, and a
set of line strings for duplicates.  Ours reads bytes in 1 MiB chunks, accepts
clean lines through the msgspec fast path and keeps an 8-byte hash per line.

Speed: the best CPU time of ``--repeats`` interleaved runs without tracing (CPU
time, because the reference machine is shared and wall time counts others'
work).  Memory: the tracemalloc peak of one separate run, on a 10k- and a
100k-line file (flat = the same peak).

    nice .venv/bin/python benchmarks/bench_validate.py [--lines 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from _machine import machine_line

from advisor.data.checks import check_record
from advisor.data.validate import validate_file

WORDS = [
    "the",
    "model",
    "answers",
    "questions",
    "about",
    "invoices",
    "refunds",
    "shipping",
    "warranty",
    "returns",
    "orders",
    "account",
    "password",
    "billing",
    "subscription",
    "plan",
    "upgrade",
    "cancel",
    "delivery",
    "support",
]


def generate(path: Path, lines: int, seed: int = 0) -> None:
    """A realistic SFT file: system prompt, 1-3 turns, answers of 20-80 words, some errors."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            messages = [{"role": "system", "content": "You are the support assistant of Acme."}]
            for _ in range(rng.randint(1, 3)):
                question = " ".join(rng.choices(WORDS, k=rng.randint(6, 20))) + "?"
                answer = " ".join(rng.choices(WORDS, k=rng.randint(20, 80))) + "."
                messages.append({"role": "user", "content": question})
                messages.append({"role": "assistant", "content": answer})
            if i % 997 == 0:  # a few real problems, so both take their slow paths too
                messages[-1]["content"] = ""
            out.write(json.dumps({"messages": messages}) + "\n")


def baseline(path: Path) -> dict[str, int]:
    """The straightforward validator: json.loads and dict checks on every line."""
    errors = warnings = examples = 0
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line:
                warnings += 1
                continue
            examples += 1
            if line in seen:
                warnings += 1
            else:
                seen[line] = number
            try:
                obj = json.loads(line)
            except ValueError:
                errors += 1
                continue
            found = check_record(obj, "sft")
            errors += len(found.errors)
            warnings += len(found.warnings)
    return {"examples": examples, "errors": errors, "warnings": warnings}


def ours(path: Path) -> dict[str, int]:
    report = validate_file(path, "sft")
    return {
        "examples": report.examples,
        "errors": len(report.errors),
        "warnings": len([w for w in report.warnings if w.line is not None]),
    }


def best_times(
    runs: list[Callable[[Path], dict[str, int]]], path: Path, repeats: int
) -> list[float]:
    """Best CPU seconds of each run, interleaved so that load on a shared machine hits
    both alike; CPU time, not wall time, because other processes' time is not ours."""
    best = [float("inf")] * len(runs)
    for _ in range(repeats):
        for index, run in enumerate(runs):
            began = time.process_time()
            run(path)
            best[index] = min(best[index], time.process_time() - began)
    return best


def peak_memory(run: Callable[[Path], dict[str, int]], path: Path) -> float:
    tracemalloc.start()
    run(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder) / "big.jsonl", Path(folder) / "small.jsonl"
        generate(big, args.lines)
        generate(small, args.small)
        ours(small)  # imports and first-call costs out of the timings
        assert ours(big)["errors"] == baseline(big)["errors"], "the validators disagree"
        size = big.stat().st_size / 2**20
        named = [("json.loads + dict checks", baseline), ("validate_file", ours)]
        times = best_times([run for _, run in named], big, args.repeats)
        rows = [
            (name, args.lines / seconds, seconds, peak_memory(run, small), peak_memory(run, big))
            for (name, run), seconds in zip(named, times, strict=True)
        ]
    speedup = rows[1][1] / rows[0][1]
    print(machine_line())
    print(
        f"{args.lines:,}-line SFT file ({size:.1f} MiB), best CPU time of {args.repeats} "
        f"interleaved runs; peak = tracemalloc peak\n"
    )
    print(
        f"| validator | lines/s | CPU s | peak MiB, {args.small:,} lines | "
        f"peak MiB, {args.lines:,} lines |"
    )
    print("|---|---|---|---|---|")
    for name, rate, seconds, peak_small, peak_big in rows:
        print(f"| {name} | {rate:,.0f} | {seconds:.2f} | {peak_small:.1f} | {peak_big:.1f} |")
    print(f"\nspeed-up: {speedup:.1f}x")


if __name__ == "__main__":
    main()
