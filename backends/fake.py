"""A deterministic backend for tests, docs and demos without a model.

Replies come from a queue (``FakeBackend.queue_replies`` or the
``fake.replies`` setting); when it is empty the backend echoes the last user
message as ``"fake reply: <message>"``; with a ``seed`` and a temperature
above 0 it "samples": the echo's words (each CJK character counts as one) come
in an order drawn from the seed, so drafting tools get distinct, reproducible
texts per seed (``advisor data grow``).  Embeddings are hashed bags of words:
deterministic, L2-normalised, and texts that share words are closer, which is
enough for retrieval tests to mean something.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
import threading
from collections import deque
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, ClassVar

from advisor.ids import METHODS
from advisor.section_settings import FakeSettings
from backends.base import Availability, Backend, Capabilities, FineTuningService
from backends.types import (
    ChatMessage,
    ChatResult,
    ChatStream,
    EmbeddingResult,
    GenerationParams,
    Usage,
)

if TYPE_CHECKING:
    from advisor.settings import Settings

FAKE_MODEL = "fake-model"
FAKE_EMBEDDING_MODEL = "fake-embedding"
_WORD = re.compile(r"\w+", re.UNICODE)
_SAMPLE_TOKEN = re.compile(r"[A-Za-z0-9_]+|\S")


def count_tokens(text: str) -> int:
    """Whitespace-and-punctuation word count: the fake backend's idea of a token."""
    return len(_WORD.findall(text))


class FakeBackend(Backend):
    name = "fake"
    description = "Deterministic scripted replies and hashed embeddings, for tests and docs."
    description_ja = "台本どおりの決まった返答とハッシュによる埋め込み（テストと文書用）。"
    capabilities = Capabilities(
        supports_streaming=True,
        supports_batch=True,
        supports_embeddings=True,
        supports_fine_tuning=True,
        fine_tuning_methods=METHODS,
        runs_locally=True,
    )
    settings_model = FakeSettings

    # Shared by every instance in the process, like simonw/llm's mock model, so a
    # test can script replies for code that builds its own backend.
    _queue: ClassVar[deque[str]] = deque()
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._configured = deque(settings.fake.replies)

    @classmethod
    def queue_replies(cls, *replies: str) -> None:
        """Append replies that the next ``chat`` calls return, in order."""
        with cls._lock:
            cls._queue.extend(replies)

    @classmethod
    def clear_replies(cls) -> None:
        with cls._lock:
            cls._queue.clear()

    def availability(self) -> Availability:
        return Availability(usable=True)

    @property
    def default_model(self) -> str:
        return FAKE_MODEL

    @property
    def default_embedding_model(self) -> str:
        return FAKE_EMBEDDING_MODEL

    def _next_reply(self, messages: Sequence[ChatMessage], params: GenerationParams) -> str:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self._configured:
            return self._configured.popleft()
        last_user = next((m.content for m in reversed(messages) if m.role == "user"), "")
        if params.temperature > 0 and params.seed is not None:
            return f"fake reply: {_sampled(last_user or '', params.seed)}"
        return f"fake reply: {last_user or ''}"

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> ChatResult:
        params = params or GenerationParams()
        text = self._next_reply(messages, params)
        if params.max_tokens is not None:
            words = text.split(" ")
            text = " ".join(words[: params.max_tokens])
        prompt_tokens = sum(count_tokens(m.content or "") for m in messages)
        return ChatResult(
            text=text,
            model=model or FAKE_MODEL,
            backend=self.name,
            usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=count_tokens(text)),
            latency_s=0.0,
            finish_reason="stop",
        )

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> ChatStream:
        result = self.chat(messages, model=model, params=params)

        def chunks() -> Generator[str, None, ChatResult]:
            words = result.text.split(" ")
            for i, word in enumerate(words):
                yield word if i == 0 else " " + word
            return result

        return ChatStream(chunks())

    def embed(self, texts: Sequence[str], *, model: str | None = None) -> EmbeddingResult:
        dims = self.settings.fake.dimensions
        vectors = [_hashed_vector(text, dims) for text in texts]
        return EmbeddingResult(
            vectors=vectors,
            model=model or FAKE_EMBEDDING_MODEL,
            dimensions=dims,
            usage=Usage(prompt_tokens=sum(count_tokens(t) for t in texts)),
        )

    def fine_tuning(self) -> FineTuningService:
        """Simulated jobs (see :mod:`backends.fake_jobs`): instant, or paced for tests."""
        from backends.fake_jobs import FakeFineTuning

        return FakeFineTuning(self.settings)


def _sampled(text: str, seed: int) -> str:
    """The words of ``text`` shuffled by ``seed``: deterministic "sampling" for tests."""
    tokens = _SAMPLE_TOKEN.findall(text)
    random.Random(seed).shuffle(tokens)
    return " ".join(tokens)


def _hashed_vector(text: str, dims: int) -> list[float]:
    vector = [0.0] * dims
    for word in _WORD.findall(text.lower()):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        index = int.from_bytes(digest[:4], "little") % dims
        sign = 1.0 if digest[4] & 1 else -1.0
        vector[index] += sign
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0.0:
        # Empty text still gets a unit vector, so cosine distance stays defined.
        vector[0] = 1.0
        return vector
    return [v / norm for v in vector]
