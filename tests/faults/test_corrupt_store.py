"""A damaged or unopenable job store (issue 18): one sentence naming the file, exit 2.

The product never deletes or replaces the file; the message says how to move it
aside.  (Tests run as root, so "no permission" is covered by a folder in the
file's place and by a file where the data folder should be.)
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from advisor.cli.app import main
from advisor.settings import Settings
from backends.job_store import JobStore
from tests.jobs_fixture import make_job


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def filled_store(settings: Settings) -> bytes:
    store = JobStore(settings.jobs_db)
    for i in range(60):
        job = make_job(
            id=f"ftjob-{i}", backend="fake", status="succeeded", training_file="/data/" + "x" * 200
        )
        store.save_job(job)
    db = sqlite3.connect(settings.jobs_db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return settings.jobs_db.read_bytes()


def damage(settings: Settings, how: str) -> None:
    path = settings.jobs_db
    if how == "truncated":
        data = filled_store(settings)
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(8192))
    elif how == "overwritten pages":
        data = filled_store(settings)
        path.write_bytes(data[:100] + os.urandom(len(data) - 100))
    elif how == "a folder in its place":
        path.mkdir(parents=True)
    elif how == "a damaged record":
        filled_store(settings)
        db = sqlite3.connect(path)
        with db:
            db.execute("UPDATE jobs SET body = '{not json' WHERE id IN ('ftjob-7', 'ftjob-59')")
        db.close()


@pytest.mark.parametrize(
    "how",
    ["truncated", "garbage", "overwritten pages", "a folder in its place", "a damaged record"],
)
@pytest.mark.parametrize(
    "command", [["jobs", "list", "--limit", "100"], ["jobs", "show", "ftjob-7"]]
)
def test_a_damaged_store_is_one_sentence_with_the_file_and_the_fix(
    capsys: pytest.CaptureFixture[str], settings: Settings, how: str, command: list[str]
) -> None:
    damage(settings, how)
    path = settings.jobs_db
    before = path.read_bytes() if path.is_file() else None
    code, _, err = run(capsys, *command)
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert str(settings.jobs_db) in err
    assert f"mv {settings.jobs_db} {settings.jobs_db}.broken" in err
    assert "Traceback" not in err
    assert path.exists() and (path.read_bytes() if path.is_file() else None) == before  # kept


def test_a_data_dir_that_is_a_file_is_one_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(blocker))
    code, _, err = run(capsys, "jobs", "list")
    assert code == 2 and err.count("\n") == 1, err
    assert str(blocker) in err and "Traceback" not in err
