"""Helpers shared by the scenario generators (run from anywhere; output is deterministic).

Each generator combines hand-written fragments under a fixed seed, splits the
distinct prompts into training and held-out test sets (so no test prompt is
ever a training prompt) and writes the files next to its scenario.toml.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

SCENARIOS = Path(__file__).resolve().parent.parent


def rng(seed: str) -> random.Random:
    return random.Random(seed)


def folder(name: str) -> Path:
    """The scenario folder; SCENARIOS_OUT redirects output (tests regenerate into a temp dir)."""
    path = Path(os.environ.get("SCENARIOS_OUT", SCENARIOS)) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def chat(system: str, user: str, assistant: str) -> dict[str, Any]:
    """One SFT example in OpenAI chat format; the system prompt matches scenario.toml."""
    return {
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
            {"role": "assistant", "content": assistant},
        ]
    }


def norm(text: str) -> str:
    """The same normalization the validator uses to compare prompts."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def unique_by_prompt(rows: Sequence[dict[str, Any]], key: str = "prompt") -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for row in rows:
        k = norm(row[key])
        if k not in seen:
            seen.add(k)
            out.append(row)
    return out


def split(
    rows: Sequence[dict[str, Any]], n_test: int, r: random.Random, group: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Shuffle and split into (train, test); with ``group``, whole groups stay on one side."""
    rows = unique_by_prompt(rows)
    if group is None:
        shuffled = list(rows)
        r.shuffle(shuffled)
        return shuffled[n_test:], shuffled[:n_test]
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row[group]), []).append(row)
    keys = sorted(groups)
    r.shuffle(keys)
    test: list[dict[str, Any]] = []
    train: list[dict[str, Any]] = []
    for k in keys:
        (test if len(test) < n_test else train).extend(groups[k])
    return train, test


def sentence_case(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def squash(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text).strip()


def paraphrase_rows(
    prefix: str, test: Sequence[dict[str, Any]], train: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Other wordings of each test prompt (same facts), never one that is a training prompt."""
    seen = {norm(t["prompt"]) for t in train}
    rows = []
    for i, item in enumerate(test, 1):
        texts = [
            a
            for a in item.get("alternatives", [])
            if norm(a) != norm(item["prompt"]) and norm(a) not in seen
        ]
        if texts:
            rows.append({"id": f"{prefix}-{i:03d}", "paraphrases": texts})
    return rows
