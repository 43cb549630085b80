"""The ``local`` backend: transformers chat and sentence-transformers embeddings.

Defaults are the embedded models (see :mod:`advisor.embedded`), so it works
with no key and no hub.  Fine-tuned models are addressed as
``local:ft:<base>:<suffix>:<job id>``; their LoRA adapters live in
``<data dir>/adapters/<job id>`` and are loaded on top of the base model.

Loaded models are cached per process; ``local.engine: onnx`` uses :mod:`.onnx_engine` instead.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from advisor import precision
from advisor.embedded import (
    configure_offline,
    pick_device,
    preset_install,
    resolve_chat_model,
    sentence_encoder,
)
from advisor.errors import BackendUnavailableError, ModelNotFoundError
from advisor.ids import LOCAL_FT_PREFIX, METHODS, ModelRef
from advisor.local_settings import LocalSettings
from advisor.model_presets import catalog, find_preset
from advisor.precision import FLOAT32, Dtype, model_dtype, resolved_dtype
from advisor.threads import ThreadGovernor, use_thread_policy
from backends.base import Availability, Backend, Capabilities, FineTuningService
from backends.local import limits as local_limits
from backends.local.serving import load_network
from backends.local.stops import apply_stop as _apply_stop
from backends.local.torch_stream import stream_answer
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
    from backends.local.onnx_engine.chat import Loaded as OnnxLoaded

FINE_TUNED_PREFIX = LOCAL_FT_PREFIX
ADAPTER_INFO = "advisor-adapter.json"
_CACHE_SIZE = 2


@dataclass
class LoadedModel:
    model: Any
    tokenizer: Any
    device: str
    lock: threading.Lock


class ModelCacheKey(NamedTuple):
    """What tells one loaded model from another in this process's cache."""

    base: str
    adapter_dir: str | None
    device: str
    dtype: Dtype
    # the bench's arms load one adapter in both formats; None: no adapter
    adapter_dtype: Dtype | None
    merged: bool = False  # the adapter folded into the weights (local.adapter_serving)


_models: OrderedDict[ModelCacheKey, LoadedModel] = OrderedDict()
_cache_lock = threading.Lock()


def parse_fine_tuned_id(model: str) -> tuple[str, str]:
    """``local:ft:<base>:<suffix>:<job id>`` -> (base, job id); refuses path tricks."""
    ref = ModelRef.parse(model)
    if ref.kind != "local_ft" or ref.job_id is None:
        raise ModelNotFoundError.from_catalog(
            "core.local.not_fine_tuned_id",
            hint_key="core.local.not_fine_tuned_id_hint",
            model=repr(model),
        )
    return ref.base, ref.job_id


