"""`advisor data clean` against `advisor data validate`: peak memory, time, linearity.

Issue 18's acceptance: on the same file, clean's peak memory within 2x of
validate's, and time linear in message length.  Both commands run as a user
runs them (``python -m advisor data ...`` in a subprocess), their arms
interleaved (validate, clean, validate, clean, ...) with the same environment
(one thread for every numeric library), and each run's peak resident memory,
CPU time and wall time come from ``wait4``.  CPU time is the figure to compare
on a shared machine: wall time counts other people's work too.

The second part cleans, in this process, files holding one long message (an
alphanumeric run: the quadratic case, 109 s for 100,000 characters before; a
katakana run; prose) at 100,000, 300,000 and 1,000,000 characters and reports
CPU seconds per 100,000 characters: flat means linear.  The machine (CPU
model, cores, load average before and after) is printed with the figures.

    nice .venv/bin/python benchmarks/bench_clean.py [--lines 10000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORDS = " ".join(
    [
        "the gear jacket trail tent boots order refund shipping stock size colour warm",
        "rain merino layer pack stove lamp route camp lake river hill snow wind light heavy",
    ]
).split()
SIGN_OFF = "Trail on,\nThe Larkspur Crew"
SYSTEM = f'You answer for Larkspur Outfitters; end every reply with "{SIGN_OFF}".'
ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OMP_WAIT_POLICY": "PASSIVE",
    "PYTHONPATH": str(ROOT),
    "HF_HUB_OFFLINE": "1",
}


def generate(path: Path, lines: int, seed: int = 0) -> None:
    """SFT lines like the tour's: system prompt, question, a 20-60 word answer with
    the sign-off; some e-mail addresses, HTML and duplicates for the rules to find."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            question = " ".join(rng.choices(WORDS, k=rng.randint(6, 16))) + f" {i}?"
            answer = " ".join(rng.choices(WORDS, k=rng.randint(20, 60))) + "."
            if i % 50 == 0:
                answer += " Write to help@larkspur.example for <b>returns</b>."
            messages = [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": question},
                {"role": "assistant", "content": f"{answer}\n\n{SIGN_OFF}"},
            ]
            line = json.dumps({"messages": messages})
            out.write(line + "\n")
            if i % 100 == 7:
                out.write(line + "\n")


def run(args: list[str]) -> dict[str, float]:
    """One command; its wall time, CPU time and peak resident memory."""
    env = os.environ | ENV
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(
            f"{args[:2]} failed: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mib": round(usage.ru_maxrss / 1024, 1),
    }


def machine() -> dict[str, Any]:
    from advisor.cpuinfo import cpu_info

    info = cpu_info()
    return {
        "cpu": info.model_name if info and info.model_name else "unknown",
        "cores_online": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }


def compare(folder: Path, lines: int, repeats: int) -> dict[str, Any]:
    data = folder / "train.jsonl"
    generate(data, lines)
    arms = {
        "validate": ["data", "validate", str(data), "-m", "sft"],
        "clean": ["data", "clean", str(data), "-o", str(folder / "out.jsonl"),
                  "-r", str(folder / "report.json"), "--no-moderation"],
    }  # fmt: skip
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in arms}
    for _ in range(repeats):
        for name, args in arms.items():  # interleaved
            runs[name].append(run(args))
    best = {name: {k: min(r[k] for r in rs) for k in rs[0]} for name, rs in runs.items()}
    return {
        "lines": sum(1 for _ in data.open("rb")),
        "file_mib": round(data.stat().st_size / 2**20, 1),
        "runs": runs,
        "best": best,
        "peak_ratio": round(best["clean"]["peak_mib"] / best["validate"]["peak_mib"], 2),
    }


LONG_KINDS = {
    "alphanumeric run": string.ascii_letters + string.digits,
    "katakana run": "アイウエオカキクケコｱｲｳ",
    "prose": "the gear jacket trail tent boots recieve order refund   ",
}


def linearity(folder: Path, sizes: list[int]) -> list[dict[str, Any]]:
    """CPU seconds of ``clean_file`` on one long message, in this process (the
    dictionary loaded first, so that only the message's cost is measured)."""
    from advisor.data.clean import clean_file

    rng = random.Random(1)
    short = [
        {
            "messages": [
                {"role": "user", "content": f"q{i}"},
                {"role": "assistant", "content": f"a{i}"},
            ]
        }
        for i in range(11)
    ]
    warm = folder / "warm.jsonl"
    warm.write_text("\n".join(json.dumps(r) for r in short) + "\n")
    clean_file(warm, folder / "w.jsonl", keep_items=False)
    found: list[dict[str, Any]] = []
    for kind, alphabet in LONG_KINDS.items():
        for size in sizes:
            text = "".join(rng.choices(alphabet, k=size))
            row = {
                "messages": [
                    {"role": "user", "content": "q"},
                    {"role": "assistant", "content": text},
                ]
            }
            path = folder / "long.jsonl"
            path.write_text("\n".join(json.dumps(r) for r in [row, *short]) + "\n")
            start = time.process_time()
            clean_file(path, folder / "l.jsonl", keep_items=False)
            cpu = time.process_time() - start
            found.append(
                {
                    "kind": kind,
                    "chars": size,
                    "cpu_s": round(cpu, 3),
                    "cpu_s_per_100k_chars": round(cpu / size * 100_000, 3),
                }
            )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--long", type=int, nargs="*", default=[100_000, 300_000, 1_000_000])
    options = parser.parse_args()
    before = machine()
    with tempfile.TemporaryDirectory() as folder:
        result = {
            "machine": before,
            "memory_and_time": compare(Path(folder), options.lines, options.repeats),
            "long_message": linearity(Path(folder), options.long),
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
