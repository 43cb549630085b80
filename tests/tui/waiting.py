"""Waiting in Pilot tests for what the app does, not for how long it takes.

A fixed ``pilot.pause(0.2)`` bets that the app is done by then; on a loaded CI
runner it loses the bet now and then. :func:`until` lets the app work until
the condition holds, with a timeout far beyond any honest run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


async def until(pilot: Any, condition: Callable[[], object], timeout_s: float = 30.0) -> bool:
    """Let the app work until ``condition()`` is true; its final value after ``timeout_s``."""
    for _ in range(int(timeout_s / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return bool(condition())
