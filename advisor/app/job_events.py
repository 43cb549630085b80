"""The fine-tuning job log in the reader's language, at display time.

The job store keeps each event as the backend wrote it, in English (programs and
`advisor jobs events --format json` read it, and a provider's events are its own).
The shells show a known event in the reader's language by finding it again by its
English template (``core.job_event.*`` of ``advisor/messages_core.yaml``), as the
bench report does for the sentences stored in results.json; a provider's or a
library's message no template matches stays as written, and so do the values
(file names, step counts, metrics, a quoted error).  An event that quotes one of
the product's sentences (a failure) stores that sentence (``JobEvent.sentence``)
and is said by it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor import messages

if TYPE_CHECKING:
    from backends.jobs import JobEvent

# Most specific first: "Paused at step {step}; resume with ..." also fills "Paused at step {step}",
# and "{file}, line {line}: {message}" would swallow almost anything.
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


def event_text(event: JobEvent, lang: str) -> str:
    """A job event's message in ``lang`` (unchanged in English or when not a known one)."""
    # An event stored with its sentence (its quote is a sentence of ours) is said by it;
    # the others are found again by their English.
    english = messages.recognised(event.message, EVENTS, lang)
    return messages.stored_text(event.sentence, english, event.message_ja, lang)


def level_text(level: str, lang: str) -> str:
    """An event's level as the CLI shows it (``ERROR``, ``WARN``): Japanese words in Japanese."""
    key = LEVELS.get(level)
    return level.upper() if key is None else messages.text(key, lang)
