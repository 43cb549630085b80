"""benchmarks/bench_train_base_dtype.py: the verdict rule fixed before any run."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_train_base_dtype as bench


def test_b_keeps_quality_within_the_seed_noise() -> None:
    keeps, line = bench.verdict(1.00, 1.01, 0.98, same_b=10, same_a2=6)
    assert keeps
    assert "B keeps quality" in line


def test_a_loss_gap_beyond_the_seed_noise_fails() -> None:
    keeps, line = bench.verdict(1.00, 1.03, 0.99, same_b=16, same_a2=2)
    assert not keeps
    assert "does not keep" in line


def test_fewer_equal_answers_than_the_other_seed_fails() -> None:
    keeps, _ = bench.verdict(1.00, 1.00, 1.05, same_b=3, same_a2=4)
    assert not keeps


def test_ties_keep_quality() -> None:
    assert bench.verdict(1.0, 1.5, 0.5, same_b=4, same_a2=4)[0]


def test_equal_answers_counts_exact_matches_only() -> None:
    assert bench.equal_answers(["a", "b", "c"], ["a", "b ", "c"]) == 2
