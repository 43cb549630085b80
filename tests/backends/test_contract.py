"""The backend contract, checked on every backend that can run here.

``fake`` always; ``local`` with the real embedded models (slow); ``openai``
through its real SDK against an OpenAI-compatible stub on loopback.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from advisor.errors import CapabilityError, ModelNotFoundError
from advisor.registry import get_backend
from advisor.settings import load_settings
from backends.base import Backend
from backends.types import ChatMessage, ChatResult, GenerationParams
from tests.backends.openai_stub import openai_stub

SHORT = GenerationParams(max_tokens=12)


@pytest.fixture(
    params=[
        "fake",
        pytest.param("local", marks=pytest.mark.slow),
        pytest.param("openai", marks=pytest.mark.integration),
    ]
)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    if request.param != "openai":
        yield get_backend(request.param, load_settings())
        return
    with openai_stub() as (base_url, _requests):
        monkeypatch.setenv("ADVISOR_OPENAI__BASE_URL", base_url)
        monkeypatch.setenv("ADVISOR_OPENAI__CHAT_MODEL", "stub-chat")
        monkeypatch.setenv("ADVISOR_OPENAI__EMBEDDING_MODEL", "stub-embed")
        monkeypatch.setenv("ADVISOR_OPENAI__MAX_RETRIES", "0")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-stub-key-for-tests")
        yield get_backend("openai", load_settings())


def _conversation(text: str) -> list[ChatMessage]:
    return [
        ChatMessage(role="system", content="Answer briefly."),
        ChatMessage(role="user", content=text),
    ]


def test_is_usable(backend: Backend) -> None:
    assert backend.availability().usable, backend.availability().reason


def test_chat_returns_text_usage_and_latency(backend: Backend) -> None:
    result = backend.chat(_conversation("Say hello"), params=SHORT)
    assert isinstance(result, ChatResult)
    assert result.text.strip()
    assert result.backend == backend.name
    assert result.model == backend.default_model
    assert result.usage.prompt_tokens > 0
    assert result.usage.completion_tokens > 0
    assert result.latency_s >= 0


def test_batch_keeps_input_order(backend: Backend) -> None:
    prompts = ["Name a colour.", "Name a fruit that is yellow and long.", "Count to three."]
    batch = backend.chat_batch([_conversation(p) for p in prompts], params=SHORT)
    assert len(batch) == len(prompts)
    singles = [backend.chat(_conversation(p), params=SHORT) for p in prompts]
    if backend.name == "local":
        # Greedy decoding: a padded batch gives the answers one-at-a-time generation gives.
        assert [r.text for r in batch] == [r.text for r in singles]
    else:
        assert all(r.text for r in batch)


def test_stream_yields_the_answer(backend: Backend) -> None:
    stream = backend.stream(_conversation("Say hello"), params=SHORT)
    chunks = list(stream)
    assert stream.result is not None
    assert "".join(chunks).strip() == stream.result.text
    if backend.capabilities.supports_streaming:
        assert len(chunks) > 1


def test_embeddings_are_unit_vectors_in_input_order(backend: Backend) -> None:
    if not backend.capabilities.supports_embeddings:
        with pytest.raises(CapabilityError):
            backend.embed(["x"])
        return
    texts = ["The cat sits on the mat.", "A cat is sitting on a mat.", "Quarterly tax filing."]
    result = backend.embed(texts)
    assert len(result.vectors) == 3
    assert all(len(v) == result.dimensions for v in result.vectors)
    for vector in result.vectors:
        assert math.isclose(math.sqrt(sum(x * x for x in vector)), 1.0, rel_tol=1e-3)
    again = backend.embed([texts[2]]).vectors[0]
    assert again == pytest.approx(result.vectors[2], abs=1e-5)


def test_unknown_model_is_a_clear_error(backend: Backend) -> None:
    if backend.name == "fake":
        pytest.skip("the fake backend answers for any model name")
    with pytest.raises(ModelNotFoundError):
        backend.chat(_conversation("hi"), model="no-such-model-anywhere", params=SHORT)


def test_capability_flags_match_behaviour(backend: Backend) -> None:
    if not backend.capabilities.supports_fine_tuning:
        with pytest.raises(CapabilityError):
            backend.fine_tuning()
    if not backend.capabilities.supports_moderation:
        with pytest.raises(CapabilityError):
            backend.moderate(["text"])
