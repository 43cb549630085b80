"""The local backend's chat through the onnx engine: the same ChatResults as the torch path.

:func:`load` resolves a model name as the torch path does (a preset, a folder,
or ``local:ft:...`` whose adapter is served on top of the shared base model),
building and exporting what is missing.  :func:`chat_batch_iter` yields each
answer as it finishes; :func:`stream` yields text as it is generated.  Stop
strings cut the decoded text afterwards, as on the torch path, so both engines
return the same text for the same tokens.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor import messages
from advisor.errors import AdvisorError, BackendRequestError, BackendUnavailableError
from backends.local import limits as local_limits
from backends.local.stops import apply_stop
from backends.types import ChatMessage, ChatResult, GenerationParams, Usage

if TYPE_CHECKING:
    from advisor.local_settings import LocalSettings
    from advisor.settings import Settings
    from backends.local.onnx_engine.engine import OnnxModel

_CACHE_SIZE = 2
_models: OrderedDict[tuple[Path, int], OnnxModel] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass
class Loaded:
    """A loaded model, the adapter (by name) to activate for this model id, the settings."""

    model: OnnxModel
    adapter: str | None
    local: LocalSettings

    def chat_batch_iter(
        self, conversations: Sequence[Sequence[ChatMessage]], name: str, params: GenerationParams
    ) -> Iterator[tuple[int, ChatResult]]:
        """:func:`chat_batch_iter` with ``local.max_new_tokens`` and ``local.batch_size``."""
        return chat_batch_iter(
            self, conversations, name=name, params=params,
            default_max_tokens=self.local.max_new_tokens, batch_size=self.local.batch_size,
        )  # fmt: skip

    def stream(
        self, messages: Sequence[ChatMessage], name: str, params: GenerationParams
    ) -> Generator[str, None, ChatResult]:
        """:func:`stream` with ``local.max_new_tokens``."""
        return stream(
            self, messages, name=name, params=params, default_max_tokens=self.local.max_new_tokens
        )


def available() -> str | None:
    """None when the engine can run here, else the reason (a missing package)."""
    from importlib.util import find_spec

    for module in ("onnxruntime_genai", "onnx", "onnxruntime"):
        if find_spec(module) is None:
            return module
    return None


def load(settings: Settings, base_path: str, adapter_dir: Path | None) -> Loaded:
    """The onnx model for a resolved base folder, with ``adapter_dir``'s LoRA loaded.

    Raises:
        BackendUnavailableError: the package is missing, the model cannot be built
            or loaded, or the adapter cannot be served (see :mod:`.adapters`).
    """
    from advisor.threads import use_thread_policy
    from backends.local.onnx_engine.adapters import export_adapter
    from backends.local.onnx_engine.build import ensure_built
    from backends.local.onnx_engine.engine import OnnxModel

    missing = available()
    if missing:
        raise BackendUnavailableError.from_catalog(
            "core.onnx.needs_package", hint_key="core.onnx.needs_package_hint", package=missing
        )
    folder = ensure_built(
        settings.models_dir,
        Path(base_path),
        settings.local.onnx_precision,
        progress=_notice,
        lang=messages.chosen_lang() or settings.language,  # said straight to the terminal
    )
    key = (folder, use_thread_policy(settings))  # chosen once per process, as for torch
    with _cache_lock:
        model = _models.get(key)
        if model is None:
            try:
                model = OnnxModel.load(folder, key[1])
            except (RuntimeError, OSError) as exc:
                raise BackendUnavailableError.from_catalog(
                    "core.onnx.cannot_load",
                    hint_key="core.onnx.cannot_load_hint",
                    folder=str(folder),
                    error=str(exc),
                ) from exc
            _models[key] = model
            while len(_models) > _CACHE_SIZE:
                _models.popitem(last=False)
        _models.move_to_end(key)
    if adapter_dir is None:
        return Loaded(model, None, settings.local)
    file = export_adapter(adapter_dir, folder, model.info)
    with model.lock:
        model.use_adapter(file.stem, file)
    return Loaded(model, file.stem, settings.local)


def _notice(text: str) -> None:
    """A one-off wait (the first build) said on stderr, as the model conversion does."""
    sys.stderr.write(text + "\n")


def sampling(params: GenerationParams) -> dict[str, Any]:
    """ORT GenAI search options for ``params`` (greedy when temperature is 0)."""
    if params.temperature <= 0:
        return {"do_sample": False}
    options: dict[str, Any] = {
        "do_sample": True,
        "temperature": params.temperature,
        "top_p": params.top_p,
    }
    if params.seed is not None:
        options["random_seed"] = params.seed
    return options


def _prompts(
    model: OnnxModel, conversations: Sequence[Sequence[ChatMessage]]
) -> tuple[list[str], list[int]]:
    """Templated prompt texts and their token counts, refused early if they cannot fit."""
    sizes = [sum(len(m.content or "") for m in conv) for conv in conversations]
    local_limits.check_chars(sizes, model.context)
    texts: list[str] = []
    counts: list[int] = []
    for conv in conversations:
        text, ids = model.encode([m.model_dump(include={"role", "content"}) for m in conv])
        texts.append(text)
        counts.append(len(ids))
    local_limits.check_tokens(max(counts, default=0), model.context)
    return texts, counts


def chat_batch_iter(
    loaded: Loaded,
    conversations: Sequence[Sequence[ChatMessage]],
    *,
    name: str,
    params: GenerationParams,
    default_max_tokens: int,
    batch_size: int,
) -> Iterator[tuple[int, ChatResult]]:
    """Yield (input index, result) as each answer finishes, ``batch_size`` rows at a time.

    Raises:
        UserInputError: a conversation does not fit the model's context.
        BackendRequestError: ORT GenAI failed while generating.
    """

    model = loaded.model
    limit = params.max_tokens or default_max_tokens
    options = sampling(params)
    for start in range(0, len(conversations), max(1, batch_size)):
        chunk = conversations[start : start + batch_size]
        texts, counts = _prompts(model, chunk)
        for row in _one_step_at_a_time(
            model, _guarded(model.generate, texts, limit, options, loaded.adapter)
        ):
            text, stopped = apply_stop(model.decode(row.tokens).strip(), params.stop)
            result = ChatResult(
                text=text,
                model=name,
                backend="local",
                usage=Usage(prompt_tokens=counts[row.row], completion_tokens=len(row.tokens)),
                latency_s=row.latency_s,
                finish_reason="stop" if stopped else row.reason,
            )
            yield start + row.row, result


def _one_step_at_a_time(model: OnnxModel, rows: Iterator[Any]) -> Iterator[Any]:
    """The model lock held per token step, not while the caller handles an answer."""
    try:
        while True:
            with model.lock:
                row = next(rows, None)
            if row is None:
                return
            yield row
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def _guarded(
    step: Any, texts: Any, limit: int, options: dict[str, Any], adapter: str | None
) -> Iterator[Any]:
    try:
        yield from step(texts, limit=limit, sampling=options, adapter=adapter)
    except AdvisorError:
        raise
    except RuntimeError as exc:  # ORT GenAI reports every failure as RuntimeError
        raise BackendRequestError.from_catalog(
            "core.onnx.generation_failed",
            hint_key="core.onnx.generation_failed_hint",
            error=str(exc),
        ) from exc


def stream(
    loaded: Loaded,
    messages: Sequence[ChatMessage],
    *,
    name: str,
    params: GenerationParams,
    default_max_tokens: int,
) -> Generator[str, None, ChatResult]:
    """Text pieces as they are generated; returns the final result (stop strings applied)."""

    model = loaded.model
    began = time.perf_counter()
    texts, counts = _prompts(model, [messages])
    limit = params.max_tokens or default_max_tokens
    tokens: list[int] = []
    shown = ""
    with model.lock:
        for token in _guarded(
            model.stream_tokens, texts[0], limit, sampling(params), loaded.adapter
        ):
            tokens.append(token)
            # Decoding the whole answer each time keeps multi-byte characters whole.
            text = model.decode(tokens)
            if len(text) > len(shown) and not text.endswith("\ufffd"):
                yield text[len(shown) :]
                shown = text
    text, stopped = apply_stop(model.decode(tokens).strip(), params.stop)
    return ChatResult(
        text=text,
        model=name,
        backend="local",
        usage=Usage(prompt_tokens=counts[0], completion_tokens=len(tokens)),
        latency_s=time.perf_counter() - began,
        finish_reason="stop" if stopped or len(tokens) < limit else "length",
    )
