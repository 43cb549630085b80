"""The thread and process policy for local models (generation, embeddings, training).

Measured on a shared 2-core machine (issue 19): torch's default thread count,
with OpenMP's spinning waits, gives 1.1–1.7 tokens/s while other processes
share the cores; one thread gives 8–14 tokens/s and two threads with passive
waiting 10.5–12.3.  Spinning threads that wait for a core another process holds
burn the very time slices the work needs, so the policy is:

* ``OMP_WAIT_POLICY=PASSIVE`` before torch loads (OpenMP reads it only once, at
  start-up; an explicit value in the environment wins);
* as many threads as there are cores *actually free*: the CPUs this process may
  run on (affinity), capped by the cgroup quota (containers, CI runners), less the
  one-minute load average of everything else, never fewer than one;
* one override, ``local.threads`` (``ADVISOR_LOCAL__THREADS``), which wins.

:func:`use_thread_policy` is idempotent and cheap: call it before torch is
imported (it sets the environment) and again after (it sets torch's pools).
A low-layer module: it reads settings only.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.settings import Settings

CGROUP_V2_MAX = Path("/sys/fs/cgroup/cpu.max")
CGROUP_V1_QUOTA = Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
CGROUP_V1_PERIOD = Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us")

_applied: dict[str, int] = {}


def affinity_cpus() -> int:
    """CPUs this process may run on (``taskset``, ``docker --cpuset-cpus``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS and Windows have no affinity call
        return max(1, os.cpu_count() or 1)


def cgroup_quota(
    v2: Path = CGROUP_V2_MAX, v1_quota: Path = CGROUP_V1_QUOTA, v1_period: Path = CGROUP_V1_PERIOD
) -> float | None:
    """CPUs' worth of time the cgroup allows (``docker --cpus 1.5`` -> 1.5); None: no quota."""
    try:
        quota, _, period = v2.read_text().strip().partition(" ")
        if quota == "max":
            return None
        return int(quota) / int(period or "100000")
    except (OSError, ValueError):
        pass
    try:
        quota_us = int(v1_quota.read_text().strip())
        period_us = int(v1_period.read_text().strip())
    except (OSError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def load_average() -> float:
    """The one-minute load average; 0 where the platform has none."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def recent_load(cpu_seconds: float, age_seconds: float, window: float = 60.0) -> float:
    """A process's part of the one-minute load average, from its CPU time and age.

    The kernel's load average is an exponential average over ``window`` seconds;
    a process that used ``cpu_seconds / age_seconds`` cores all its life adds
    that much times ``1 - exp(-age / window)`` (a young process has not yet
    weighed in fully).  An estimate: it takes the use as steady, and counts
    CPU time, not time spent runnable while waiting for a core.
    """
    if age_seconds <= 0 or cpu_seconds <= 0:
        return 0.0
    return cpu_seconds / age_seconds * (1 - math.exp(-age_seconds / window))


PROC_STAT = Path("/proc/self/stat")
PROC_UPTIME = Path("/proc/uptime")


def process_load(stat: Path = PROC_STAT, uptime: Path = PROC_UPTIME) -> float:
    """This process's own part of :func:`load_average` (Linux); 0 where it cannot be read."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start, in ticks
        age = float(uptime.read_text().split()[0]) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0
    used = os.times()
    return recent_load(used.user + used.system, age)


def others_load() -> float:
    """The load average of everything but this process (its own recent work left out).

    A process that has just calibrated or answered for a minute is counted by the
    load average as if it were another process competing with the job to come.
    """
    return max(0.0, load_average() - process_load())


def choose_threads(cpus: int, quota: float | None, load: float) -> int:
    """Threads for torch: the cores available and not already busy, at least one.

    ``cpus`` is the affinity count, ``quota`` the cgroup's CPU quota (None: none),
    ``load`` the load average of the machine.  Rounding the free cores to the
    nearest integer keeps one thread on a 2-core machine under a load of 1.5
    (where a second thread would wait behind the other process) and two when
    it is idle.
    """
    usable = cpus if quota is None else max(1, min(cpus, math.ceil(quota)))
    free = usable - load
    return max(1, min(usable, math.floor(free + 0.5)))


def policy_threads(settings: Settings | None = None) -> int:
    """The thread count for this process: ``local.threads`` if set, else :func:`choose_threads`."""
    if settings is not None and settings.local.threads:
        return settings.local.threads
    return choose_threads(affinity_cpus(), cgroup_quota(), load_average())


def use_thread_policy(settings: Settings | None = None) -> int:
    """Apply the policy to this process and return the thread count.

    Before torch is imported it only sets the environment (passive OpenMP
    waiting, and ``OMP_NUM_THREADS`` so that OpenMP's pool starts at the right
    size); once torch is imported it sets torch's intra-op threads too.  The
    count is chosen once per process, so that a later call under a different
    load does not resize pools in the middle of a run.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    override = settings.local.threads if settings is not None else None
    key = str(override)
    if key not in _applied:
        _applied[key] = policy_threads(settings)
        if "torch" not in sys.modules:
            os.environ["OMP_NUM_THREADS"] = str(_applied[key])
    threads = _applied[key]
    torch: Any = sys.modules.get("torch")
    loaded = torch is not None and hasattr(torch, "set_num_threads")
    if loaded and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads
