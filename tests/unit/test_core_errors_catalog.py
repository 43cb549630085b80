"""Errors raised deeper in the core come from the catalog (issue 14 item 4): a new
English-only raise in a converted package fails here, and the catalog file of these
errors keeps to the core's rules."""

from __future__ import annotations

import ast
import inspect

import pytest
import yaml

from advisor import errors, messages
from advisor.errors import AdvisorError
from tests.conftest import REPO

# The product's error classes: raising one of them with a sentence of its own is English-only.
ERROR_CLASSES = {
    name
    for name, value in vars(errors).items()
    if inspect.isclass(value) and issubclass(value, AdvisorError)
}
CONVERTED = ["advisor/rag", "advisor/graders", "advisor/bench/scenario.py"]


def english_only(source: str) -> list[int]:
    """Lines that build a product error from a sentence (not from_catalog), raised or returned."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Raise | ast.Return) and isinstance(
            node.exc if isinstance(node, ast.Raise) else node.value, ast.Call
        ):
            call = node.exc if isinstance(node, ast.Raise) else node.value
            assert isinstance(call, ast.Call)
            if isinstance(call.func, ast.Name) and call.func.id in ERROR_CLASSES:
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("package", CONVERTED)
def test_a_converted_package_raises_no_error_without_the_catalog(package: str) -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{line}"
        for path in sorted(
            (REPO / package).rglob("*.py") if (REPO / package).is_dir() else [REPO / package]
        )
        for line in english_only(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_scan_finds_an_english_raise_and_return() -> None:
    source = (
        "def f():\n"
        "    raise UserInputError('no')\n"
        "def g():\n"
        "    return KnowledgeBaseError(f'x {y}')\n"
        "def h():\n"
        "    raise UserInputError.from_catalog('core.rag.k_too_small')\n"
        "def i():\n"
        "    raise ValueError('a programming error, not the user')\n"
    )
    assert english_only(source) == [2, 4]


def test_the_error_catalog_holds_core_keys_in_both_languages() -> None:
    data = yaml.safe_load((REPO / "advisor" / "messages_core_errors.yaml").read_text("utf-8"))
    assert data and all(key.startswith("core.") for key in data)
    for key in data:
        text = messages.catalog()[key]
        assert messages.placeholders(text.en) == messages.placeholders(text.ja), key
