"""The architecture rules, enforced: headless core, fast start."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

import advisor
import backends
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
    assert "Contracts: 4 kept, 0 broken" in result.stdout


def test_every_core_package_is_under_the_contracts():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    shells = {"advisor.cli", "advisor.tui"}
    packages = {f"advisor.{m.name}" for m in pkgutil.iter_modules(advisor.__path__)}
    packages -= {"advisor.__main__"}
    for contract in contracts:
        if contract["type"] != "forbidden" or "backend implementation" in contract["name"]:
            continue
        listed = set(contract["source_modules"])
        expected = packages - shells if "CLI" in contract["name"] else packages - {"advisor.tui"}
        assert expected <= listed, f"{contract['name']!r} misses {sorted(expected - listed)}"


def _contract(name_part: str) -> dict[str, Any]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if name_part in c["name"])


def test_every_module_has_a_layer() -> None:
    layered = {
        name.strip().strip("()")
        for layer in _contract("Layers")["layers"]
        for name in layer.replace("|", ":").split(":")
    }
    packages = {f"advisor.{m.name}" for m in pkgutil.iter_modules(advisor.__path__)}
    assert packages - {"advisor.__main__"} <= layered, sorted(packages - layered)
    implementations = set(_contract("backend implementation")["forbidden_modules"])
    backend_modules = {f"backends.{m.name}" for m in pkgutil.iter_modules(backends.__path__)}
    unplaced = backend_modules - layered - implementations
    assert unplaced == set(), f"place {sorted(unplaced)} in the contract layer or the leaves"


def test_entry_points_name_importable_classes() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    targets = config["project"]["entry-points"]["advisor.backends"]
    for name, target in targets.items():
        module, _, attribute = target.partition(":")
        cls = getattr(importlib.import_module(module), attribute)
        assert cls.name == name, f"{target} is registered as {name!r} but calls itself {cls.name!r}"


def test_backend_modules_and_functions_stay_short() -> None:
    """Modules under 500 lines and functions under 80 in backends/ (the house rule)."""
    import ast

    long: list[str] = []
    for path in sorted((REPO / "backends").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if source.count("\n") > 500:
            long.append(f"{path.relative_to(REPO)}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}: {length}")
    assert long == []
