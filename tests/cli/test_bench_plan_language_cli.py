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
    row = next(line for line in out.splitlines() if line.startswith("system_prompt  "))
    assert row.endswith(" —") and "n/a" not in out, out
    code, out, err = run(capsys, *bench, str(tmp_path / "en"))
    assert code == 0, err
    assert "system_prompt: prepare 0 s [nothing to prepare], answer 10 requests 0 s" in out
    assert "  total: 0 s" in out
    row = next(line for line in out.splitlines() if line.startswith("system_prompt  "))
    assert re.search(r"  n/a$", row), row
