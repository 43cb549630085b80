"""benchmarks/bench_six_scenarios.py: the arms' commands, what is read back, the ratio."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_six_scenarios as bench
import pytest


def test_both_arms_run_the_acceptance_command(tmp_path: Path) -> None:
    command = bench.bench_command("new", "brand-voice", tmp_path, None)
    assert command[1:] == [
        "-m",
        "advisor",
        "bench",
        "scenarios/brand-voice",
        "--backend",
        "local",
        "--routes",
        "system_prompt,rag,sft",
        "--repeats",
        "2",
        "--out",
        str(tmp_path / "new-out" / "brand-voice"),
    ]
    assert bench.bench_command("base", "brand-voice", tmp_path, 3)[-2:] == ["--max-examples", "3"]


def test_each_arm_gets_its_own_data_folder_and_only_the_base_its_code(tmp_path: Path) -> None:
    tree = tmp_path / "base-tree"
    new = bench.arm_environment("new", "house-rules", tmp_path, tree)
    base = bench.arm_environment("base", "house-rules", tmp_path, tree)
    assert new["ADVISOR_DATA_DIR"] != base["ADVISOR_DATA_DIR"]
    assert base["PYTHONPATH"] == str(tree)
    assert base["ADVISOR_LOCAL__BATCH_SIZE"] == "32"
    assert new.get("PYTHONPATH") != str(tree)
    assert new["HF_HUB_OFFLINE"] == base["HF_HUB_OFFLINE"] == "1"


def test_results_give_the_duration_and_each_route_s_pass_rate(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    routes = {
        "sft": {"status": "ok", "metrics": {"pass_rate": 0.5875}},
        "rag": {"status": "skipped", "metrics": None},
    }
    path.write_text(json.dumps({"duration_s": 241.5, "routes": routes}))
    assert bench.read_results(path) == (241.5, {"sft": 58.75, "rag": "skipped"})
    assert bench.read_results(tmp_path / "missing.json") == (None, {})


def test_the_ratio_counts_only_scenarios_both_arms_finished() -> None:
    runs = [
        bench.ArmRun("new", "a", 0, 110.0, 100.0),
        bench.ArmRun("base", "a", 0, 400.0, 400.0),
        bench.ArmRun("new", "b", 0, 60.0, 50.0),  # its base never finished
        bench.ArmRun("base", "b", 1, 9.0, None),
    ]
    text = bench.table(runs)
    assert "| a | 100 (110) | 400 (400) | 0.25x |" in text
    assert "| b |" not in text
    assert "**0.250x**" in text


def test_an_arm_run_alone_lists_its_rows_and_its_own_total() -> None:
    runs = [
        bench.ArmRun("base", "a", 0, 410.0, 400.0, {"sft": 60.0}),
        bench.ArmRun("base", "b", 0, 210.0, 200.0),
    ]
    text = bench.table(runs)
    assert "| a | - | 400 (410) | - | -; {'sft': 60.0} |" in text
    assert "| **base arm alone, all listed** | 600 s |" in text
    assert "both finished" not in text and "new arm alone" not in text


def test_arms_take_new_base_or_both_and_refuse_anything_else() -> None:
    assert bench.parse_arms("new") == {"new"}
    assert bench.parse_arms("base,new") == {"new", "base"}
    for wrong in ("nwe", "", "new,old"):
        with pytest.raises(argparse.ArgumentTypeError, match="give new, base or new,base"):
            bench.parse_arms(wrong)
