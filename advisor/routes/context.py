"""How much of a model's context window a fixed prompt takes, roughly.

The estimate needs no tokenizer: about four characters per token for text in
Latin script and one token per character elsewhere (Japanese and Chinese
tokenisers rarely do better).  It only feeds a warning, so rough is enough.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from advisor import messages
from advisor.errors import ModelNotFoundError
from advisor.ids import ModelRef

if TYPE_CHECKING:
    from backends.base import Backend

#: Share of the context window above which a fixed prompt earns a warning.
WARN_SHARE = 0.25

# Published context windows (tokens) of common models, by id prefix, longest first wins.
KNOWN_WINDOWS: dict[str, int] = {
    "smollm2": 8192,
    "gpt-4.1": 1_047_576,
    "gpt-4o": 128_000,
    "gpt-4-turbo": 128_000,
    "gpt-4": 8192,
    "gpt-3.5-turbo": 16_385,
    "gpt-5": 400_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4-mini": 200_000,
    "fake-model": 4096,
}


def estimate_tokens(text: str) -> int:
    ascii_chars = sum(1 for ch in text if ord(ch) < 128)
    return math.ceil(ascii_chars / 4) + (len(text) - ascii_chars)


def _base_name(model: str) -> str:
    """The base of a fine-tuned id (its window is the base's); the id itself otherwise."""
    try:
        return ModelRef.parse(model).base
    except ModelNotFoundError:
        return model


def context_window(backend: Backend, model: str) -> int | None:
    """The model's context window in tokens, or None when unknown."""
    name = _base_name(model).lower()
    for prefix in sorted(KNOWN_WINDOWS, key=len, reverse=True):
        if name.startswith(prefix):
            return KNOWN_WINDOWS[prefix]
    config = Path(model) / "config.json"  # a local model folder
    if backend.name == "local" and config.is_file():
        try:
            value = json.loads(config.read_text()).get("max_position_embeddings")
        except (OSError, ValueError):
            return None
        return int(value) if isinstance(value, int) else None
    return None


def context_warning(prompt_tokens: int, backend: Backend, model: str) -> messages.Localized | None:
    """A warning when ``prompt_tokens`` exceed :data:`WARN_SHARE` of the window."""
    window = context_window(backend, model)
    if window is None or prompt_tokens <= WARN_SHARE * window:
        return None
    share = prompt_tokens / window
    return messages.Localized(
        "core.route.context_share",
        {"tokens": prompt_tokens, "share": f"{share:.0%}", "model": model, "window": window},
    )
