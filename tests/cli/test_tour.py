"""The README's short tour, replayed command by command (issue 19, first hour).

The commands are read from the README's first ``bash`` block under "A 5-minute
tour", so the test breaks when the README drifts from the product.  The fast
test runs them on the fake backend (``--backend local`` becomes ``--backend
fake``); the slow one runs them exactly as written, on the embedded models.
"""

from __future__ import annotations

import re
import shlex
import time
from pathlib import Path

import pytest

from advisor.cli.app import main
from tests.conftest import REPO

TOUR_HEADING = "## A 5-minute tour"


def tour_commands() -> list[list[str]]:
    """The short tour's commands, with shell variables substituted and comments dropped."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split(TOUR_HEADING, 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S)
    assert block is not None, "the tour has no ```bash block"
    variables: dict[str, str] = {}
    commands: list[list[str]] = []
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if len(words) == 1 and re.fullmatch(r"\w+=\S+", words[0]):
            name, value = words[0].split("=", 1)
            variables[name] = value
            continue
        words = [re.sub(r"\$(\w+)", lambda m: variables[m.group(1)], w) for w in words]
        assert words[0] == "advisor", f"the tour runs only advisor commands: {line!r}"
        commands.append(words[1:])
    return commands


def replay(commands: list[list[str]], capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Run each command in order; a failure names the command and its stderr."""
    timings = []
    for args in commands:
        began = time.perf_counter()
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        _, err = capsys.readouterr()
        code = int(exit_info.value.code or 0)
        assert code == 0, f"`advisor {shlex.join(args)}` exited {code}: {err.strip()}"
        timings.append(f"{time.perf_counter() - began:6.1f} s  advisor {shlex.join(args)}")
    return timings


def test_the_readme_has_a_short_tour() -> None:
    commands = tour_commands()
    assert len(commands) >= 10
    # The long runs are not part of the short path.
    assert not any(c[:2] == ["tune", "create"] or c[0] == "bench" for c in commands)


def in_a_fresh_clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work where the tour's relative paths resolve, without writing into the checkout."""
    for name in ("scenarios", "examples"):
        (tmp_path / name).symlink_to(REPO / name)
    monkeypatch.chdir(tmp_path)


def test_the_short_tour_replays_on_the_fake_backend(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ADVISOR_BACKEND", "fake")
    monkeypatch.setenv("ADVISOR_CHROMA__EMBEDDING_BACKEND", "fake")
    in_a_fresh_clone(tmp_path, monkeypatch)
    commands = [
        ["fake" if w == "local" and a[i - 1] == "--backend" else w for i, w in enumerate(a)]
        for a in tour_commands()
    ]
    replay(commands, capsys)
    assert (tmp_path / "clean.jsonl").is_file()


@pytest.mark.slow
def test_the_short_tour_replays_as_written(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    in_a_fresh_clone(tmp_path, monkeypatch)
    timings = replay(tour_commands(), capsys)
    with capsys.disabled():
        print("\n" + "\n".join(timings))
