"""Which ``item.<key>`` fields a grader reads, so RFT data can be checked against it.

Grader definitions are OpenAI-shaped JSON (or YAML) documents whose strings use
``{{ item.x }}`` templates; python graders read ``item["x"]``, ``item.get("x")``
or ``item.x`` in their ``source``.  A ``.py`` file is taken as python grader
source on its own.  Only the top-level key matters: ``{{ item.answer.value }}``
needs ``answer``.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import yaml

from advisor.errors import DataFileError

TEMPLATE = re.compile(r"\{\{\s*item\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*[\"']([^\"']+)[\"']\s*\])")
# Fallback for python source that does not parse: the same three spellings.
PY_PATTERNS = (
    re.compile(r"\bitem\s*\[\s*[\"']([^\"']+)[\"']\s*\]"),
    re.compile(r"\bitem\.get\(\s*[\"']([^\"']+)[\"']"),
    re.compile(r"\bitem\.([A-Za-z_]\w*)\b(?!\s*\()"),
)
DICT_METHODS = frozenset({"get", "keys", "items", "values", "copy", "setdefault", "pop"})


def grader_item_keys(path: Path) -> set[str]:
    """The item fields a grader file uses.

    Raises:
        DataFileError: the file cannot be read or parsed.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError.from_catalog(
            "core.data.grader_refs.unreadable", path=str(path), error=exc
        ) from exc
    if path.suffix == ".py":
        return python_item_keys(text)
    try:
        spec = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise DataFileError.from_catalog(
            "core.data.grader_refs.unparsed", path=str(path), error=exc
        ) from exc
    return spec_item_keys(spec)


def spec_item_keys(spec: Any) -> set[str]:
    """Item fields used anywhere in a grader definition (nested graders included)."""
    keys: set[str] = set()
    if isinstance(spec, dict):
        for name, value in spec.items():
            if name == "source" and isinstance(value, str) and spec.get("type") == "python":
                keys |= python_item_keys(value)
            else:
                keys |= spec_item_keys(value)
    elif isinstance(spec, list):
        for value in spec:
            keys |= spec_item_keys(value)
    elif isinstance(spec, str):
        keys |= template_item_keys(spec)
    return keys


def template_item_keys(text: str) -> set[str]:
    return {m.group(1) or m.group(2) for m in TEMPLATE.finditer(text)}


def python_item_keys(source: str) -> set[str]:
    """Keys read from the ``item`` argument in python grader source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        keys: set[str] = set()
        for pattern in PY_PATTERNS:
            keys |= {k for k in pattern.findall(source) if k not in DICT_METHODS}
        return keys
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_item(node.value):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                found.add(node.slice.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if _is_item(node.func.value) and node.func.attr == "get" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
        elif (
            isinstance(node, ast.Attribute)
            and _is_item(node.value)
            and node.attr not in DICT_METHODS
        ):
            found.add(node.attr)
    return found


def _is_item(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "item"