class LocalBackend(Backend):
    name = "local"
    description = "transformers and sentence-transformers on this machine (embedded models)."
    description_ja = "このマシン上の transformers と sentence-transformers（組み込みモデル）。"
    capabilities = Capabilities(
        supports_streaming=True,
        supports_batch=True,
        supports_streaming_batch=True,
        supports_embeddings=True,
        supports_fine_tuning=True,
        fine_tuning_methods=METHODS,
        runs_locally=True,
    )

    settings_model = LocalSettings

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        configure_offline(settings)
        use_thread_policy(settings)  # before torch loads: passive OpenMP waits, free cores

    def availability(self) -> Availability:
        from importlib.util import find_spec

        for module, package in (("torch", "torch==2.13.0"), ("transformers", "transformers")):
            if find_spec(module) is None:
                return Availability.unusable(
                    "core.backend.module_missing", module=module, package=package
                )
        preset = find_preset(self.settings.local.model)
        install = preset_install(preset) if preset is not None else None
        if install:
            return Availability.unusable("core.backend.embedded_missing", command=install)
        return Availability(usable=True)

    def model_presets(self) -> list[dict[str, object]]:
        """The embedded chat models ``local.model`` can name (advisor/models.yaml)."""
        return [preset.summary() for preset in catalog().presets]

    @property
    def default_model(self) -> str:
        return self.settings.local.model

    @property
    def default_embedding_model(self) -> str:
        return self.settings.local.embedding_model

    # --- loading ----------------------------------------------------------------------

    def _adapter_dir(self, job_id: str) -> Path:
        return self.settings.adapters_dir / job_id

    def load(self, model: str | None = None) -> LoadedModel:
        """Load (or reuse) a chat model with its tokenizer.

        Raises:
            ModelNotFoundError: unknown model id, path or fine-tuned id.
            BackendUnavailableError: the embedded model cannot be prepared.
        """
        base, adapter = self._resolve(model or self.default_model)
        device = pick_device(self.settings.local.device)
        dtype = model_dtype(self.settings, device)
        merged = adapter is not None and precision.merge_adapter(self.settings, dtype)
        # a merged adapter has no format of its own: it takes the base's
        lora = precision.adapter_dtype(self.settings, dtype) if adapter and not merged else None
        key = ModelCacheKey(base, adapter, device, dtype, lora, merged)
        with _cache_lock:
            if key in _models:
                _models.move_to_end(key)
                return _models[key]
        loaded = self._load_uncached(base, adapter, device, dtype, lora or FLOAT32, merged)
        with _cache_lock:
            _models[key] = loaded
            while len(_models) > _CACHE_SIZE:
                _models.popitem(last=False)
        return loaded

    def _resolve(self, name: str) -> tuple[str, str | None]:
        """(base model, adapter folder or None) for a model name or ``local:ft:...`` id."""
        if not name.startswith(FINE_TUNED_PREFIX):
            return name, None
        base_name, job_id = parse_fine_tuned_id(name)
        adapter_dir = self._adapter_dir(job_id)
        if not (adapter_dir / "adapter_config.json").is_file():
            raise ModelNotFoundError.from_catalog(
                "core.local.no_adapter",
                hint_key="core.local.no_adapter_hint",
                model=name,
                path=str(adapter_dir),
                job=job_id,
            )
        return _adapter_base(adapter_dir, base_name), str(adapter_dir)

    def _onnx(self, model: str | None) -> OnnxLoaded | None:
        """The onnx engine's model (``local.engine: onnx``, docs/backends.md), else None."""
        if self.settings.local.engine != "onnx":
            return None
        from backends.local.onnx_engine.chat import load as onnx_load

        base, adapter = self._resolve(model or self.default_model)
        folder = resolve_chat_model(base, self.settings)  # converted (once), as for torch
        return onnx_load(self.settings, folder, Path(adapter) if adapter else None)

    def preload(self, model: str | None = None) -> None:
        """Load ``model`` with the configured engine (the warm server's first load)."""
        _ = self._onnx(model) or self.load(model)

    def generation_engine(self) -> str:  # the bench caches each engine's answers apart
        local = self.settings.local
        if local.engine != "torch":
            return f"{local.engine}-{local.onnx_precision}"
        # float32 keeps '' so that answers cached before the format was chosen stay valid
        dtype = resolved_dtype(self.settings)
        return "" if dtype == FLOAT32 else f"torch-{dtype}"

    def generation_engine_for(self, model: str | None) -> str:
        """:meth:`generation_engine`; a fine-tuned model's adds its adapter's non-float32 format."""
        engine, torch = self.generation_engine(), self.settings.local.engine == "torch"
        dtype = resolved_dtype(self.settings)
        lora = precision.adapter_dtype(self.settings, dtype)
        tuned = torch and (model or self.default_model).startswith(FINE_TUNED_PREFIX)
        if tuned and precision.merge_adapter(self.settings, dtype):
            return precision.merged_engine(engine)  # its own answers: the weights changed
        return f"{engine}-lora-{lora}" if tuned and lora != FLOAT32 else engine

    def _load_uncached(
        self,
        base: str,
        adapter: str | None,
        device: str,
        dtype: Dtype = FLOAT32,
        lora: Dtype = FLOAT32,
        merged: bool = False,
    ) -> LoadedModel:
        import torch  # noqa: F401  (loaded here so that the policy below sizes its pools)
        from transformers import AutoTokenizer

        use_thread_policy(self.settings)
        path = resolve_chat_model(base, self.settings)
        try:
            tokenizer = AutoTokenizer.from_pretrained(path)
            network = load_network(path, dtype, adapter, lora, merged)
        except (OSError, ValueError) as exc:
            raise ModelNotFoundError.from_catalog(
                "core.local.cannot_load_model",
                hint_key="core.local.cannot_load_model_hint",
                model=repr(base),
            ) from exc
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        network.to(device)  # a device name string; the stubs only admit torch.device
        network.eval()
        return LoadedModel(network, tokenizer, device, threading.Lock())

    # --- chat ------------------------------------------------------------------------

    def _encode(self, loaded: LoadedModel, conversations: Sequence[Sequence[ChatMessage]]) -> Any:
        texts = [
            loaded.tokenizer.apply_chat_template(
                [m.model_dump(include={"role", "content"}) for m in conv],
                tokenize=False,
                add_generation_prompt=True,
            )
            for conv in conversations
        ]
        context = local_limits.context_tokens(loaded.model)
        sizes = [sum(len(m.content or "") for m in conv) for conv in conversations]
        local_limits.check_chars(sizes, context)
        loaded.tokenizer.padding_side = "left"  # decoder-only batches pad on the left
        encoded = loaded.tokenizer(texts, return_tensors="pt", padding=True)
        local_limits.check_tokens(int(encoded["input_ids"].shape[1]), context)
        return encoded.to(loaded.device)

    def _generate_kwargs(self, loaded: LoadedModel, params: GenerationParams) -> dict[str, Any]:
        import torch

        kwargs: dict[str, Any] = {
            "max_new_tokens": params.max_tokens or self.settings.local.max_new_tokens,
            "pad_token_id": loaded.tokenizer.pad_token_id,
        }
        if params.temperature > 0:
            kwargs.update(do_sample=True, temperature=params.temperature, top_p=params.top_p)
            if params.seed is not None:
                torch.manual_seed(params.seed)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        return kwargs

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> ChatResult:
        return self.chat_batch([messages], model=model, params=params)[0]

    def chat_batch(
        self,
        conversations: Sequence[Sequence[ChatMessage]],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> list[ChatResult]:
        params = params or GenerationParams()
        if self._warm() and conversations:
            from backends.local import warm_client

            try:
                return warm_client.chat_batch(
                    self.settings, conversations, model=model, params=params
                )
            except warm_client.WarmUnavailable:
                pass  # no warm server here: load the model in this process
        if self.settings.local.engine == "onnx":
            answers = dict(self.chat_batch_iter(conversations, model=model, params=params))
            return [answers[i] for i in range(len(conversations))]
        import torch

        loaded = self.load(model)
        name = model or self.default_model
        results: list[ChatResult] = []
        size = self.settings.local.batch_size
        for start in range(0, len(conversations), size):
            chunk = conversations[start : start + size]
            began = time.perf_counter()
            with loaded.lock, torch.inference_mode():
                inputs = self._encode(loaded, chunk)
                generate_kwargs = self._generate_kwargs(loaded, params)
                output = loaded.model.generate(**inputs, **generate_kwargs)
            latency = time.perf_counter() - began
            prompt_width = inputs["input_ids"].shape[1]
            for row, attention in enumerate(inputs["attention_mask"]):
                generated = output[row, prompt_width:]
                n_new = int((generated != loaded.tokenizer.pad_token_id).sum())
                text = loaded.tokenizer.decode(generated, skip_special_tokens=True)
                text, stopped = _apply_stop(text.strip(), params.stop)
                finish = "length" if n_new >= generate_kwargs["max_new_tokens"] else "stop"
                results.append(
                    ChatResult(
                        text=text,
                        model=name,
                        backend=self.name,
                        usage=Usage(prompt_tokens=int(attention.sum()), completion_tokens=n_new),
                        # Batched requests share the wall time of their batch.
                        latency_s=latency,
                        finish_reason="stop" if stopped else finish,
                    )
                )
        return results

    def chat_batch_iter(
        self,
        conversations: Sequence[Sequence[ChatMessage]],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> Iterator[tuple[int, ChatResult]]:
        """Continuous batching (greedy, full-attention models): answers as they finish.

        Up to ``local.batch_size`` conversations generate together; a finished
        one leaves and the next waiting one takes its slot.  Sampling and
        sliding-window models (Gemma 3) use fixed batches instead.
        """
        from backends.local.continuous_chat import continuous_chat
        from backends.local.kv_batch import supports_continuous

        params = params or GenerationParams()
        if (onnx := self._onnx(model)) is not None:
            yield from onnx.chat_batch_iter(conversations, model or self.default_model, params)
            return
        loaded = self.load(model)
        if params.temperature > 0 or not supports_continuous(loaded.model):
            size = self.settings.local.batch_size  # fixed batches, each yielded when done
            for start in range(0, len(conversations), size):
                chunk = conversations[start : start + size]
                for offset, result in enumerate(self.chat_batch(chunk, model=model, params=params)):
                    yield start + offset, result
            return
        yield from continuous_chat(
            loaded,
            conversations,
            name=model or self.default_model,
            backend=self.name,
            params=params,
            default_max_tokens=self.settings.local.max_new_tokens,
            slots=self.settings.local.batch_size,
            governor=ThreadGovernor(self.settings, use_thread_policy(self.settings)),
        )

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> ChatStream:
        params = params or GenerationParams()
        if self._warm():
            return ChatStream(self._stream_warm(messages, model, params))
        return ChatStream(self._stream_here(messages, model, params))

    def _warm(self) -> bool:
        """Whether generation goes through the shared warm process (docs/backends.md)."""
        import socket

        return self.settings.local.warm and hasattr(socket, "AF_UNIX")

    def _stream_warm(
        self, messages: Sequence[ChatMessage], model: str | None, params: GenerationParams
    ) -> Generator[str, None, ChatResult]:
        from backends.local import warm_client

        try:
            # WarmUnavailable comes only before the first piece: falling back repeats nothing.
            return (
                yield from warm_client.stream(self.settings, messages, model=model, params=params)
            )
        except warm_client.WarmUnavailable:
            return (yield from self._stream_here(messages, model, params))

    def _stream_here(
        self, messages: Sequence[ChatMessage], model: str | None, params: GenerationParams
    ) -> Generator[str, None, ChatResult]:
        """Stream from a model loaded in this process (loaded now, before the first piece)."""
        name = model or self.default_model
        if (onnx := self._onnx(model)) is not None:
            return onnx.stream(messages, name, params)
        loaded = self.load(model)
        return stream_answer(
            loaded,
            lambda: self._encode(loaded, [messages]),
            self._generate_kwargs(loaded, params),
            model=name,
            backend=self.name,
        )

    # --- the warm process (advisor backends warm ...) ------------------------------

    def warm_status(self) -> dict[str, Any] | None:
        """The warm model process's status for these settings; None when none runs."""
        from backends.local import warm_client

        frame = warm_client.status(self.settings)
        return frame.model_dump(mode="json") if frame is not None else None

    def warm_start(self, model: str | None = None) -> dict[str, Any]:
        """Start the warm process (or find it) with ``model`` loading; its status."""
        from backends.local import warm_client

        return warm_client.start_server(self.settings, model or self.default_model).model_dump(
            mode="json"
        )

    def warm_stop(self) -> bool:
        """Stop the warm process; False when none was running."""
        from backends.local import warm_client

        return warm_client.stop(self.settings)

    # --- embeddings ------------------------------------------------------------------

    def embedder(self, model: str | None = None) -> Any:
        """The (cached) SentenceTransformer for ``model``."""
        return sentence_encoder(self.settings, model or self.default_embedding_model)

    def embed(self, texts: Sequence[str], *, model: str | None = None) -> EmbeddingResult:
        encoder = self.embedder(model)
        vectors = encoder.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, batch_size=64
        )
        dims = int(vectors.shape[1]) if len(texts) else encoder.get_sentence_embedding_dimension()
        tokens = (
            sum(len(ids) for ids in encoder.tokenizer(list(texts))["input_ids"]) if texts else 0
        )
        return EmbeddingResult(
            vectors=vectors.tolist(),
            model=model or self.default_embedding_model,
            dimensions=dims,
            usage=Usage(prompt_tokens=tokens),
        )

    # --- fine-tuning -----------------------------------------------------------------

    def fine_tuning(self) -> FineTuningService:
        try:
            from backends.local.service import LocalFineTuning
        except ImportError as exc:  # pragma: no cover - only in a broken install
            raise BackendUnavailableError.from_catalog(
                "core.local.no_fine_tuning", hint_key="core.local.no_fine_tuning_hint"
            ) from exc
        return LocalFineTuning(self.settings)


def _adapter_base(adapter_dir: Path, fallback: str) -> str:
    """The base model an adapter was trained on (by name, not by a machine's path)."""
    info = adapter_dir / ADAPTER_INFO
    if info.is_file():
        base: str = json.loads(info.read_text())["base_model"]
        return base
    return fallback
