"""The plan lines' measured bases and durations in Japanese (issue 14 item 4).

The bases are stored in English (results.json keeps them); the plan lines find
each one again by its English template.  Built by the real planner on a local-like
backend, so a basis whose wording changes without its template fails here.
"""

from __future__ import annotations

import re

import pytest

from advisor.bench.plan import plan_bench, render_plan
from advisor.bench.report_i18n import stored_parts
from advisor.bench.runner import BenchOptions, run_bench
from advisor.bench.scenario import load_scenario
from advisor.settings import Settings
from tests.unit.test_bench_plan import TINY, LocalLike, store_calibration
from tests.unit.test_bench_runner import InstantTuning

ENGLISH_BASES = re.compile(
    r"unknown|calibrated|tokens/s|chunks/s|answers of|reuses|documents|\d s\b|min\b"
)


def route_line(lines: list[str], route: str) -> str:
    return next(line for line in lines if line.startswith(f"  {route}: "))


def total_line(lines: list[str]) -> str:
    """The total, which a note on training beside answering may follow."""
    return next(line for line in lines if line.startswith(("  total: ", "  合計: ")))


def test_unmeasured_plan_in_japanese(settings: Settings) -> None:
    scenario = load_scenario(TINY)
    options = BenchOptions(routes=["system_prompt", "sft", "rag"], repeats=2)
    plan = plan_bench(scenario, LocalLike(settings), settings, options)
    english = render_plan(plan)
    assert route_line(english, "sft") == (
        "  sft: prepare unknown [sft: unknown (not calibrated; run `advisor tune calibrate`)], "
        "answer 10 requests unknown [not measured]"
    )
    assert total_line(english) == "  total: unknown"
    japanese = render_plan(plan, "ja")
    assert route_line(japanese, "sft") == (
        "  sft: 準備 不明 [sft: 不明（未較正。`advisor tune calibrate` を実行してください）]、"
        "10 件に回答 不明 [未計測]"
    )
    rag = route_line(japanese, "rag")
    assert "件の文書の索引付け: 不明（未計測。" in rag, rag
    assert total_line(japanese) == "  合計: 不明"
    assert not any(ENGLISH_BASES.search(line) for line in japanese[3:]), japanese


def test_measured_plan_in_japanese(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(InstantTuning, "created", 0)
    scenario = load_scenario(TINY)
    backend = LocalLike(settings)
    options = BenchOptions(routes=["system_prompt", "sft", "rag", "sft+rag"], repeats=2)
    store_calibration(settings, backend.default_model)
    plan = plan_bench(scenario, backend, settings, options)
    english, japanese = render_plan(plan), render_plan(plan, "ja")
    sft_en = route_line(english, "sft")
    assert "calibrated on this machine 2026-11-30 (cpu, 2 threads; 100 tokens/s at 64" in sft_en
    sft_ja = route_line(japanese, "sft")
    assert "このマシンで 2026-11-30 に較正（cpu、2 スレッド。1 例 64 トークンで毎秒 100" in sft_ja
    assert "チャンクの索引付け、毎秒 5.0 チャンク（較正済み）" in route_line(japanese, "rag")
    both = route_line(japanese, "sft+rag")  # two bases joined by "; ", each converted
    assert "; 約 " in both and "チャンクの索引付け" in both and "このマシンで" in both, both
    assert "トークンの回答 10 件、毎秒 10.0 トークン（較正済み、バッチ 8）" in route_line(
        japanese, "system_prompt"
    )
    assert not any(ENGLISH_BASES.search(line) for line in japanese[3:]), japanese
    assert re.search(r" 秒|分", total_line(japanese))
    assert re.search(r" s$| min$", total_line(english))

    run_bench(scenario, backend, settings, BenchOptions(routes=["sft"], repeats=1))
    plan = plan_bench(scenario, backend, settings, options)
    line = route_line(render_plan(plan, "ja"), "sft")
    assert "sft: 準備 0 秒 [sft: 完了済みのジョブ " in line and "を再利用]" in line, line


def test_an_unknown_basis_stays_as_written() -> None:
    basis = "sft: something new (a; b); indexing about 3 chunks at 1.0 chunks/s (calibrated)"
    assert stored_parts(basis, "ja") == (
        "sft: something new (a; b); 約 3 チャンクの索引付け、毎秒 1.0 チャンク（較正済み）"
    )
    assert stored_parts(basis, "en") == basis
