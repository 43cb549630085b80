"""Token counting for training examples, offline.

Which tokenizer counts, in order of preference (the chosen one is always named
in :attr:`TokenCounter.name`, so reports say what their numbers mean):

1. tiktoken, when its BPE file for the model's encoding is already in its cache
   (tiktoken downloads the file at first use, which this product never lets it do);
2. bpe-openai, a Rust implementation of the same encodings with the data built in,
   so the counts are OpenAI's exact counts without any download;
3. the local model's tokenizer (SmolLM2), an approximation for OpenAI models and
   the exact tokenizer for the local backend.

Example sizes follow OpenAI's cookbook formula: 3 tokens per message, 1 more for
a ``name``, 3 to prime the reply, plus the encoded texts.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson

from advisor.ids import base_of
from advisor.messages import Localized

if TYPE_CHECKING:
    from advisor.settings import Settings

DEFAULT_ENCODING = "o200k_base"
TIKTOKEN_URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}


PIECE = 1 << 16


def _pieces(text: str) -> Iterator[str]:
    """``text`` in pieces of at most about PIECE characters, cut before whitespace."""
    start = 0
    while start < len(text):
        end = min(start + PIECE, len(text))
        if end < len(text):
            cut = max(text.rfind(" ", start + 1, end), text.rfind("\n", start + 1, end))
            end = cut if cut > start else end
        yield text[start:end]
        start = end


class TokenCounter:
    """Counts tokens of texts and of whole training examples."""

    def __init__(
        self,
        name: str | Localized,
        encode: Callable[[str], int],
        *,
        exact_for_openai: bool,
        local: bool,
    ) -> None:
        # Where the catalog says the name, its sentence (``said``), for a shell to say in its
        # reader's language; None: a name as written.
        self.said = name if isinstance(name, Localized) else None
        self._written = str(name)
        self._count = encode
        self.exact_for_openai = exact_for_openai
        self.local = local

    @property
    def name(self) -> str:
        """Which tokenizer counts, in English (reports' JSON); rendered when asked, as a
        counter is cached for the process."""
        return self._written if self.said is None else str(self.said)

    def count(self, text: str) -> int:
        if len(text) <= PIECE:
            return self._count(text) if text else 0
        # Tokenizers refuse (bpe-openai) or crawl on texts of a million characters:
        # count in pieces cut at whitespace, where the tokenizers split words anyway.
        return sum(self._count(piece) for piece in _pieces(text))

    def count_messages(self, messages: list[Any], tools: Any = None) -> int:
        total = 3  # every reply is primed with <|start|>assistant<|message|>
        for message in messages:
            if not isinstance(message, dict):
                continue
            total += 3
            for key, value in message.items():
                if key == "content":
                    total += self.count(content_text(value))
                elif key == "name" and isinstance(value, str):
                    total += 1 + self.count(value)
                elif key in ("tool_calls", "function_call") and value:
                    total += self.count(orjson.dumps(value).decode())
        if tools:
            total += self.count(orjson.dumps(tools).decode())
        return total

    def count_example(self, obj: Any, method: str) -> int:
        """Tokens of one example as OpenAI counts them for training."""
        if not isinstance(obj, dict):
            return 0
        if method == "dpo":
            data: dict[str, Any] = obj["input"] if isinstance(obj.get("input"), dict) else {}
            prompt = _messages(data)
            outputs = _list(obj.get("preferred_output")) + _list(obj.get("non_preferred_output"))
            return self.count_messages(prompt + outputs, data.get("tools"))
        return self.count_messages(_messages(obj), obj.get("tools"))

    def assistant_tokens(self, obj: Any, method: str) -> int:
        """Tokens the model learns to write: trained assistant messages (or preferred output)."""
        if not isinstance(obj, dict):
            return 0
        if method == "dpo":
            messages = _list(obj.get("preferred_output"))
        elif method == "rft":
            return 0
        else:
            messages = _messages(obj)
        return sum(
            self.count(content_text(m.get("content")))
            for m in messages
            if isinstance(m, dict) and m.get("role") == "assistant" and m.get("weight", 1) != 0
        )


def _messages(obj: dict[str, Any]) -> list[Any]:
    return _list(obj.get("messages"))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)
        )
    return ""


def encoding_for_model(model: str | None) -> str:
    """The tiktoken encoding name of an OpenAI model (o200k_base for unknown ones)."""
    if not model:
        return DEFAULT_ENCODING
    from tiktoken.model import encoding_name_for_model

    base = base_of(model)
    try:
        return encoding_name_for_model(base)
    except KeyError:
        return DEFAULT_ENCODING


def tiktoken_cached(encoding: str) -> bool:
    """True when tiktoken can load ``encoding`` without a download."""
    url = TIKTOKEN_URLS.get(encoding)
    if url is None:
        return False
    cache = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if cache is None:
        cache = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not cache:
        return False
    return os.path.exists(os.path.join(cache, hashlib.sha1(url.encode()).hexdigest()))


def is_local_model(model: str | None, settings: Settings | None = None) -> bool:
    if model is None:
        return False
    if model == "local" or model.startswith("local:"):
        return True
    return settings is not None and model == settings.local.model


@lru_cache(maxsize=8)
def _openai_counter(encoding: str) -> TokenCounter | None:
    if tiktoken_cached(encoding):
        import tiktoken

        enc = tiktoken.get_encoding(encoding)
        return TokenCounter(
            f"tiktoken {encoding}",
            lambda text: len(enc.encode_ordinary(text)),
            exact_for_openai=True,
            local=False,
        )
    try:
        import bpe_openai
    except ImportError:
        return None
    bpe = bpe_openai.get_encoding(encoding)
    return TokenCounter(
        Localized("data.stats_tokenizer_bpe", {"encoding": encoding}),
        lambda text: len(bpe.encode_ordinary(text)),
        exact_for_openai=True,
        local=False,
    )


def local_counter(settings: Settings) -> TokenCounter:
    """The local chat model's tokenizer (converts the embedded model once if needed)."""
    from tokenizers import Tokenizer

    from advisor.embedded import resolve_chat_model

    folder = resolve_chat_model(settings.local.model, settings)
    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    return TokenCounter(
        Localized("data.stats_tokenizer_local", {"model": settings.local.model}),
        lambda text: len(tokenizer.encode(text, add_special_tokens=False).ids),
        exact_for_openai=False,
        local=True,
    )


def get_counter(model: str | None = None, settings: Settings | None = None) -> TokenCounter:
    """The best offline counter for ``model`` (an OpenAI model id, or a local one)."""
    if settings is None:
        from advisor.settings import load_settings

        settings = load_settings()
    if is_local_model(model, settings):
        return local_counter(settings)
    counter = _openai_counter(encoding_for_model(model))
    if counter is not None:
        return counter
    fallback = local_counter(settings)
    approximate = Localized(
        "data.stats_tokenizer_approx",
        {"model": settings.local.model, "encoding": encoding_for_model(model)},
    )
    fallback.said = approximate
    return fallback
