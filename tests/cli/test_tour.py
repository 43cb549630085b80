"""The README's short tour, replayed command by command (issue 19, first hour).

The commands are read from the README's first ``bash`` block under "A 5-minute
tour", so the test breaks when the README drifts from the product.  The fast
test runs them on the fake backend (``--backend local`` becomes ``--backend
fake``); the slow one runs them exactly as written, on the embedded models.
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import pytest

from advisor.cli.app import main
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

# The one parser of the README's tour, shared with benchmarks/bench_tour.py.
from _readme_tour import TourFormatError, long_commands, tour_commands


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


def test_the_readme_has_a_long_path_of_fine_tuning_commands() -> None:
    commands = long_commands()
    assert commands[0][:2] == ["tune", "create"]
    assert "--epochs" in commands[0]
    # the job id is left for the timing script to fill in once the job exists
    assert any("{job_id}" in " ".join(c) for c in commands[1:])


def test_a_tour_the_parser_cannot_follow_is_named(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Product\n\nNo tour here.\n", encoding="utf-8")
    with pytest.raises(TourFormatError, match="no '## A 5-minute tour' section"):
        tour_commands(readme)
    readme.write_text("## A 5-minute tour\n\n```bash\npip install it\n```\n", encoding="utf-8")
    with pytest.raises(TourFormatError, match="only advisor commands"):
        tour_commands(readme)
    with pytest.raises(TourFormatError, match=r"no longer sets \$train"):
        long_commands(readme)


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
