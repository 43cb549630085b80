"""Wording both shells must print alike (the CLI and the wizard show the same figures).

Durations are :func:`advisor.messages.duration_text`: the bench plan, a layer below, says
them by the same rule.
"""

from __future__ import annotations

from advisor import messages


def job_status_text(status: str, lang: str = "en") -> str:
    """A job's status for a person; a status this release does not know, as the service said it.

    English keeps the services' own words (``succeeded``, ``validating_files``): they are
    what OpenAI's documentation and ``--format json`` use.
    """
    return messages.text_or_raw("core.job_status.", status, lang)


# Where a local time estimate comes from, stored in English in the JSON (``data stats`` and
# a job preview's note name it).
ESTIMATE_SOURCES = ("data.stats_source_loaded", "data.stats_source", "data.stats_source_reference")


def preview_note_text(note: str, lang: str = "en") -> str:
    """A backend's job preview note (English in the JSON) in ``lang``; another stays as
    written.  ``advisor tune create`` and the wizard's confirmation say it alike."""
    timed = messages.match("tune.note_time", note)
    if timed is not None and lang == "ja":
        source = messages.recognised(timed["source"], ESTIMATE_SOURCES, lang)
        return messages.text("tune.note_time", lang, source=source)
    return messages.recognised(note, ("tune.note_local", "tune.note_fake"), lang)
