"""The README's tour as commands: one parser for the tour's replay test and its timing script.

``tests/cli/test_tour.py`` replays the short path; ``benchmarks/bench_tour.py`` times it,
and with ``--long`` the long path's fine-tuning commands too.  Both read the README here,
so a README edit that the parser cannot follow fails the test, not only the benchmark.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

TOUR_HEADING = "## A 5-minute tour"
LONG_COMMANDS = ("tune", "chat", "export")
JOB_ID = "{job_id}"  # the README's "<job id>", filled in once the job exists
README = Path(__file__).resolve().parents[1] / "README.md"


class TourFormatError(ValueError):
    """The README's tour is not in the shape this parser reads (the message says which part)."""


def _blocks(readme: Path) -> list[str]:
    """The ``bash`` blocks of the tour's section, in order."""
    text = readme.read_text(encoding="utf-8")
    if TOUR_HEADING not in text:
        raise TourFormatError(f"{readme} has no {TOUR_HEADING!r} section")
    section = text.split(TOUR_HEADING, 1)[1]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    if not blocks:
        raise TourFormatError("the tour has no ```bash block")
    return blocks


def tour_commands(readme: Path = README) -> list[list[str]]:
    """The short path's commands (the first block), shell variables substituted, comments
    dropped, ``advisor`` left off."""
    variables: dict[str, str] = {}
    commands: list[list[str]] = []
    for line in _blocks(readme)[0].splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if len(words) == 1 and re.fullmatch(r"\w+=\S+", words[0]):
            name, value = words[0].split("=", 1)
            variables[name] = value
            continue
        words = [re.sub(r"\$(\w+)", lambda m: variables[m.group(1)], w) for w in words]
        if words[0] != "advisor":
            raise TourFormatError(f"the tour runs only advisor commands: {line!r}")
        commands.append(words[1:])
    return commands


def long_commands(readme: Path = README) -> list[list[str]]:
    """The long path's fine-tuning commands (the second block), ``$train`` filled in and
    ``<job id>`` left as :data:`JOB_ID` for the caller to fill."""
    blocks = _blocks(readme)
    train = re.search(r"^train=(\S+)$", blocks[0], flags=re.M)
    if train is None:
        raise TourFormatError("the short path no longer sets $train")
    if len(blocks) < 2:
        raise TourFormatError("the tour has no second ```bash block (the long path)")
    commands = []
    for line in blocks[1].splitlines():
        line = line.replace("$train", train.group(1)).replace("<job id>", JOB_ID)
        words = shlex.split(line, comments=True)
        if words[:1] == ["advisor"] and words[1] in LONG_COMMANDS:
            commands.append(words[1:])
    return commands
