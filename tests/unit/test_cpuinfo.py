"""advisor/cpuinfo.py: the one reader of /proc/cpuinfo, and the four places that ask it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from advisor import cpuinfo, precision
from advisor.data import calibration
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "cpuinfo"
INTEL = FIXTURES / "intel_sapphire_rapids.txt"
AMD = FIXTURES / "amd_epyc_genoa.txt"
ARM = FIXTURES / "arm_no_model_name.txt"


def test_intel_with_amx_bf16() -> None:
    info = cpuinfo.cpu_info(INTEL)
    assert info is not None
    assert info.model_name == "Intel(R) Xeon(R) Platinum 8488C"
    assert {"amx_bf16", "amx_tile", "avx512_bf16"} <= info.flags
    assert "vnmi" not in info.flags  # "vmx flags" is another line
    assert precision.cpu_has_bf16(INTEL) is True


def test_amd_with_avx512_bf16() -> None:
    info = cpuinfo.cpu_info(AMD)
    assert info is not None
    assert info.model_name == "AMD EPYC 9B14"
    assert "avx512_bf16" in info.flags and "amx_bf16" not in info.flags
    assert precision.cpu_has_bf16(AMD) is True
    assert calibration.cpu_model(AMD) == "AMD EPYC 9B14"


def test_arm_features_count_as_flags_and_no_model_name_is_none() -> None:
    info = cpuinfo.cpu_info(ARM)
    assert info is not None and info.model_name is None
    assert {"asimd", "sve", "bf16"} <= info.flags
    assert precision.cpu_has_bf16(ARM) is False  # ARM's bf16 is not what torch's x86 kernels use


def test_no_file_is_none_and_each_caller_keeps_its_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absent = tmp_path / "absent"
    assert cpuinfo.cpu_info(absent) is None
    monkeypatch.setattr(calibration.platform, "processor", lambda: "")
    monkeypatch.setattr(calibration.platform, "machine", lambda: "x86_64")
    assert calibration.cpu_model(absent) == "x86_64"
    assert calibration.cpu_model(ARM) == "x86_64"  # a file without a model name
    monkeypatch.setattr(precision, "_torch_says_bf16", lambda: True)
    assert precision.cpu_has_bf16(absent) is True


def test_the_file_is_read_once_per_path(tmp_path: Path) -> None:
    path = tmp_path / "cpuinfo"
    path.write_text(AMD.read_text())
    first = cpuinfo.cpu_info(path)
    path.write_text(INTEL.read_text())
    assert cpuinfo.cpu_info(path) is first


def test_empty_model_names_are_skipped() -> None:
    parsed = cpuinfo.parse_cpuinfo(
        "model name\t:\nmodel name\t: Real CPU\nflags\t: a b\nflags\t: c\n"
    )
    assert parsed == cpuinfo.CpuInfo(model_name="Real CPU", flags=frozenset({"a", "b"}))


def test_the_benchmarks_read_the_same_file() -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import _machine
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    model, flags = _machine.cpu_model_and_flags(INTEL)
    assert model == "Intel(R) Xeon(R) Platinum 8488C"
    assert flags == [
        "avx2",
        "fma",
        "avx512f",
        "avx512_vnni",
        "avx512_bf16",
        "amx_tile",
        "amx_bf16",
        "amx_int8",
    ]
