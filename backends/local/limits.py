"""How much text the local backend accepts: its model's context window.

A message far beyond the window used to reach the tokenizer and the model (a
million characters: minutes of work, then a refusal with a traceback).  The
character check runs before tokenizing, with a bound no real tokenizer beats
(a token spans at most a few dozen characters, usually about four), so it never
refuses text that would fit; the token check then says exactly.
"""

from __future__ import annotations

from typing import Any

from advisor.errors import UserInputError

CHARS_PER_TOKEN_BOUND = 16
DEFAULT_CONTEXT_TOKENS = 8192


def context_tokens(model: Any) -> int:
    """The model's window in tokens (``max_position_embeddings``), 8192 when unknown."""
    config = getattr(model, "config", None)
    value = getattr(config, "max_position_embeddings", None)
    return int(value) if isinstance(value, int) and value > 0 else DEFAULT_CONTEXT_TOKENS


def check_chars(sizes: list[int], context: int) -> None:
    """Refuse, before tokenizing, conversations (``sizes`` in characters) that cannot fit
    in ``context`` tokens."""
    longest = max(sizes, default=0)
    limit = context * CHARS_PER_TOKEN_BOUND
    if longest > limit:
        raise UserInputError.from_catalog(
            "core.local.input_too_long",
            hint_key="core.local.input_too_long_hint",
            chars=f"{longest:,}",
            limit=f"{limit:,}",
            context=f"{context:,}",
        )


def check_tokens(prompt_tokens: int, context: int) -> None:
    """Refuse a prompt that leaves no room in the window for an answer."""
    if prompt_tokens >= context:
        raise UserInputError.from_catalog(
            "core.local.conversation_too_long",
            hint_key="core.local.conversation_too_long_hint",
            tokens=f"{prompt_tokens:,}",
            context=f"{context:,}",
        )
