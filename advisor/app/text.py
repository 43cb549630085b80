"""Wording both shells must print alike (the CLI and the wizard show the same figures)."""

from __future__ import annotations

from advisor import messages


def duration_text(seconds: float, lang: str = "en") -> str:
    """A duration in the unit a person reads at a glance: seconds, minutes or hours."""
    if seconds < 120:
        return messages.text("core.duration.seconds", lang, n=f"{seconds:.0f}")
    if seconds < 7200:
        return messages.text("core.duration.minutes", lang, n=f"{seconds / 60:.0f}")
    return messages.text("core.duration.hours", lang, n=f"{seconds / 3600:.1f}")


def job_status_text(status: str, lang: str = "en") -> str:
    """A job's status for a person; a status this release does not know, as the service said it.

    English keeps the services' own words (``succeeded``, ``validating_files``): they are
    what OpenAI's documentation and ``--format json`` use.
    """
    return messages.text_or_raw("core.job_status.", status, lang)
