"""`advisor --lang ja bench` writes report.md and report.html in Japanese (issue 14 item 4).

On the fake backend with the tiny fixture: a skipped route (no dpo data), a
minimal-prompt route and the plan's power note exercise the sentences the core
stores in English, which the report and the terminal show in Japanese.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.cli.bilingual import run
from tests.conftest import FIXTURES

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ROUTES = ("--routes", "system_prompt,sft,sft_short,dpo")


@pytest.fixture
def fake_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_CHROMA__EMBEDDING_BACKEND", "fake")
    from advisor.cli import context

    context.settings.cache_clear()


def test_bench_in_japanese_writes_japanese_reports_and_english_json(
    capsys, tmp_path, monkeypatch, fake_embeddings
) -> None:
    tiny = str(FIXTURES / "bench" / "tiny")
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    bench = ("bench", tiny, "--backend", "fake", *ROUTES, "--out")
    code, out, err = run(capsys, *bench, str(tmp_path / "ja"))
    assert code == 0, err
    assert re.search(r"^dpo +スキップ: シナリオに dpo の学習ファイルがありません$", out, re.M)
    assert "  dpo: スキップ（シナリオに dpo の学習ファイルがありません）" in out  # the plan
    assert "system_prompt: 準備 0 秒 [準備するものはありません]" in out
    assert "sft: 準備 0 秒 [fake バックエンドによる模擬]" in out
    assert "two-proportion" not in out + err and "training file" not in out
    md = (tmp_path / "ja" / "report.md").read_text("utf-8")
    page = (tmp_path / "ja" / "report.html").read_text("utf-8")
    for heading in ("## 判定", "## 結果", "## 対応のある比較", "## 注記", "## 回答の例"):
        assert heading in md
    for english in ("## Verdict", "## Results", "## Paired comparisons", "## Notes", "## Sample"):
        assert english not in md
    assert "- `dpo` スキップ: シナリオに dpo の学習ファイルがありません" in md
    assert "最小プロンプト: sft_short" in md and "計画: プロンプト 4 件では" in md
    assert page.startswith("<!DOCTYPE html><html lang='ja'>") and "IPAGothic" in page
    assert "<h2>結果</h2>" in page and "<h2>Results</h2>" not in page
    monkeypatch.delenv("ADVISOR_LANG")
    code, _, err = run(capsys, *bench, str(tmp_path / "en"))
    assert code == 0, err
    assert "## Results" in (tmp_path / "en" / "report.md").read_text("utf-8")
    assert "<html lang='en'>" in (tmp_path / "en" / "report.html").read_text("utf-8")
    ja, en = (json.loads((tmp_path / d / "results.json").read_text("utf-8")) for d in ("ja", "en"))
    assert ja["routes"]["dpo"] == en["routes"]["dpo"]  # the reason stays English in JSON
    assert ja["plan"]["power_note"] == en["plan"]["power_note"]
    assert not JAPANESE.search(json.dumps(ja, ensure_ascii=False))
