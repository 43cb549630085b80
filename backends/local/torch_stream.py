"""One answer streamed from a model loaded in this process (the torch engine).

``generate`` runs in a worker thread and hands text to a ``TextIteratorStreamer``
that this generator reads, so the caller sees each piece as it is decoded; an
exception in the worker is raised again in the caller's thread once the stream
ends, so a failed generation is never a silently short answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from backends.types import ChatResult, Usage

if TYPE_CHECKING:
    from backends.local.backend import LoadedModel


def stream_answer(
    loaded: LoadedModel,
    encode: Callable[[], Any],
    generate_kwargs: dict[str, Any],
    *,
    model: str,
    backend: str,
) -> Generator[str, None, ChatResult]:
    """Yield the answer's pieces; return the whole answer with its usage and latency.

    ``encode`` builds the model inputs; it runs at the first ``next()``, so the
    latency counts the encoding, as the batch path does.
    """
    import torch
    from transformers import TextIteratorStreamer

    began = time.perf_counter()
    inputs = encode()
    streamer = TextIteratorStreamer(loaded.tokenizer, skip_prompt=True, skip_special_tokens=True)
    failure: list[BaseException] = []

    def work() -> None:
        try:
            with loaded.lock, torch.inference_mode():
                loaded.model.generate(**inputs, streamer=streamer, **generate_kwargs)
        except BaseException as exc:  # surfaced in the caller's thread below
            failure.append(exc)
            streamer.end()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    pieces: list[str] = []
    for piece in streamer:
        if piece:
            pieces.append(piece)
            yield piece
    thread.join()
    if failure:
        raise failure[0]
    text = "".join(pieces).strip()
    completion = len(loaded.tokenizer(text, add_special_tokens=False)["input_ids"])
    return ChatResult(
        text=text,
        model=model,
        backend=backend,
        usage=Usage(
            prompt_tokens=int(inputs["attention_mask"].sum()), completion_tokens=completion
        ),
        latency_s=time.perf_counter() - began,
        finish_reason="stop",
    )
