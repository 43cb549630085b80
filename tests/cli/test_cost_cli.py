"""``advisor cost`` and ``advisor prices`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from advisor.data import prices as prices_module
from tests.cli.bilingual import run
from tests.conftest import FIXTURES, REPO

RESULTS = FIXTURES / "bench/examples/bench-brand-voice/results.json"


def test_cost_json_on_the_published_results(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "cost", "--results", str(RESULTS), "--volume", "10000", "--months", "6",
        "--model", "gpt-4.1-mini", "--format", "json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert set(data["routes"]) == {"system_prompt", "sft"}
    for route in data["routes"].values():
        assert len(route["cumulative_usd"]) == 6
        assert "cost_per_correct_usd" in route
    assert data["routes"]["system_prompt"]["cost_per_correct_usd"] is None  # 0% passed
    assert data["crossover"][0]["fine_tuned"] == "sft"
    assert data["priced_as"]["model"] == "gpt-4.1-mini-2025-04-14"


def test_cost_table_in_japanese_and_retraining_from_answers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("knowledge_volume: small\nknowledge_changes: monthly\n", encoding="utf-8")
    code, out, _ = run(
        capsys, "cost", "-r", str(RESULTS), "--answers", str(answers), "--model", "gpt-4.1-mini",
        "--lang", "ja",
    )  # fmt: skip
    assert code == 0
    assert "手法" in out and "損益分岐点" in out and "x12" in out


def test_cost_errors_are_one_sentence(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "cost", "-r", str(tmp_path / "none.json"))
    assert code == 2 and "results file not found" in err and "Traceback" not in err
    code, _, err = run(capsys, "cost", "-r", str(RESULTS), "--model", "no-such")
    assert code == 2 and "no price for model 'no-such'" in err


def test_prices_show_json_lists_dated_entries_and_lifecycles(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "prices", "show", "--format", "json")
    assert code == 0
    data = json.loads(out)
    for entry in data["prices"]["models"]:
        assert entry["price_date"] and entry["source"] and entry["provider"]
        assert entry["input_per_million_tokens"] is not None
    ids = [e["id"] for e in data["lifecycle"]["entries"]]
    assert "openai_fine_tuning" in ids and "openai_hosted_evals" in ids


def test_prices_refresh_installs_a_table_that_overrides_the_shipped_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shipped = yaml.safe_load((REPO / "advisor/data/prices.yaml").read_text(encoding="utf-8"))
    shipped["price_date"] = "2027-03-01"
    shipped["models"][0]["input_per_million_tokens"] = 9.99
    mine = tmp_path / "prices.yaml"
    mine.write_text(yaml.safe_dump(shipped), encoding="utf-8")
    prices_module.load_prices.cache_clear()
    try:
        code, out, _ = run(capsys, "prices", "refresh", str(mine))
        assert code == 0 and "overrides" in out
        assert prices_module.load_prices().price_date == "2027-03-01"
        code, out, _ = run(capsys, "prices", "show", "--format", "json")
        assert json.loads(out)["prices"]["models"][0]["input_per_million_tokens"] == 9.99
    finally:
        prices_module.load_prices.cache_clear()
        prices_module.load_lifecycle.cache_clear()


def test_prices_refresh_refuses_an_invalid_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("price_date: x\nmodels: 3\n", encoding="utf-8")
    code, _, err = run(capsys, "prices", "refresh", str(bad))
    assert code == 2 and "invalid price table" in err


def test_prices_refresh_installs_a_lifecycle_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    table = yaml.safe_load((REPO / "advisor/criteria/lifecycle.yaml").read_text(encoding="utf-8"))
    table["checked"] = "2027-02-02"
    mine = tmp_path / "lifecycle.yaml"
    mine.write_text(yaml.safe_dump(table), encoding="utf-8")
    try:
        code, out, _ = run(capsys, "prices", "refresh", str(mine))
        assert code == 0 and "lifecycle" in out
        assert prices_module.load_lifecycle().checked.isoformat() == "2027-02-02"
    finally:
        prices_module.load_prices.cache_clear()
        prices_module.load_lifecycle.cache_clear()


def test_prices_refresh_refuses_a_misspelt_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    table = yaml.safe_load((REPO / "advisor/data/prices.yaml").read_text(encoding="utf-8"))
    table["models"][0]["input_per_milion_tokens"] = 1.0
    bad = tmp_path / "typo.yaml"
    bad.write_text(yaml.safe_dump(table), encoding="utf-8")
    code, _, err = run(capsys, "prices", "refresh", str(bad))
    assert code == 2 and "input_per_milion_tokens" in err
