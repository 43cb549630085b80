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
  (:func:`thread_share`; the job ``t`` times that, :func:`cpu_share`);
* a job of ``t`` threads with whole cores trains ``speed(t)`` times as fast as
  at the calibration's thread count, where ``speed`` is *measured*: the
  calibration times two more training steps at the other thread count (1, or
  as many as the thread policy would pick on an idle machine;
  ``TrainingRate.seconds_per_step_by_threads``, backends/local/calibrate.py).
  A second thread is far from twice as fast (1.12x at 256 tokens a step, 1.31x
  at 1,024 on a 2-core Intel Xeon; docs/performance.md), so assuming it was
  made a ticket-triage estimate 2.6x short.  A count not measured takes the
  nearest measured one's speed; an entry measured at one count only (written
  before, or on one usable core), or measured while others left the threads no
  whole cores (:func:`whole_cores`: such steps time the wait for a core), keeps
  the old assumption that speed follows the threads, ``t / t_then``, and the
  basis says it is assumed (:func:`thread_speed`);
* the time of the training steps scales by ``speed_then / speed_now``
  (:func:`load_factor`), each side's speed being ``speed(t) x share per
  thread``, where ``t`` now is the thread policy's choice under the load now:
  the count the job's worker settles at, since its
  :class:`~advisor.threads.ThreadGovernor` follows what other processes use.

Multiplying the measured speed by a per-thread share is itself a model: the
speed of more threads is measured with (about) whole cores, on the
calibration's own step shape, and how a sublinear speed-up shrinks beside
other processes is not measured.  It is the simplest rule that gives 1 under
the calibration's own conditions and the measured speed-up on idle cores.

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
from typing import TYPE_CHECKING, NamedTuple

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from advisor.data.calibration import Calibration, TrainingRate
    from advisor.settings import Settings

MIN_FACTOR = 0.5
MAX_FACTOR = 3.0
SMALL = 0.05
#: Cores' worth of others' load a thread-speed measurement may share and still count as
#: one with whole cores: beside more, the extra threads wait for cores (a step of two
#: threads took 5.6 times one's with the load average at 2.2 on 2 cores; docs/performance.md).
SPEED_SPARE = 0.5


class LoadCorrection(BaseModel):
    """A load correction applied to a training estimate (see the module docstring)."""

    factor: float = Field(description="Multiplies the training steps' time (not start-up).")
    load_now: float = Field(description="Cores' worth other processes use now.")
    load_then: float = Field(description="The same, while the calibration measured.")
    threads_now: int
    threads_then: int
    threads_speedup: float | None = Field(
        default=None,
        description="Measured speed of threads_now threads against threads_then with whole "
        "cores (nearest measured count); None: not measured, assumed threads_now / "
        "threads_then.",
    )


@dataclass(frozen=True)
class Conditions:
    """The machine now, as the model needs it."""

    usable: float
    load: float
    threads: int


def thread_share(threads: int, usable: float, load: float) -> float:
    """The share of a core each of a job's ``threads`` threads gets beside ``load`` others."""
    return min(1.0, usable / (max(0.0, load) + max(1, threads)))


def cpu_share(threads: int, usable: float, load: float) -> float:
    """Cores' worth of CPU time a job of ``threads`` threads gets beside ``load`` others."""
    return max(1, threads) * thread_share(threads, usable, load)


def whole_cores(threads: int, usable: float, load: float) -> bool:
    """Whether ``threads`` threads beside ``load`` others have about a core each.

    Where they do not, a step's time measures waiting for cores, not the threads' speed.
    """
    return max(0.0, load) + threads <= usable + SPEED_SPARE


class ThreadStep(NamedTuple):
    """A training step timed at one thread count, and its speed against the calibration's."""

    threads: int
    seconds_per_step: float
    speed: float


def timed_steps(rate: TrainingRate) -> dict[int, float]:
    """The rate's step seconds by thread count, those with a time (a zero is no figure)."""
    return {t: s for t, s in (rate.seconds_per_step_by_threads or {}).items() if s > 0}


