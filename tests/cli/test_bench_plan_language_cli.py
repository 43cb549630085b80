"""`advisor --lang ja bench`: the plan's durations and the results table's missing figures.

On the fake backend with no price known (the cost column is then empty): Japanese
shows the report's dash and `秒`, English stays `n/a` and `s` as before.
"""

from __future__ import annotations

import re

import pytest

from tests.cli.test_bench_report_language_cli import fake_embeddings, run
from tests.conftest import FIXTURES

__all__ = ["fake_embeddings"]  # the fixture, used by name


@pytest.fixture
def no_price(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("advisor.bench.runner.chat_price", lambda backend, model: None)


def test_plan_and_table_in_japanese_and_english(
    capsys, tmp_path, fake_embeddings, no_price
) -> None:
    tiny = str(FIXTURES / "bench" / "tiny")
    bench = ("bench", tiny, "--backend", "fake", "--routes", "system_prompt", "--out")
    code, out, err = run(capsys, "--lang", "ja", *bench, str(tmp_path / "ja"))
    assert code == 0, err
    assert "system_prompt: 準備 0 秒 [準備するものはありません]、10 件に回答 0 秒" in out
    assert "  合計: 0 秒" in out
    assert "system_prompt: 準備中" in err and "preparing" not in err  # the progress label
    row = next(line for line in out.splitlines() if line.startswith("system_prompt  "))
    assert row.endswith(" —") and "n/a" not in out, out
    code, out, err = run(capsys, *bench, str(tmp_path / "en"))
    assert code == 0, err
    assert "system_prompt: prepare 0 s [nothing to prepare], answer 10 requests 0 s" in out
    assert "  total: 0 s" in out
    assert "system_prompt: preparing" in err
    row = next(line for line in out.splitlines() if line.startswith("system_prompt  "))
    assert re.search(r"  n/a$", row), row


def test_calibration_failed_label_in_japanese(capsys, monkeypatch, fake_embeddings) -> None:
    from advisor.errors import AdvisorError

    def fail(*args: object, **kwargs: object) -> None:
        raise AdvisorError("no room left on device")

    monkeypatch.setattr("advisor.app.calibration.ensure_for_bench", fail)
    tiny = str(FIXTURES / "bench" / "tiny")
    bench = ("bench", tiny, "--backend", "fake", "--routes", "system_prompt", "--dry-run")
    code, _, err = run(capsys, "--lang", "ja", *bench)
    assert code == 0, err
    assert "較正に失敗しました(no room left on device)。計測していない時間は不明のままです" in err
    assert "calibration failed" not in err
    code, _, err = run(capsys, *bench)
    assert "calibration failed (no room left on device); unmeasured times stay unknown" in err
