"""``advisor graders run`` with a code grader where bubblewrap is missing: one sentence, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.cli import context
from advisor.cli.app import main


def test_a_code_grader_without_bubblewrap_exits_2_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from advisor.graders import sandbox

    monkeypatch.setattr(sandbox, "BWRAP_SEARCH_PATH", str(tmp_path / "empty"))
    grader = json.dumps(
        {"type": "python", "name": "code", "source": "def grade(s, i):\n  return 1\n"}
    )
    with pytest.raises(SystemExit) as exited:
        main(["graders", "run", "--grader", grader, "--sample", "a"])
    out, err = capsys.readouterr()
    assert exited.value.code == 2
    assert "bubblewrap" in err + out and "Traceback" not in err + out
    monkeypatch.setenv("ADVISOR_GRADERS__ALLOW_UNSANDBOXED", "1")
    context.settings.cache_clear()  # settings are read once per process, as in real use
    with pytest.raises(SystemExit) as exited:
        main(["graders", "run", "--grader", grader, "--sample", "a"])
    assert exited.value.code == 0
