"""Embedders: the local MiniLM (float and int8) and any backend's ``embed``."""

from __future__ import annotations

import numpy as np
import pytest

from advisor.errors import ConfigError
from advisor.rag.embedding import BackendEmbedder, LocalEmbedder, make_embedder
from advisor.settings import Settings, load_settings
from backends.fake import FakeBackend

TEXTS = ["Tents carry a lifetime warranty.", "東京店は水曜日が定休日です。", ""]


def test_local_vectors_are_normalised_float32(settings: Settings) -> None:
    embedder = LocalEmbedder(settings)
    vectors = embedder.embed(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert embedder.identity == "local:all-MiniLM-L6-v2"


def test_int8_is_a_different_model_with_close_vectors(settings: Settings) -> None:
    exact = LocalEmbedder(settings)
    int8 = LocalEmbedder(settings, quantize=True)
    assert int8.identity == "local:all-MiniLM-L6-v2@int8"
    agreement = (exact.embed(TEXTS[:2]) * int8.embed(TEXTS[:2])).sum(axis=1)
    assert (agreement > 0.9).all()
    # The shared float model is untouched by quantising a copy.
    assert np.allclose(exact.embed(TEXTS[:1]), LocalEmbedder(settings).embed(TEXTS[:1]))


def test_backend_embedder_and_factory(settings: Settings) -> None:
    embedder = BackendEmbedder(FakeBackend(settings))
    assert embedder.identity == "fake:fake-embedding"
    assert embedder.embed(TEXTS).shape == (3, settings.fake.dimensions)
    assert make_embedder(settings).identity == "local:all-MiniLM-L6-v2"
    fake = make_embedder(load_settings(chroma={"embedding_backend": "fake"}))
    assert fake.identity == "fake:fake-embedding"


def test_backend_without_embeddings_is_a_config_error(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backends.base import Capabilities

    monkeypatch.setattr(FakeBackend, "capabilities", Capabilities(supports_embeddings=False))
    with pytest.raises(ConfigError, match="has no embeddings"):
        make_embedder(load_settings(chroma={"embedding_backend": "fake"}))
