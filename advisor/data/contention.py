"""How much longer a local job trains when other processes share the cores.

A calibration is measured under one load; the job it predicts trains under
another.  On a shared machine this alone made an estimate 1.61x short (a Gemma
SFT job calibrated at a light load, trained under a load of 3-6;
docs/benchmarks.md).  The model is deliberately simple, a pure function of
numbers:

* the kernel shares CPU time about equally among runnable threads, so with a
  background load ``L`` (the one-minute load average of other processes) and a
  job of ``t`` threads on ``usable`` cores (affinity, capped by the cgroup
  quota), each of the job's threads gets ``min(1, usable / (L + t))`` of a core
  and the job ``t`` times that (:func:`cpu_share`);
* training throughput follows the CPU time the job gets, so the time of the
  training steps scales by ``share at calibration / share now``
  (:func:`load_factor`), where ``t`` now is the thread policy's choice under
  the load now: the count the job's worker settles at, since its
  :class:`~advisor.threads.ThreadGovernor` follows what other processes use.

Both loads are what other processes *used* (``/proc/stat``, less this
process's own CPU time; :func:`advisor.threads.busy_now`), not the load
average: that lags by a minute, counts this process's own recent work, and on
some VMs sits near 1 while the cores are idle.  The load at calibration is
what the others used during the measurement.

The factor multiplies the training steps only, not the start-up: start-up is
one thread importing libraries and reading the model, bound by the disk and
the page cache more than by a share of the cores, and it is seconds against
the steps' minutes, so leaving it as measured keeps the corrected figure
exactly "start-up + tokens x cost x factor".

The factor is clamped to [MIN_FACTOR, MAX_FACTOR] and never applied to a
calibration measured on a GPU (other processes' CPU load does not share it)
or to one that recorded no load (entries written before loads were
recorded); factors within SMALL of 1 are treated as 1 (a one-minute sample at
each end cannot tell 5% apart).  It is a prediction from the load *now*: a job
of many minutes trains under whatever load comes, which may rise or fall after
the estimate is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from advisor.data.calibration import Calibration, TrainingRate
    from advisor.settings import Settings

MIN_FACTOR = 0.5
MAX_FACTOR = 3.0
SMALL = 0.05


class LoadCorrection(BaseModel):
    """A load correction applied to a training estimate (see the module docstring)."""

    factor: float = Field(description="Multiplies the training steps' time (not start-up).")
    load_now: float = Field(description="Cores' worth other processes use now.")
    load_then: float = Field(description="The same, while the calibration measured.")
    threads_now: int
    threads_then: int


@dataclass(frozen=True)
class Conditions:
    """The machine now, as the model needs it."""

    usable: float
    load: float
    threads: int


def cpu_share(threads: int, usable: float, load: float) -> float:
    """Cores' worth of CPU time a job of ``threads`` threads gets beside ``load`` others."""
    threads = max(1, threads)
    return threads * min(1.0, usable / (max(0.0, load) + threads))


def load_factor(
    *, usable: float, threads_then: int, load_then: float, threads_now: int, load_now: float
) -> float:
    """How many times longer the training steps take now than when calibrated (clamped)."""
    then = cpu_share(threads_then, usable, load_then)
    now = cpu_share(threads_now, usable, load_now)
    return min(MAX_FACTOR, max(MIN_FACTOR, then / now))


def correction_for(
    rate: TrainingRate, calibration_threads: int, now: Conditions
) -> LoadCorrection | None:
    """The correction of ``rate`` under ``now``; None: no load recorded, or a factor about 1."""
    if rate.load is None:
        return None
    threads_then = rate.threads or calibration_threads
    factor = load_factor(
        usable=now.usable,
        threads_then=threads_then,
        load_then=rate.load,
        threads_now=now.threads,
        load_now=now.load,
    )
    if abs(factor - 1) < SMALL:
        return None
    return LoadCorrection(
        factor=round(factor, 2),
        load_now=round(now.load, 1),
        load_then=round(rate.load, 1),
        threads_now=now.threads,
        threads_then=threads_then,
    )


def conditions_now(settings: Settings | None = None) -> Conditions:
    """Usable cores, other processes' use of them and the policy's thread count, now."""
    from advisor import threads

    cpus, quota = threads.affinity_cpus(), threads.cgroup_quota()
    usable = float(cpus) if quota is None else max(0.1, min(float(cpus), quota))
    load = threads.busy_now()
    return Conditions(usable=usable, load=load, threads=threads.policy_threads(settings, load))


def load_correction(
    cal: Calibration, rate: TrainingRate, settings: Settings | None = None
) -> LoadCorrection | None:
    """``rate``'s correction for the machine's load now (reads the load; see the module)."""
    if rate.load is None or cal.device != "cpu":  # nothing to compare; a GPU is not shared so
        return None
    return correction_for(rate, cal.threads, conditions_now(settings))
