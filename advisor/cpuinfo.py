"""The CPU as Linux describes it in ``/proc/cpuinfo``: its model name and its flags.

The one reader of that file: the precision rule (bf16 instructions), the calibration's
machine key (the model name) and the benchmarks' machine line all ask it, so that they
agree on what the machine is. The file is read once per path and process (it does not
change while a process runs); tests pass their own path.
A lowest-layer module: it imports only the standard library and pydantic.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

CPUINFO = Path("/proc/cpuinfo")
# x86 names its instruction sets "flags", ARM "Features".
_FLAG_KEYS = ("flags", "features")


class CpuInfo(BaseModel):
    """What ``/proc/cpuinfo`` says of the first CPU that says it."""

    model_config = ConfigDict(frozen=True)

    model_name: str | None = None  # None: the file names no model (some ARM kernels)
    flags: frozenset[str] = frozenset()


def parse_cpuinfo(text: str) -> CpuInfo:
    """The first non-empty ``model name`` and the first flags line of ``text``.

    Every processor block repeats the same values, so the first one found stands for all.
    """
    model: str | None = None
    flags: frozenset[str] | None = None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "model name" and model is None and value.strip():
            model = value.strip()
        elif key in _FLAG_KEYS and flags is None:
            flags = frozenset(value.split())
        if model is not None and flags is not None:
            break
    return CpuInfo(model_name=model, flags=flags or frozenset())


@lru_cache(maxsize=8)
def cpu_info(path: Path = CPUINFO) -> CpuInfo | None:
    """``path`` parsed, or None where it cannot be read (not Linux, no ``/proc``)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return None
    return parse_cpuinfo(text)
