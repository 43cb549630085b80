"""Fine-tuning started before the other routes answer (issue 19, item 3).

A bench runs its routes one after another, so a fine-tuned route's job used to
start only once the routes before it had answered (product-manual: 11 minutes
of answering, then 8 of training).  The runner now submits every plain training
job (``sft``, ``dpo``, ``rft``; a chain such as ``sft>dpo`` needs its parent
first) before it answers anything, and the job trains while the other routes
answer:

* on a remote backend the two run on different machines;
* on the local backend the job's worker shares the cores; its thread governor
  (:class:`advisor.threads.ThreadGovernor`) takes the cores the answering leaves
  free, and all of them once it has ended.

The route's own preparation then finds the job by its bench key and waits for
it (:func:`advisor.bench.prepare.start_fine_tuned`).  A job that cannot be
created is not an error here: the route records the same error when its turn
comes, without creating a second failed job.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advisor.bench.prepare import StartedJob, TrainingSettings, start_fine_tuned
from advisor.bench.selection import skip_reason
from advisor.errors import AdvisorError

if TYPE_CHECKING:
    from advisor.bench.routespec import RouteSpec
    from advisor.bench.scenario import Scenario
    from advisor.settings import Settings
    from backends.base import Backend


@dataclass
class EarlyTraining:
    """The jobs a run started before answering (by bench key), and the routes that failed."""

    by_key: dict[str, StartedJob] = field(default_factory=dict)
    errors: dict[str, AdvisorError] = field(default_factory=dict)

    def cancel_unfinished(self, backend: Backend) -> None:
        """Cancel the jobs still running: the run that started them has stopped."""
        service = backend.fine_tuning()
        for started in self.by_key.values():
            with contextlib.suppress(AdvisorError):  # gone or ended meanwhile: nothing to stop
                if not service.retrieve(started.job.id).is_terminal:
                    service.cancel(started.job.id)


def start_early(
    specs: list[RouteSpec],
    scenario: Scenario,
    backend: Backend,
    model: str,
    settings: Settings,
    training: TrainingSettings,
) -> EarlyTraining:
    """Submit the plain training jobs of ``specs`` now; see the module docstring."""
    early = EarlyTraining()
    # Routes that train the same method (``sft`` and ``sft+rag``) share one job; one that
    # could not be created is not tried again, which would store a second failed job.
    refused: dict[str, AdvisorError] = {}
    for spec in specs:
        if len(spec.training) != 1 or skip_reason(spec, scenario, backend):
            continue
        method = spec.training[0]
        if method in refused:
            early.errors[spec.id] = refused[method]
            continue
        try:
            started = start_fine_tuned(
                method, scenario, backend, model, settings, training, early=early.by_key
            )
        except AdvisorError as exc:
            early.errors[spec.id] = refused[method] = exc
            continue
        early.by_key.setdefault(started.key, started)
    return early
