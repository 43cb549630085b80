"""Where a training estimate comes from, as a catalog sentence (``data.stats_source*``).

Split from advisor/data/calibration.py (which re-exports both functions) to keep that
module within the size rule.  The bench plan words a training step's basis with these
sentences' values in its own templates (``bench_report.stored.plan_training*``,
advisor/bench/plan_basis.py): change the catalog's ``data.stats_source*`` and those
together.

A load correction's sentence says how its thread figure was found: ``_measured`` when
the calibration timed both thread counts (advisor/data/contention.py ``thread_speed``),
``_assumed`` when it did not and the speed is taken to follow the threads, and the plain
``_loaded`` sentence (the only one before speeds were measured; results.json 1.6 and
later store it) when the job trains at the calibration's own thread count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.messages import Localized

if TYPE_CHECKING:
    from advisor.data.calibration import Calibration, TrainingRate
    from advisor.data.contention import LoadCorrection

SOURCE = "data.stats_source"
LOADED = "data.stats_source_loaded"
#: The load-corrected sentences by how the thread figure was found (see the module).
MEASURED = "data.stats_source_loaded_measured"
ASSUMED = "data.stats_source_loaded_assumed"


def describe_rate(
    cal: Calibration, rate: TrainingRate, correction: LoadCorrection | None = None
) -> str:
    """One phrase naming where a training figure comes from, and its load correction if any.

    The English of :func:`rate_sentence`.
    """
    return str(rate_sentence(cal, rate, correction))


def rate_sentence(
    cal: Calibration, rate: TrainingRate, correction: LoadCorrection | None = None
) -> Localized:
    """:func:`describe_rate` as a catalog sentence, for a shell to say in its reader's language."""
    values: dict[str, Any] = {
        "date": cal.measured_at[:10],
        "device": cal.device,
        "threads": rate.threads or cal.threads,
        "rate": f"{1 / rate.seconds_per_token:,.0f}",
        "seq_len": rate.seq_len,
        "startup": f"{rate.startup_seconds:.0f}",
    }
    if correction is None:
        return Localized(SOURCE, values)
    values |= {
        "factor": f"{correction.factor:.1f}",
        "load_now": f"{correction.load_now:.1f}",
        "load_then": f"{correction.load_then:.1f}",
        "threads_now": correction.threads_now,
        "threads_then": correction.threads_then,
    }
    if correction.threads_now == correction.threads_then:
        return Localized(LOADED, values)
    if correction.threads_speedup is not None:
        return Localized(MEASURED, values | {"speedup": f"{correction.threads_speedup:.2f}"})
    assumed = max(1, correction.threads_now) / max(1, correction.threads_then)
    return Localized(ASSUMED, values | {"speedup": f"{assumed:.2f}"})
