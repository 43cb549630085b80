"""Issue 19's six-scenario line with both arms on one machine: this checkout against a base.

Issue 19 asks that the six-scenario acceptance run (``advisor bench <scenario> --backend
local --routes system_prompt,rag,sft --repeats 2``) take at most a third of "today's wall
time on the same machine".  "Today" is the code of the 2026-11-29 run that took 79 minutes
(``50c9968``, docs/benchmarks.md).  Comparing with that figure alone compares machines as
well as code, so this script runs both codes here, one scenario at a time:

* ``new``: this checkout's ``advisor bench``, product defaults;
* ``base``: the base commit, checked out as a git worktree beside the work folder and run
  with this checkout's virtual environment (``PYTHONPATH`` puts its own ``advisor`` and
  ``backends`` first) and the command its docs gave (``ADVISOR_LOCAL__BATCH_SIZE=32``).

Every arm gets a fresh ``ADVISOR_DATA_DIR``, so no job, index or answer is reused.  The arms
alternate per scenario (new then base, then base then new, ...) so a drift of the machine's
speed falls on both.  Before the first arm the base converts its embedded model once into
its shared cache, as any earlier command of its user would have; the new arm converts into
each fresh data folder while it calibrates the machine for its plan, before its clock starts.

The figure is each run's ``results.json`` ``duration_s`` (the bench's own clock), summed over
the scenarios both arms finished; the whole command's wall time is printed beside it.  Pass
rates per route are printed for both arms, since the line holds only "with the same pass
rates within their intervals".  A summary is written to ``<work>/summary.json``.

    nice .venv/bin/python benchmarks/bench_six_scenarios.py [--base 50c9968] \\
        [--scenarios invoice-total,product-manual,...] [--work DIR] [--max-examples N] \\
        [--arms new,base]

``--arms new`` (or ``base``) runs one arm alone: the new arm to set against base figures
measured earlier on the same machine, the base again to see how far that machine's speed has
moved since (docs/benchmarks.md, run T). Such rows show one arm's time and count towards that
arm's own total, not the ratio.

All six take about two hours on a 2-core machine: the base alone took 79 minutes on 11-29.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from _machine import machine_line

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = (
    "invoice-total",
    "product-manual",
    "ja-support",
    "brand-voice",
    "ticket-triage",
    "house-rules",
)
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@dataclass
class ArmRun:
    """One arm's bench of one scenario."""

    arm: str
    scenario: str
    returncode: int
    whole_s: float
    duration_s: float | None = None
    pass_rates: dict[str, float | str | None] = field(default_factory=dict)


def bench_command(arm: str, scenario: str, work: Path, max_examples: int | None) -> list[str]:
    """The ``advisor bench`` command line of one arm, as the acceptance run writes it."""
    launcher = [str(REPO / ".venv/bin/python"), "-m", "advisor"]
    command = [*launcher, "bench", f"scenarios/{scenario}", "--backend", "local"]
    command += ["--routes", "system_prompt,rag,sft", "--repeats", "2"]
    command += ["--out", str(work / f"{arm}-out" / scenario)]
    if max_examples is not None:
        command += ["--max-examples", str(max_examples)]
    return command


def arm_environment(arm: str, scenario: str, work: Path, base_tree: Path) -> dict[str, str]:
    environment = {**os.environ, **OFFLINE}
    environment["ADVISOR_DATA_DIR"] = str(work / arm / scenario)
    if arm == "base":
        environment["PYTHONPATH"] = str(base_tree)
        environment["ADVISOR_LOCAL__BATCH_SIZE"] = "32"
    return environment


def read_results(path: Path) -> tuple[float | None, dict[str, float | str | None]]:
    """``duration_s`` and each route's pass rate in percent (or its status when it has none)."""
    if not path.exists():
        return None, {}
    results = json.loads(path.read_text(encoding="utf-8"))
    rates: dict[str, float | str | None] = {}
    for route, body in results["routes"].items():
        metrics = body.get("metrics")
        rates[route] = round(100 * metrics["pass_rate"], 2) if metrics else body.get("status")
    return float(results["duration_s"]), rates