def measured_step(rate: TrainingRate, threads_then: int, threads: int) -> ThreadStep | None:
    """The step timed at the measured count nearest ``threads``, and how many times as fast
    it trains as ``threads_then`` threads.

    Of two counts as near, the fewer threads: the smaller claim.  None: not measured at two
    counts, or not at ``threads_then``.
    """
    measured = timed_steps(rate)
    if len(measured) < 2 or threads_then not in measured:
        return None
    nearest = min(measured, key=lambda t: (abs(t - threads), t))
    return ThreadStep(nearest, measured[nearest], measured[threads_then] / measured[nearest])


def thread_speed(
    rate: TrainingRate, threads_then: int, threads: int, usable: float | None = None
) -> float | None:
    """How many times as fast ``threads`` threads train as ``threads_then``, as measured.

    From the rate's step times per thread count; a count not measured takes the nearest
    measured one's (:func:`measured_step`).  None: not measured at two counts, or not at
    ``threads_then``, or (``usable`` given) under a recorded load that left the threads no
    whole cores: the caller then assumes linear.
    """
    step = measured_step(rate, threads_then, threads)
    if step is None:
        return None
    if usable is not None and not whole_cores(max(timed_steps(rate)), usable, rate.load or 0.0):
        return None
    return step.speed


def load_factor(
    *,
    usable: float,
    threads_then: int,
    load_then: float,
    threads_now: int,
    load_now: float,
    speedup: float | None = None,
) -> float:
    """How many times longer the training steps take now than when calibrated (clamped).

    ``speedup``: the speed of ``threads_now`` threads against ``threads_then`` with whole
    cores (:func:`thread_speed`); None: assumed ``threads_now / threads_then``.
    """
    if speedup is None or speedup <= 0:
        speedup = max(1, threads_now) / max(1, threads_then)
    then = thread_share(threads_then, usable, load_then)
    now = speedup * thread_share(threads_now, usable, load_now)
    return min(MAX_FACTOR, max(MIN_FACTOR, then / now))


def correction_for(
    rate: TrainingRate, calibration_threads: int, now: Conditions
) -> LoadCorrection | None:
    """The correction of ``rate`` under ``now``; None: no load recorded, or a factor about 1."""
    if rate.load is None:
        return None
    threads_then = rate.threads or calibration_threads
    speedup = thread_speed(rate, threads_then, now.threads, now.usable)
    factor = load_factor(
        usable=now.usable,
        threads_then=threads_then,
        load_then=rate.load,
        threads_now=now.threads,
        load_now=now.load,
        speedup=speedup,
    )
    if abs(factor - 1) < SMALL:
        return None
    return LoadCorrection(
        factor=round(factor, 2),
        load_now=round(now.load, 1),
        load_then=round(rate.load, 1),
        threads_now=now.threads,
        threads_then=threads_then,
        threads_speedup=None if speedup is None else round(speedup, 2),
    )


def conditions_now(settings: Settings | None = None) -> Conditions:
    """Usable cores, other processes' use of them and the policy's thread count, now."""
    from advisor import threads

    load = threads.busy_now()
    return Conditions(
        usable=usable_cores(), load=load, threads=threads.policy_threads(settings, load)
    )


def usable_cores() -> float:
    """Cores' worth this process may use: its affinity, capped by the cgroup quota."""
    from advisor import threads

    cpus, quota = threads.affinity_cpus(), threads.cgroup_quota()
    return float(cpus) if quota is None else max(0.1, min(float(cpus), quota))


def load_correction(
    cal: Calibration, rate: TrainingRate, settings: Settings | None = None
) -> LoadCorrection | None:
    """``rate``'s correction for the machine's load now (reads the load; see the module)."""
    if rate.load is None or cal.device != "cpu":  # nothing to compare; a GPU is not shared so
        return None
    return correction_for(rate, cal.threads, conditions_now(settings))
