"""benchmarks/_machine.py: arms interleave, the machine is described."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import _machine


def test_interleave_alternates_the_order_each_round() -> None:
    calls: list[str] = []
    arms = {name: (lambda name=name: calls.append(name) or len(calls)) for name in "AB"}
    results = _machine.interleave(arms, 3)
    assert calls == ["A", "B", "B", "A", "A", "B"]
    assert results == {"A": [1, 4, 5], "B": [2, 3, 6]}


def test_cpu_model_and_isa_flags(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: AMD EPYC 9B14\nflags\t\t: fpu avx2 fma avx512f avx512_bf16\n"
    )
    model, flags = _machine.cpu_model_and_flags(cpuinfo)
    assert model == "AMD EPYC 9B14"
    assert flags == ["avx2", "fma", "avx512f", "avx512_bf16"]


def test_machine_line_names_cores_load_and_threads() -> None:
    line = _machine.machine_line()
    assert "cores" in line and "load average" in line and "OMP_WAIT_POLICY" in line


def test_median_figures() -> None:
    runs = [{"s": 3.0}, {"s": 1.0}, {"s": 2.0}]
    assert _machine.median_figures(runs) == {"s": 2.0}
