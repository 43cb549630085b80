"""Stop strings on the local backend: the answer is cut at the first one, after decoding.

Both engines (torch and onnx) cut the same decoded text the same way, so a stop
string gives the same answer whichever engine generated the tokens.
"""

from __future__ import annotations


def apply_stop(text: str, stop: list[str] | None) -> tuple[str, bool]:
    """``text`` cut before the earliest stop string, and whether one was found."""
    if not stop:
        return text, False
    cut = min((i for i in (text.find(s) for s in stop) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)
