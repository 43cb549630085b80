"""Plain data passed across the backend contract (pydantic, JSON-ready)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "developer", "user", "assistant", "tool"]


class ChatMessage(BaseModel):
    """One message of a conversation, in OpenAI's chat shape."""

    model_config = ConfigDict(extra="allow")

    role: Role
    content: str | None = None


def as_messages(conversation: list[ChatMessage] | list[dict[str, Any]]) -> list[ChatMessage]:
    """Accept dicts or messages, so callers can pass JSONL records straight through."""
    return [
        m if isinstance(m, ChatMessage) else ChatMessage.model_validate(m) for m in conversation
    ]


class GenerationParams(BaseModel):
    """How to sample. ``temperature == 0`` means greedy decoding on every backend."""

    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    max_tokens: int | None = Field(default=None, ge=1, description="None: the backend default.")
    seed: int | None = None
    stop: list[str] | None = None


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class ChatResult(BaseModel):
    """A finished answer; ``latency_s`` is wall time from request to last token."""

    text: str
    model: str
    backend: str
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0
    finish_reason: str | None = None


class EmbeddingResult(BaseModel):
    vectors: list[list[float]]
    model: str
    dimensions: int
    usage: Usage = Field(default_factory=Usage)


class ModerationResult(BaseModel):
    flagged: bool
    categories: list[str] = Field(default_factory=list)


class ChatStream:
    """Text chunks as they are generated; :attr:`result` is set once iteration ends.

    Backends build it from a generator that yields ``str`` chunks and *returns*
    the final :class:`ChatResult` (``return result`` inside the generator).
    """

    def __init__(self, chunks: Generator[str, None, ChatResult]) -> None:
        self._chunks = chunks
        self.result: ChatResult | None = None

    def __iter__(self) -> Iterator[str]:
        self.result = yield from self._chunks
