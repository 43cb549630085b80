"""What every benchmark prints next to its figures, and how it runs its arms.

Figures measured with one arm hit harder by thread contention than the other
are not comparisons (issue 19), so every script:

* pins one thread policy for the whole process before torch loads
  (:func:`pin_threads`, the product's own policy from ``advisor/threads.py``;
  ``ADVISOR_LOCAL__THREADS`` fixes it), so both arms run with the same threads;
* interleaves its arms (:func:`interleave`: A B, then B A, ...), so that a
  change of load during the run falls on both;
* prints the machine (:func:`machine_line`): CPU model, the ISA flags that
  decide torch's kernels, cores, and the load average before and after.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any, TypeVar

T = TypeVar("T")

# The flags that pick torch's CPU kernels (float32, bf16, int8).
ISA_FLAGS = (
    "avx2",
    "fma",
    "avx512f",
    "avx512_vnni",
    "avx512_bf16",
    "amx_tile",
    "amx_bf16",
    "amx_int8",
    "asimd",
    "sve",
)

_start_load: tuple[float, float, float] | None = None  # at import; pin_threads renews it


def pin_threads() -> int:
    """Apply the product's thread policy once, before torch loads; the thread count."""
    global _start_load
    from advisor.settings import load_settings
    from advisor.threads import use_thread_policy

    _start_load = _load()
    return use_thread_policy(load_settings())


def _load() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return (0.0, 0.0, 0.0)


def cpu_model_and_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> tuple[str, list[str]]:
    """The CPU's model name and which of :data:`ISA_FLAGS` it has."""
    from advisor.cpuinfo import CpuInfo, cpu_info

    info = cpu_info(cpuinfo) or CpuInfo()
    model = info.model_name or platform.processor() or platform.machine()
    return model, [f for f in ISA_FLAGS if f in info.flags]


_start_load = _load()


def machine_line() -> str:
    """One line that says where a figure was measured; printed next to every table."""
    from advisor.threads import affinity_cpus, cgroup_quota

    model, flags = cpu_model_and_flags()
    quota = cgroup_quota()
    now = _load()
    began = _start_load or now
    threads = os.environ.get("OMP_NUM_THREADS", "default")
    return (
        f"machine: {model}; ISA {' '.join(flags) or 'none of ' + '/'.join(ISA_FLAGS[:3])}; "
        f"{os.cpu_count()} cores, {affinity_cpus()} usable"
        + (f", cgroup quota {quota:g} CPUs" if quota else "")
        + f"; load average {began[0]:.2f} at start, {now[0]:.2f} at end; "
        f"torch threads {threads}, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}"
    )


def interleave(arms: dict[str, Callable[[], T]], rounds: int) -> dict[str, list[T]]:
    """Run every arm ``rounds`` times, alternating the order each round (AB, BA, AB...)."""
    names = list(arms)
    results: dict[str, list[T]] = {name: [] for name in names}
    for number in range(rounds):
        for name in names if number % 2 == 0 else reversed(names):
            results[name].append(arms[name]())
    return results


def median_figures(runs: list[dict[str, float]]) -> dict[str, Any]:
    """The per-key median of several runs' figures (one run: that run)."""
    return {key: median(run[key] for run in runs) for key in runs[0]}
