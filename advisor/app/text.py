"""Wording both shells must print alike (the CLI and the wizard show the same figures)."""

from __future__ import annotations


def duration_text(seconds: float) -> str:
    """A duration in the unit a person reads at a glance: seconds, minutes or hours."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
