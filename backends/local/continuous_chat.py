"""The local backend's ``chat_batch_iter``: continuous batching, answers as they finish.

Glue between conversations and :mod:`backends.local.continuous`: each
conversation is tokenized on its own (the engine pads, and runs the tokens all
prompts start with, a bench's system prompt, only once:
:mod:`backends.local.shared_prefix`), answers are decoded, cut at stop strings
and yielded with their input index the moment they end.
The model lock is held for one engine step at a time, so the caller's work
between answers (writing the bench cache) does not block other users.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from backends.local import limits as local_limits
from backends.local.continuous import Scheduler
from backends.local.shared_prefix import common_prefix
from backends.local.stops import apply_stop
from backends.types import ChatMessage, ChatResult, GenerationParams, Usage

if TYPE_CHECKING:
    from advisor.threads import ThreadGovernor
    from backends.local.backend import LoadedModel


def end_tokens(model: object) -> frozenset[int]:
    """The generation config's end-of-sequence ids (one or several)."""
    eos = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    if eos is None:
        return frozenset()
    return frozenset(eos if isinstance(eos, list) else [eos])


def continuous_chat(
    loaded: LoadedModel,
    conversations: Sequence[Sequence[ChatMessage]],
    *,
    name: str,
    backend: str,
    params: GenerationParams,
    default_max_tokens: int,
    slots: int,
    governor: ThreadGovernor | None = None,
) -> Iterator[tuple[int, ChatResult]]:
    """Yield (input index, result) per conversation as each finishes (greedy only).

    ``governor`` re-chooses torch's threads between answers: a bench answers for many
    minutes, beside a training job that starts and ends (advisor/threads.py).
    """
    import torch

    from backends.local.kv_batch import TransformersEngine

    tokenizer = loaded.tokenizer
    prompts = [
        tokenizer.apply_chat_template(
            [m.model_dump(include={"role", "content"}) for m in conv],
            tokenize=False,
            add_generation_prompt=True,
        )
        for conv in conversations
    ]
    context = local_limits.context_tokens(loaded.model)
    local_limits.check_chars([sum(len(m.content or "") for m in c) for c in conversations], context)
    ids = [list(tokenizer(text)["input_ids"]) for text in prompts]
    if not ids:
        return
    local_limits.check_tokens(max(len(i) for i in ids), context)
    limit = params.max_tokens or default_max_tokens
    # A bench asks every question under one system prompt: run those tokens once.
    shared = common_prefix(ids)
    engine = TransformersEngine(loaded.model, tokenizer.pad_token_id, loaded.device, shared)
    scheduler = Scheduler(engine, slots, end_tokens(loaded.model))
    finished = scheduler.run(ids, [limit] * len(ids))
    try:
        while True:
            with loaded.lock, torch.inference_mode():
                if governor is not None:
                    governor.check()
                item = next(finished, None)
            if item is None:
                return
            n_new = sum(1 for t in item.tokens if t != tokenizer.pad_token_id)
            text = tokenizer.decode(item.tokens, skip_special_tokens=True)
            text, stopped = apply_stop(text.strip(), params.stop)
            finish = "length" if n_new >= limit else "stop"
            yield (
                item.index,
                ChatResult(
                    text=text,
                    model=name,
                    backend=backend,
                    usage=Usage(prompt_tokens=len(ids[item.index]), completion_tokens=n_new),
                    # From taking a slot, not from the call: queueing is not latency.
                    latency_s=time.perf_counter() - item.entered,
                    finish_reason="stop" if stopped else finish,
                ),
            )
    finally:
        finished.close()
