"""Drafted training examples: the file format ``advisor data grow`` writes.

A drafts file is JSONL; every line is a normal SFT example in OpenAI's chat
format plus one top-level key ``draft`` that says where it came from::

    {"messages": [...], "draft": {"origin": "paraphrase", "teacher": "openai:gpt-4.1",
                                  "source": "train line 3"}}

``origin`` is ``paraphrase`` (a training prompt rephrased or its inputs varied,
answered by the teacher), ``document`` (a question and answer grounded in one
chunk of a knowledge document; ``source`` is ``<doc path>#<chunk number>``) or
``distill`` (a real prompt answered by the teacher; ``source`` is ``prompts line
N``).  Drafts are never trained on until a person accepts them in the review
queue, which drops the ``draft`` key.

Prompts are read from three shapes of record (training, test and prompt files):
``messages`` (the user turns), or a string under ``prompt``, ``input`` or
``question`` (the bench's test sets).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Origin = Literal["paraphrase", "document", "distill"]
ORIGINS: tuple[Origin, ...] = ("paraphrase", "document", "distill")
PROMPT_KEYS = ("prompt", "input", "question")


class DraftInfo(BaseModel):
    """Where a draft came from (the ``draft`` key of a drafts line)."""

    model_config = ConfigDict(extra="forbid")

    origin: Origin
    teacher: str = Field(description="The teacher model as <backend>:<model>.")
    source: str = Field(
        description="train line N, <doc path>#<chunk number>, or prompts line N (1-based)."
    )


class Draft(BaseModel):
    """One line of a drafts file: an SFT example plus its ``draft`` provenance."""

    model_config = ConfigDict(extra="allow")

    messages: list[dict[str, Any]] = Field(min_length=2)
    draft: DraftInfo

    def record(self) -> dict[str, Any]:
        """The JSON object written on the line (``messages`` first, then ``draft``)."""
        return {"messages": self.messages, "draft": self.draft.model_dump()}


def user_text(messages: list[Any]) -> str:
    """The user turns of a conversation joined by newlines (the system prompt, shared
    by most examples of a set, is left out so it cannot make them look alike)."""
    parts = [
        m["content"]
        for m in messages
        if isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), str)
    ]
    return "\n".join(parts)


def prompt_of(record: Any) -> str | None:
    """The prompt of a training, test or prompts record, or None when it has none."""
    if isinstance(record, str):
        return record.strip() or None
    if not isinstance(record, dict):
        return None
    messages = record.get("messages")
    if isinstance(messages, list):
        return user_text(messages) or None
    for key in PROMPT_KEYS:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None
