"""The fine-tuning job log in the reader's language, at display time.

The job store keeps each event's English as ``message`` (programs and
`advisor jobs events --format json` read it, and a provider's events are its own).
An event the product writes (the local worker and service, the fake jobs backend)
stores its catalog sentence beside it (``JobEvent.sentence``, key and values of a
``core.job_event.*`` text of ``advisor/messages_core.yaml``; ``JobEvent.said``) and is
said by it, so a reworded English template still reads in Japanese.  Events stored
before sentences were (an older job store) and events without one are found again by
their English template, as the bench report does for the sentences stored in
results.json; a provider's or a library's message no template matches stays as
written, and so do the values (file names, step counts, metrics, a quoted error).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from advisor import messages

if TYPE_CHECKING:
    from backends.jobs import JobEvent

# The templates the fallback tries, most specific first: "Paused at step {step}; resume with ..."
# also fills "Paused at step {step}", and "{file}, line {line}: {message}" would swallow almost
# anything.  Every core.job_event.* text an event is written with stays here, for old stores.
EVENTS = tuple(
    f"core.job_event.{name}"
    for name in (
        "created",
        "validating",
        "validated",
        "stopped",
        "cancel_requested",
        "cancelled",
        "cancelled_before",
        "cancelled_at",
        "pause_requested",
        "paused_resume",
        "paused",
        "resume_requested",
        "resume_ignored",
        "resumed_from_step",
        "resuming_from",
        "no_checkpoint",
        "started_simulated",
        "started",
        "resumed",
        "continuing",
        "hyperparameters",
        "training",
        "step",
        "threads",
        "checkpoint",
        "model_created",
        "completed",
        "failed",
        "file_line",
    )
)

LEVELS = {"error": "core.job_event.level_error", "warn": "core.job_event.level_warn"}


def event_text(event: JobEvent, lang: messages.Lang) -> str:
    """A job event's message in ``lang`` (unchanged in English or when not a known one)."""
    if lang == "en":
        return event.message
    # Said by its sentence; one written before sentences were stored, or one this release
    # cannot say, reads its stored Japanese, else its English found again by its template
    # (searched only then).
    english = partial(messages.recognised, event.message, EVENTS, lang)
    return messages.stored_text(event.sentence, english, event.message_ja, lang)


def level_text(level: str, lang: str) -> str:
    """An event's level as the CLI shows it (``ERROR``, ``WARN``): Japanese words in Japanese."""
    key = LEVELS.get(level)
    return level.upper() if key is None else messages.text(key, lang)
