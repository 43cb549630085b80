"""Deterministic train/validation split in which no example lands on both sides.

Lines are grouped by a normalised key (the texts of the example, case and
whitespace folded; with ``group_by="prompt"`` only the prompt, so that the same
question with different answers stays on one side).  Groups are ordered by a
seeded SHA-256 of their key and taken into the validation set until it holds
the requested share; the same file and seed always give the same split.  Lines
are copied byte for byte, in their original order.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel

from advisor.data.io import EncodingProblem, iter_lines
from advisor.data.streams import (
    atomic_output,
    check_input,
    display_name,
    output_folder,
    refuse_overwrite,
    reusable,
)
from advisor.data.tokens import content_text
from advisor.errors import DataFileError, UserInputError

GroupBy = Literal["example", "prompt"]


class SplitReport(BaseModel):
    """The result of ``advisor data split`` (the JSON it prints)."""

    train: str
    validation: str
    train_examples: int
    validation_examples: int
    duplicate_lines: int
    seed: int
    group_by: str


def example_key(obj: Any, group_by: GroupBy = "example") -> str:
    """The normalised text that decides which lines count as the same example."""
    if not isinstance(obj, dict):
        return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()
    parts: list[str] = []
    data = obj.get("input") if isinstance(obj.get("input"), dict) else obj
    messages = data.get("messages") if isinstance(data, dict) else None
    if isinstance(messages, list):
        for m in messages:
            if not isinstance(m, dict):
                continue
            if group_by == "prompt" and m.get("role") == "assistant":
                continue
            parts.append(f"{m.get('role')}: {content_text(m.get('content'))}")
            if m.get("tool_calls"):  # examples that differ only in their calls differ
                parts.append(orjson.dumps(m["tool_calls"], option=orjson.OPT_SORT_KEYS).decode())
    else:
        parts.append(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode())
    if group_by == "example":
        for key in ("preferred_output", "non_preferred_output"):
            for m in obj.get(key) or []:
                if isinstance(m, dict):
                    parts.append(f"{key}: {content_text(m.get('content'))}")
    return " ".join("\n".join(parts).casefold().split())


def split_file(
    src: Path | str,
    out_dir: Path | str,
    *,
    validation: float = 0.1,
    seed: int = 0,
    group_by: GroupBy = "example",
    encoding: str | None = None,
) -> SplitReport:
    """Write ``train.jsonl`` and ``validation.jsonl`` into ``out_dir``.

    ``src`` may be ``-`` (standard input) or a pipe: it is copied once to a
    private temporary file, because the split reads it twice.

    Raises:
        UserInputError: ``validation`` outside (0, 1), or an output is the input.
        DataFileError: unreadable file or invalid JSON (run ``validate`` first).
    """
    if not 0 < validation < 1:
        raise UserInputError.from_catalog("core.data.split.bad_fraction")
    src, out_dir = Path(src), Path(out_dir)
    train_path, val_path = out_dir / "train.jsonl", out_dir / "validation.jsonl"
    check_input(src)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserInputError.from_catalog(
            "core.data.split.out_is_file", hint_key="core.data.split.out_is_file_hint", path=out_dir
        )
    refuse_overwrite([src], [train_path, val_path])
    output_folder(train_path)
    with reusable(src) as readable:  # read twice: a stream is copied once first
        return _split(readable, src, train_path, val_path, validation, seed, group_by, encoding)


def _split(
    src: Path,
    name: Path,
    train_path: Path,
    val_path: Path,
    validation: float,
    seed: int,
    group_by: GroupBy,
    encoding: str | None,
) -> SplitReport:
    keys: list[bytes] = []  # one 16-byte digest per line
    sizes: dict[bytes, int] = {}
    for _, obj in _records(src, encoding, name):
        digest = hashlib.blake2b(example_key(obj, group_by).encode(), digest_size=16).digest()
        keys.append(digest)
        sizes[digest] = sizes.get(digest, 0) + 1
    total = len(keys)
    if len(sizes) < 2:
        raise DataFileError.from_catalog(
            "core.data.split.too_few", path=display_name(name), count=len(sizes)
        )
    wanted = max(1, math.floor(total * validation + 0.5))
    salt = str(seed).encode()
    order = sorted(sizes, key=lambda k: hashlib.sha256(salt + k).digest())
    chosen: set[bytes] = set()
    taken = 0
    for key in order:
        if taken >= wanted:
            break
        if taken + sizes[key] > wanted and taken > 0 and sizes[key] > 1:
            continue  # a big duplicate group would overshoot; try smaller ones
        chosen.add(key)
        taken += sizes[key]
    counts = _write(src, encoding, keys, chosen, train_path, val_path)
    return SplitReport(
        train=str(train_path),
        validation=str(val_path),
        train_examples=counts[0],
        validation_examples=counts[1],
        duplicate_lines=total - len(sizes),
        seed=seed,
        group_by=group_by,
    )


def _records(src: Path, encoding: str | None, name: Path) -> Any:
    try:
        for number, raw in iter_lines(src, encoding):
            if not raw.strip():
                continue
            try:
                yield number, orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise DataFileError.from_catalog(
                    "core.data.split.invalid_json",
                    hint_key="core.data.split.invalid_json_hint",
                    path=display_name(name),
                    line=number,
                ) from exc
    except EncodingProblem as exc:
        raise exc.error(display_name(name)) from exc


def _write(
    src: Path,
    encoding: str | None,
    keys: list[bytes],
    chosen: set[bytes],
    train_path: Path,
    val_path: Path,
) -> tuple[int, int]:
    counts = [0, 0]
    with atomic_output(train_path) as train, atomic_output(val_path) as val:
        handles = (train, val)
        index = 0
        for _, raw in iter_lines(src, encoding):
            if not raw.strip():
                continue
            side = 1 if keys[index] in chosen else 0
            handles[side].write(raw.strip() + b"\n")
            counts[side] += 1
            index += 1
    return counts[0], counts[1]
