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
