"""Embedders: the vectors behind retrieval and similar few-shot examples.

Chroma is always handed vectors we computed ourselves: its default embedding
function downloads an ONNX model at run time, which fails offline.  The local
embedder calls sentence-transformers directly and keeps numpy arrays (a list
of Python floats per chunk costs more than the upsert itself); any other
backend goes through :meth:`backends.base.Backend.embed`.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from advisor.errors import CapabilityError, ConfigError
from advisor.threads import use_thread_policy

if TYPE_CHECKING:
    import numpy as np

    from advisor.settings import Settings
    from backends.base import Backend

#: Texts per encode call; larger batches amortise Python overhead on CPU.
LOCAL_BATCH_SIZE = 64


class Embedder(abc.ABC):
    """Turns texts into L2-normalised vectors, and names the model that did it."""

    backend: str
    model: str
    #: Languages the model was trained for; None when it is not known to be limited.
    languages: tuple[str, ...] | None = None

    @abc.abstractmethod
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """A ``(len(texts), dims)`` float32 array, rows in input order."""

    @property
    def identity(self) -> str:
        """What a knowledge base records, so that queries use the same model."""
        return f"{self.backend}:{self.model}"


class LocalEmbedder(Embedder):
    """sentence-transformers on this machine (the embedded MiniLM by default)."""

    backend = "local"

    def __init__(
        self, settings: Settings, model: str | None = None, *, quantize: bool | None = None
    ) -> None:
        self.settings = settings
        self.quantize = settings.chroma.quantize if quantize is None else quantize
        name = model or settings.local.embedding_model
        # int8 vectors differ slightly from float32 ones: a different model to the index.
        self.model = f"{name}@int8" if self.quantize else name
        self._name = name
        # all-MiniLM-L6-v2 was trained on English pairs only: on Japanese its ranking
        # is close to chance (docs/performance.md, bench_retrieval_ja.py).
        self.languages = ("en",) if "all-minilm" in name.lower() else None
        self._encoder: Any = None
        use_thread_policy(settings)  # before torch loads: passive OpenMP waits, free cores

    @property
    def encoder(self) -> Any:
        if self._encoder is None:
            from advisor.embedded import sentence_encoder

            encoder = sentence_encoder(self.settings, self._name)
            self._encoder = _quantized(encoder) if self.quantize else encoder
        return self._encoder

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors: np.ndarray = self.encoder.encode(
            list(texts),
            batch_size=LOCAL_BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)


_int8: dict[int, Any] = {}


def _quantized(encoder: Any) -> Any:
    """An int8 copy of a SentenceTransformer (dynamic quantisation of its Linear layers).

    A copy, because the float model is shared with the backend's ``embed``.
    """
    key = id(encoder)
    if key not in _int8:
        import copy
        import warnings

        import torch

        clone = copy.deepcopy(encoder).to("cpu")
        with warnings.catch_warnings():  # torch flags its quantised tensors as deprecated
            warnings.simplefilter("ignore", UserWarning)
            _int8[key] = torch.ao.quantization.quantize_dynamic(
                clone, {torch.nn.Linear}, dtype=torch.qint8
            )
    return _int8[key]


class BackendEmbedder(Embedder):
    """Any backend with embeddings (openai, azure, fake) through its ``embed``."""

    def __init__(self, backend: Backend, model: str | None = None) -> None:
        if not backend.capabilities.supports_embeddings:
            raise CapabilityError.from_catalog(
                "core.rag.no_embeddings",
                hint_key="core.rag.no_embeddings_hint",
                backend=backend.name,
            )
        self._backend = backend
        self.backend = backend.name
        self.model = model or backend.default_embedding_model or "default"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        result = self._backend.embed(list(texts), model=self.model)
        return np.asarray(result.vectors, dtype=np.float32)


def make_embedder(
    settings: Settings, backend: str | None = None, model: str | None = None
) -> Embedder:
    """The embedder for a backend name (default: ``settings.chroma.embedding_backend``)."""
    name = backend or settings.chroma.embedding_backend
    model = model or settings.chroma.embedding_model
    if name == "local":
        return LocalEmbedder(settings, model)
    from advisor.registry import get_backend

    try:
        return BackendEmbedder(get_backend(name, settings), model)
    except CapabilityError as exc:  # BackendEmbedder's: no embeddings (a catalog error)
        key = exc.key or "core.rag.no_embeddings"
        raise ConfigError.from_catalog(key, hint_key=exc.hint_key, **exc.values) from exc


@cache
def chunk_tokenizer() -> Any:
    """The MiniLM WordPiece tokenizer, loaded with ``tokenizers`` alone (no torch).

    Chunk sizes are measured with it whatever the embedder: it ships with the
    product, works offline, and splits Japanese per character as the embedder sees it.
    """
    from tokenizers import Tokenizer

    from advisor.embedded import embedding_model_path

    tokenizer = Tokenizer.from_file(str(embedding_model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer
