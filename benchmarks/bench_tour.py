"""The README's tour, timed as a new user runs it: one fresh ``advisor`` process per command.

Issue 19 asks for "a tour that finishes in minutes on the reference machine (a short path
first, the long runs marked as such with their expected time)".  ``tests/cli/test_tour.py``
replays the short path in one process, so it neither pays nor shows what a person waits
for: each command's own start, imports and model load.  This script runs every command of
the README's short path as its own process, in order, in a fresh working folder (the
repository's ``scenarios/`` and ``examples/`` linked in) with a fresh ``ADVISOR_DATA_DIR``;
the converted model cache is the user's (``--cold-cache``: a fresh one, so the first command
that loads the model converts it, as on a first install).

``--long`` also runs the long path's fine-tuning commands from the README's second block:
``tune create`` (its ``--epochs 1`` as written), then ``chat`` and ``export`` with the job's
model (``<job id>`` filled in).  The arena needs a person's votes and is left out; the bench
has its own figures (docs/benchmarks.md).

There is no baseline arm: the figure asked for is the wall time itself.  Next to it the
script prints the machine and how busy its cores were meanwhile (``/proc/stat``, niced work
included), so a reader can tell a quiet run from a busy one.

    nice .venv/bin/python benchmarks/bench_tour.py [--long] [--cold-cache]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine_line
from _readme_tour import JOB_ID, long_commands, tour_commands

REPO = Path(__file__).resolve().parents[1]


def cores_used(
    began: tuple[float, float, float], ended: tuple[float, float, float]
) -> tuple[float, float]:
    """(all processes, this script and its commands) in cores' worth between two snapshots.

    The difference is the rest of the machine *and* the processes the tour starts that
    outlive their command (the warm model, a training worker): they are not this script's
    children, so their time cannot be told apart from another process's here.
    """
    (wall0, busy0, own0), (wall1, busy1, own1) = began, ended
    wall = max(1e-9, wall1 - wall0)
    return (busy1 - busy0) / wall, (own1 - own0) / wall


def busy_seconds(stat: Path = Path("/proc/stat")) -> float:
    """The machine's busy CPU seconds, niced work included (unlike the thread policy's
    measure: a niced test run beside the tour still shares its cores and memory bandwidth)."""
    try:
        columns = [int(c) for c in stat.read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0
    busy = sum(columns[i] for i in (0, 1, 2, 5, 6, 7) if i < len(columns))
    return busy / os.sysconf("SC_CLK_TCK")


def snapshot() -> tuple[float, float, float]:
    used = os.times()
    own = used.user + used.system + used.children_user + used.children_system
    return (time.monotonic(), busy_seconds(), own)


def run(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, str]:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        input="y\n",  # tune create asks before it starts a job, as it asks the person
    )
    return time.perf_counter() - began, done.returncode, done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long", action="store_true", help="also tune create, chat, export")
    parser.add_argument("--cold-cache", action="store_true", help="a fresh model cache too")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="advisor-tour-"))
    for name in ("scenarios", "examples"):
        (work / name).symlink_to(REPO / name)
    env = {**os.environ, "ADVISOR_DATA_DIR": str(work / "data"), "PYTHONPATH": str(REPO)}
    if args.cold_cache:
        env["ADVISOR_CACHE_DIR"] = str(work / "cache")
    commands = tour_commands() + (long_commands() if args.long else [])
    print("| seconds | exit | command |")
    print("|---:|---:|---|")
    began = snapshot()
    total, job_id = 0.0, ""
    for words in commands:
        words = [w.replace(JOB_ID, job_id) for w in words]
        seconds, code, output = run(words, work, env)
        total += seconds
        print(f"| {seconds:.1f} | {code} | `advisor {shlex.join(words)}` |", flush=True)
        if code != 0:
            print(output[-2000:], file=sys.stderr)
            break
        if words[:2] == ["tune", "create"]:
            _, _, listed = run(["jobs", "list", "--format", "json", "--limit", "1"], work, env)
            job_id = json.loads(listed)[0]["id"]
    ended = snapshot()
    print(f"\ntotal {total:.0f} s ({total / 60:.1f} min) for {len(commands)} commands")
    machine, commands_own = cores_used(began, ended)
    print(
        f"cores busy meanwhile: {machine:.2f} in all, {commands_own:.2f} of them the commands' "
        f"own; the rest is the warm model and training worker they started, and any other process"
    )
    print(machine_line())
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
