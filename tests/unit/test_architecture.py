"""The architecture rules, enforced: headless core, fast start."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import advisor
from tests.conftest import REPO

HEAVY = (
    "torch",
    "transformers",
    "sentence_transformers",
    "chromadb",
    "textual",
    "trl",
    "peft",
    "datasets",
)

PROBE = """
import json, sys
sys.argv = ["advisor", *json.loads(sys.argv[1])]
from advisor.cli.app import main
try:
    main()
except SystemExit:
    pass
print("\\n" + json.dumps(sorted(sys.modules)))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["chat", "--help"]])
def test_start_up_imports_no_heavy_library(args):
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    modules = set(json.loads(out.strip().splitlines()[-1]))
    loaded = sorted(m for m in HEAVY if m in modules)
    assert loaded == [], f"`advisor {' '.join(args)}` imported {loaded}"


def test_import_linter_contracts_hold():
    # In a subprocess: import-linter builds the import graph of the whole package.
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken" in result.stdout


def test_every_core_package_is_under_the_contracts():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    shells = {"advisor.cli", "advisor.tui"}
    packages = {f"advisor.{m.name}" for m in pkgutil.iter_modules(advisor.__path__)}
    packages -= {"advisor.__main__"}
    for contract in contracts:
        listed = set(contract["source_modules"])
        expected = packages - shells if "CLI" in contract["name"] else packages - {"advisor.tui"}
        assert expected <= listed, f"{contract['name']!r} misses {sorted(expected - listed)}"
