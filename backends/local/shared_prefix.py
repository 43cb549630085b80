"""The tokens a batch's prompts all start with, run through the model once.

A bench asks one route many questions under the same system prompt: 60 to 200 of
a prompt's tokens (ja-support: 202 of 265) are the same in every request.  The
engine (:class:`backends.local.kv_batch.TransformersEngine`) runs that shared
prefix once, keeps its keys and values, and prefills only each prompt's own
tokens after it, as vLLM's prefix caching does.  Causal attention makes the
prefix's keys and values independent of what follows it, so every row computes
what it computes alone, up to the rounding of matrix products of another shape.

A row then lays out its columns as the prefix, padding, its own tokens
(``[prefix][pad][suffix]``) where a plain prefill has ``[pad][prompt]``; the
attention mask and the positions (counted over the mask) say the same either
way, so decoding, dropping and replacing rows need no change.
"""

from __future__ import annotations

from collections.abc import Sequence

# Below this the separate forward pass costs about what it saves.
MIN_SHARED_TOKENS = 16


def common_prefix(prompts: Sequence[Sequence[int]], minimum: int = MIN_SHARED_TOKENS) -> list[int]:
    """The longest run of tokens every prompt starts with, or ``[]`` below ``minimum``.

    One token short of the shortest prompt at most: each prompt keeps a token of its
    own to prefill, whose logits give its first answer token.  A single prompt shares
    nothing (there is nothing to share it with).
    """
    if len(prompts) < 2:
        return []
    first = prompts[0]
    length = min(len(p) for p in prompts) - 1
    for prompt in prompts[1:]:
        same = 0
        while same < length and prompt[same] == first[same]:
            same += 1
        length = same
        if length < minimum:
            return []
    return list(first[:length])


def starts_with(prompt: Sequence[int], prefix: Sequence[int]) -> bool:
    """Whether ``prompt`` begins with ``prefix`` and has a token of its own after it."""
    return len(prompt) > len(prefix) and list(prompt[: len(prefix)]) == list(prefix)