def run_arm(arm: str, scenario: str, work: Path, base_tree: Path, limit: int | None) -> ArmRun:
    cwd = base_tree if arm == "base" else REPO
    log = work / f"{arm}-{scenario}.log"
    print(f"== {arm} {scenario} {time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.2f}")
    began = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(
            bench_command(arm, scenario, work, limit),
            cwd=cwd,
            env=arm_environment(arm, scenario, work, base_tree),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    whole = time.perf_counter() - began
    duration, rates = read_results(work / f"{arm}-out" / scenario / "results.json")
    return ArmRun(arm, scenario, done.returncode, whole, duration, rates)


def prepare_base(base: str, base_tree: Path, work: Path) -> None:
    """Check the base out and let it convert its model once, outside any timed arm."""
    if not base_tree.exists():
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(base_tree), base],
            check=True,
        )
    environment = arm_environment("base", "warm-up", work, base_tree)
    subprocess.run(
        [str(REPO / ".venv/bin/python"), "-m", "advisor", "chat", "Hello", "--backend", "local"],
        cwd=base_tree,
        env=environment,
        check=True,
        capture_output=True,
    )


def parse_arms(text: str) -> set[str]:
    """``--arms``: ``new``, ``base`` or both, comma-separated; anything else is refused."""
    arms = {arm.strip() for arm in text.split(",") if arm.strip()}
    if not arms or not arms <= {"new", "base"}:
        raise argparse.ArgumentTypeError(f"{text!r}: give new, base or new,base")
    return arms


def table(runs: list[ArmRun]) -> str:
    """Per scenario, each arm's time; the ratio over the scenarios both arms finished.

    A scenario only one arm ran (``--arms``) gets its row and counts towards that arm's
    own total; a pair where one arm failed gets no row.
    """
    by_key = {(run.arm, run.scenario): run for run in runs}
    lines = ["| scenario | new s (whole) | base s (whole) | new / base | pass rates new; base |"]
    lines.append("|---|---|---|---|---|")
    paired = {"new": 0.0, "base": 0.0}
    alone = {"new": 0.0, "base": 0.0}
    for scenario in dict.fromkeys(run.scenario for run in runs):
        new, base = by_key.get(("new", scenario)), by_key.get(("base", scenario))
        if new and base:
            if not (new.duration_s and base.duration_s):
                continue
            paired["new"] += new.duration_s
            paired["base"] += base.duration_s
            lines.append(
                f"| {scenario} | {new.duration_s:.0f} ({new.whole_s:.0f}) | "
                f"{base.duration_s:.0f} ({base.whole_s:.0f}) | "
                f"{new.duration_s / base.duration_s:.2f}x | {new.pass_rates}; {base.pass_rates} |"
            )
            continue
        run = new or base
        if run is None or not run.duration_s:
            continue
        alone[run.arm] += run.duration_s
        time_cell = f"{run.duration_s:.0f} ({run.whole_s:.0f})"
        cells = [time_cell, "-"] if run.arm == "new" else ["-", time_cell]
        rates = [str(run.pass_rates), "-"] if run.arm == "new" else ["-", str(run.pass_rates)]
        lines.append(f"| {scenario} | {cells[0]} | {cells[1]} | - | {'; '.join(rates)} |")
    if paired["base"]:
        lines.append(
            f"| **both finished** | {paired['new']:.0f} | {paired['base']:.0f} | "
            f"**{paired['new'] / paired['base']:.3f}x** | |"
        )
    for arm, total in alone.items():
        if total:
            lines.append(f"| **{arm} arm alone, all listed** | {total:.0f} s | | | |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="50c9968", help="The base commit (the 11-29 run).")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--work", type=Path, default=REPO.parent / "bench-six-scenarios")
    parser.add_argument("--max-examples", type=int, default=None, help="A quick check only.")
    parser.add_argument(
        "--arms", type=parse_arms, default="new,base", help="new,base (both), new or base alone."
    )
    args = parser.parse_args()
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    base_tree = work / f"base-{args.base}"
    chosen: set[str] = args.arms
    if "base" in chosen:
        prepare_base(args.base, base_tree, work)
    runs: list[ArmRun] = []
    for number, scenario in enumerate(args.scenarios.split(",")):
        order = ("new", "base") if number % 2 == 0 else ("base", "new")
        for arm in (arm for arm in order if arm in chosen):
            runs.append(run_arm(arm, scenario, work, base_tree, args.max_examples))
            print(f"   rc {runs[-1].returncode}, {runs[-1].duration_s} s, {runs[-1].pass_rates}")
    print(machine_line())
    print(table(runs))
    summary = {"base": args.base, "machine": machine_line(), "runs": [asdict(r) for r in runs]}
    (work / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0 if all(run.returncode == 0 for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
