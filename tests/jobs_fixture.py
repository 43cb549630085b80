"""One fine-tuning job record for tests: a running local SFT job unless told otherwise.

Tests that store or show a job mostly care about one or two fields (its status, its
backend, its id); the rest only has to be valid.
"""

from __future__ import annotations

from typing import Any

from backends.jobs import FineTuneJob

DEFAULTS: dict[str, Any] = {
    "id": "ftjob-test",
    "backend": "local",
    "method": "sft",
    "model": "m",
    "status": "running",
    "training_file": "t.jsonl",
}


def make_job(**changes: Any) -> FineTuneJob:
    """A :class:`FineTuneJob` of :data:`DEFAULTS` with ``changes`` applied."""
    return FineTuneJob(**(DEFAULTS | changes))
