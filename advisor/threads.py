"""The thread and process policy for local models (generation, embeddings, training).

Measured on a shared 2-core machine (issue 19): torch's default thread count,
with OpenMP's spinning waits, gives 1.1–1.7 tokens/s while other processes
share the cores; one thread gives 8–14 tokens/s and two threads with passive
waiting 10.5–12.3.  Spinning threads that wait for a core another process holds
burn the very time slices the work needs, so the policy is:

* ``OMP_WAIT_POLICY=PASSIVE`` before torch loads (OpenMP reads it only once, at
  start-up; an explicit value in the environment wins), except in a training
  worker, which spins a bounded while first (:func:`training_environment`);
* as many threads as there are cores *actually free*: the CPUs this process may
  run on (affinity), capped by the cgroup quota (containers, CI runners), less the
  one-minute load average of everything else, never fewer than one;
* one override, ``local.threads`` (``ADVISOR_LOCAL__THREADS``), which wins.

:func:`use_thread_policy` is idempotent and cheap: call it before torch is
imported (it sets the environment) and again after (it sets torch's pools).

A job of many minutes outlives the load it started under: a bench trains while
it answers the other routes, so the worker starts on one thread and the second
core frees up when the answering ends.  :class:`ThreadGovernor` re-chooses the
count during such a job from what other processes *actually used* lately
(``/proc/stat``, less this process's own CPU time): the load average cannot
tell, since it counts the job's own threads, lags by a minute, and on some VMs
sits near 1 while the cores are idle.
A low-layer module: it reads settings only.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.settings import Settings

CGROUP_V2_MAX = Path("/sys/fs/cgroup/cpu.max")
CGROUP_V1_QUOTA = Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
CGROUP_V1_PERIOD = Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us")

_applied: dict[str, int] = {}
_own_wait_policy: set[str] = set()  # the OMP_WAIT_POLICY this module set, not the user

# GNU OpenMP's spins before a waiting thread sleeps (torch's Linux CPU wheels use libgomp).
# A training step is thousands of small operations, and waking a sleeping thread for each
# costs more than the operation: two threads trained 1.17x as fast as one with passive
# waiting on an AMD EPYC, 1.46x with this bounded spin (docs/performance.md, *Waiting
# between a training step's operations*).
TRAINING_SPINCOUNT = 30_000


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


def policy_threads(settings: Settings | None = None, load: float | None = None) -> int:
    """The thread count: ``local.threads`` if set, else :func:`choose_threads` under ``load``
    (the load average when not given)."""
    if settings is not None and settings.local.threads:
        return settings.local.threads
    return choose_threads(affinity_cpus(), cgroup_quota(), load_average() if load is None else load)


def use_thread_policy(settings: Settings | None = None) -> int:
    """Apply the policy to this process and return the thread count.

    Before torch is imported it only sets the environment (passive OpenMP
    waiting, and ``OMP_NUM_THREADS`` so that OpenMP's pool starts at the right
    size); once torch is imported it sets torch's intra-op threads too.  The
    count is chosen once per process, so that a later call under a different
    load does not resize pools in the middle of a run.
    """
    if "OMP_WAIT_POLICY" not in os.environ:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
        _own_wait_policy.add("PASSIVE")
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


def training_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` for a training worker process: OpenMP threads spin a bounded while
    (:data:`TRAINING_SPINCOUNT`) before they sleep, instead of sleeping at once.

    The worker trains on one thread while other work holds the other cores and takes
    more only when they are free (:class:`ThreadGovernor`), so its spinning takes no
    time slice another process needs.  A waiting policy the user set is kept, and so is
    a ``GOMP_SPINCOUNT`` of theirs.
    """
    env = dict(environ)
    policy = env.get("OMP_WAIT_POLICY")
    if policy is None or policy in _own_wait_policy:
        # ACTIVE makes libgomp use GOMP_SPINCOUNT as given; PASSIVE would never spin.
        env["OMP_WAIT_POLICY"] = "ACTIVE"
        env.setdefault("GOMP_SPINCOUNT", str(TRAINING_SPINCOUNT))
    return env


PROC_STAT_CPU = Path("/proc/stat")
# Of user, nice, system, idle, iowait, irq, softirq and steal, these keep a core from
# us (steal: the hypervisor gave our virtual CPU away).  Niced work is left out: it
# yields to a process of normal priority (weights 1024 against 15 at nice 19).
_BUSY_COLUMNS = (0, 2, 5, 6, 7)
_NICE_COLUMN = 1


def _niced() -> bool:
    """Whether this process runs niced (its own CPU time is then counted as nice)."""
    try:
        return os.getpriority(os.PRIO_PROCESS, 0) > 0
    except (AttributeError, OSError):
        return False


@dataclass(frozen=True)
class CpuSample:
    """The machine's busy CPU seconds and this process's own, at one moment."""

    wall: float
    busy: float
    own: float


