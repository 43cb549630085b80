"""The embedded models, for real: no key, no hub."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from advisor.embedded import MANIFEST, chat_model_dir, ensure_chat_model
from backends.local import LocalBackend
from backends.types import ChatMessage, GenerationParams
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_conversion_is_cached_and_verified(settings):
    folder = ensure_chat_model(settings)
    assert folder == chat_model_dir(settings)
    for name in ("config.json", "model.safetensors", "tokenizer.json", MANIFEST):
        assert (folder / name).is_file()
    config = json.loads((folder / "config.json").read_text())
    assert "quantization_config" not in config  # plain weights: trainable and saveable
    mtime = (folder / "model.safetensors").stat().st_mtime
    assert ensure_chat_model(settings) == folder
    assert (folder / "model.safetensors").stat().st_mtime == mtime  # not converted again


def test_a_damaged_conversion_is_rebuilt(settings, tmp_path, monkeypatch):
    import shutil

    from advisor.settings import load_settings

    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    fresh = load_settings()
    shutil.copytree(ensure_chat_model(settings), chat_model_dir(fresh))
    folder = chat_model_dir(fresh)
    (folder / "model.safetensors").write_bytes(b"truncated")
    assert ensure_chat_model(fresh) == folder
    assert (folder / "model.safetensors").stat().st_size > 100_000_000


def test_real_text_from_the_embedded_model(settings):
    result = LocalBackend(settings).chat(
        [ChatMessage(role="user", content="What is the capital of France?")],
        params=GenerationParams(max_tokens=16),
    )
    assert "Paris" in result.text
    assert result.usage.completion_tokens > 0


def test_real_minilm_embeddings_put_similar_sentences_closer(settings):
    vectors = np.array(
        LocalBackend(settings)
        .embed(
            [
                "How do I reset my password?",
                "I forgot my password and need to change it.",
                "The invoice total is 420 euros.",
            ]
        )
        .vectors
    )
    assert vectors.shape == (3, 384)
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > unrelated + 0.2


def test_cli_chat_with_the_local_model_prints_json(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "advisor",
            "chat",
            "--backend",
            "local",
            "--format",
            "json",
            "--max-tokens",
            "12",
            "Say hello",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["text"].strip() and data["backend"] == "local"
