"""Few-shot examples drawn from a training file, fixed or by similarity to the question.

The file is the same JSONL a team would fine-tune on, so the system-prompt
route and the SFT route see the same examples.  Accepted lines:

* chat (SFT, RFT): ``{"messages": [..., {"role": "user"}, {"role": "assistant"}]}``,
* preference (DPO): ``{"input": {"messages": [...]}, "preferred_output": [{"role": "assistant"}]}``,
* plain pairs: ``{"prompt": ..., "completion": ...}``.

The last user turn before the answer is the example's question.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from advisor.errors import DataFileError

if TYPE_CHECKING:
    import numpy as np

    from advisor.rag.embedding import Embedder

Selection = Literal["fixed", "similar"]


class Example(BaseModel):
    user: str
    assistant: str


def _text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: keep the text ones
        parts = [p.get("text", "") for p in content if isinstance(p, dict)]
        return "".join(parts) or None
    return None


def _pair(messages: list[Any], answer: Any) -> Example | None:
    users = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    if not users or not isinstance(answer, dict):
        return None
    user, assistant = _text(users[-1].get("content")), _text(answer.get("content"))
    if not user or not assistant:
        return None
    return Example(user=user, assistant=assistant)


def parse_example(record: Any) -> Example | None:
    """The (question, answer) pair in one JSONL record, or None when it has none."""
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("messages"), list):
        messages = record["messages"]
        answers = [
            i
            for i, m in enumerate(messages)
            if isinstance(m, dict) and m.get("role") == "assistant"
        ]
        last_answer = answers[-1] if answers else None
        if last_answer is None:
            return None
        return _pair(messages[:last_answer], messages[last_answer])
    if isinstance(record.get("input"), dict) and isinstance(record.get("preferred_output"), list):
        preferred = record["preferred_output"]
        return _pair(record["input"].get("messages", []), preferred[-1] if preferred else None)
    prompt, completion = record.get("prompt"), record.get("completion")
    if isinstance(prompt, str) and isinstance(completion, str):
        return Example(user=prompt, assistant=completion)
    return None


def load_examples(path: Path) -> list[Example]:
    """Every usable example in ``path``; lines without a pair are skipped.

    Raises:
        DataFileError: the file is missing, is not JSONL, or holds no example.
    """
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError.from_catalog(
            "core.routes.cannot_read_few_shot", path=str(path), error=str(exc)
        ) from exc
    examples: list[Example] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise DataFileError.from_catalog(
                "core.not_json",
                hint_key="core.routes.one_object_a_line",
                path=str(path),
                line=number,
                error=exc.args[0],
            ) from exc
        example = parse_example(record)
        if example is not None:
            examples.append(example)
    if not examples:
        raise DataFileError.from_catalog(
            "core.routes.no_examples",
            hint_key="core.routes.no_examples_hint",
            path=str(path),
            example='{"messages": [{"role": "user", ...}, {"role": "assistant", ...}]}',
        )
    return examples


def spread(examples: list[Example], k: int) -> list[Example]:
    """``k`` examples evenly spaced through the file: deterministic and varied."""
    if k >= len(examples):
        return list(examples)
    step = len(examples) / k
    return [examples[int(i * step)] for i in range(k)]


class SimilarExamples:
    """Picks the ``k`` examples whose questions are closest to the asked one."""

    def __init__(self, examples: list[Example], embedder: Embedder) -> None:
        self.examples = examples
        self.embedder = embedder
        self._vectors: np.ndarray | None = None

    def prepare(self) -> None:
        if self._vectors is None:
            self._vectors = self.embedder.embed([e.user for e in self.examples])

    def pick(self, questions: list[str], k: int) -> list[list[Example]]:
        import numpy as np

        self.prepare()
        assert self._vectors is not None
        asked = self.embedder.embed(questions)
        scores = asked @ self._vectors.T  # both normalised: cosine similarity
        picked: list[list[Example]] = []
        for row in scores:
            # Stable sort so ties keep file order; most similar last, nearest the question.
            best = np.argsort(-row, kind="stable")[:k]
            picked.append([self.examples[i] for i in reversed(best)])
        return picked