def cpu_sample(stat: Path = PROC_STAT_CPU) -> CpuSample | None:
    """A sample now; None where ``/proc/stat`` cannot be read (macOS, Windows)."""
    try:
        label, *columns = stat.read_text().splitlines()[0].split()
        if label != "cpu" or len(columns) < 4:  # not the aggregate line /proc/stat starts with
            return None
        counted = (*_BUSY_COLUMNS, _NICE_COLUMN) if _niced() else _BUSY_COLUMNS
        ticks = sum(int(columns[i]) for i in counted if i < len(columns))
        per_second = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    used = os.times()
    return CpuSample(time.monotonic(), ticks / per_second, used.user + used.system)


def others_busy(before: CpuSample, after: CpuSample) -> float:
    """Cores' worth of CPU time other processes used between two samples."""
    elapsed = after.wall - before.wall
    if elapsed <= 0:
        return 0.0
    return max(0.0, (after.busy - before.busy) - (after.own - before.own)) / elapsed


def busy_since(start: CpuSample | None, fallback: float) -> float:
    """Cores' worth other processes used since ``start``; ``fallback`` where unmeasured."""
    end = cpu_sample()
    return fallback if start is None or end is None else others_busy(start, end)


BUSY_FRESH_SECONDS = 10.0


class BusyReading:
    """The last :func:`busy_now` reading, returned again while under ``fresh`` seconds old.

    One command asks several estimates (each route of a bench plan, a preview's
    table) and a person waits on every measuring window.  The clock is a
    parameter, as :class:`ThreadGovernor`'s sample is, so tests age a reading
    without sleeping.
    """

    def __init__(
        self, *, fresh: float = BUSY_FRESH_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.fresh = fresh
        self._clock = clock
        self._reading: tuple[float, float] | None = None  # (taken at, cores' worth)

    def get(self, measure: Callable[[], float]) -> float:
        """The kept reading if still fresh, else ``measure()``'s, kept from now."""
        if self._reading is not None and self._clock() - self._reading[0] < self.fresh:
            return self._reading[1]
        busy = measure()
        self._reading = (self._clock(), busy)
        return busy

    def reset(self) -> None:
        """Forget the kept reading: the next :meth:`get` measures."""
        self._reading = None


busy_reading = BusyReading()


def busy_now(window: float = 0.3) -> float:
    """Cores' worth other processes use now, over ``window`` seconds of ``/proc/stat``.

    Where that cannot be read, :func:`others_load`.  This is what a long job's
    :class:`ThreadGovernor` will see, so an estimate made from it predicts the
    thread count the job settles at.  A reading under :data:`BUSY_FRESH_SECONDS`
    old (:data:`busy_reading`'s ``fresh``) is returned again rather than measured again.
    """

    def measure() -> float:
        start = cpu_sample()
        if start is not None:
            time.sleep(window)
        return busy_since(start, others_load())

    return busy_reading.get(measure)


def _set_torch_threads(count: int) -> None:
    torch: Any = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "set_num_threads"):
        torch.set_num_threads(count)


@dataclass(frozen=True)
class Rechosen:
    """A governor's change: the new thread count, and what the others used over ``seconds``."""

    threads: int
    others: float
    seconds: float


class ThreadGovernor:
    """Re-chooses a long job's torch threads, at most once per ``interval`` seconds.

    Call :meth:`check` between units of work (training steps, answers).  Intra-op
    threads can change between steps (``torch.set_num_threads``); a count set by
    ``local.threads`` is never changed.
    """

    def __init__(
        self,
        settings: Settings | None,
        threads: int,
        *,
        interval: float = 15.0,
        sample: Callable[[], CpuSample | None] = cpu_sample,
        apply: Callable[[int], None] = _set_torch_threads,
    ) -> None:
        self.threads = threads
        self.interval = interval
        self._sample, self._apply = sample, apply
        self._fixed = settings is not None and bool(settings.local.threads)
        self._key = str(settings.local.threads if settings is not None else None)
        self._last = None if self._fixed else sample()

    def check(self) -> Rechosen | None:
        """The change made now, if any: None when it is too soon, or nothing changed."""
        if self._last is None or time.monotonic() - self._last.wall < self.interval:
            return None  # decided before reading /proc/stat: this runs after every step
        now = self._sample()
        if now is None or now.wall - self._last.wall < self.interval:
            return None
        others = others_busy(self._last, now)
        seconds = now.wall - self._last.wall
        self._last = now
        wanted = choose_threads(affinity_cpus(), cgroup_quota(), others)
        if wanted == self.threads:
            return None
        self._apply(wanted)
        self.threads = wanted
        _applied[self._key] = wanted  # a later use_thread_policy() keeps it
        return Rechosen(wanted, others, seconds)
