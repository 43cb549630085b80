"""The loaded ONNX Runtime GenAI model and its token loop (greedy or sampled, batched).

One :class:`OnnxModel` per built folder: the ``og.Model`` with ORT's intra-op
threads set from the product's thread policy, its tokenizer, and the LoRA
adapters loaded into it so far (``og.Adapters``: the model's weights are shared,
an adapter only overrides its LoRA slot inputs, nothing is merged).

:meth:`OnnxModel.generate` runs one batch of prompts and yields each row the
moment it ends (an end token or its token limit), while the other rows go on:
ORT GenAI 0.18's ``Generator`` keeps a batch's rows until all are done, so a
finished row frees no compute, but its answer is not held back either.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backends.local.onnx_engine.build import BuiltModel, read_info


@dataclass
class Row:
    """One finished answer of a batch: its row, new tokens (without the end token), reason."""

    row: int
    tokens: list[int]
    reason: str  # "stop", "length", or "token" (one new token, from _steps)
    latency_s: float


@dataclass
class OnnxModel:
    folder: Path
    info: BuiltModel
    model: Any
    tokenizer: Any
    context: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    adapters: Any = None
    loaded_adapters: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, folder: Path, threads: int) -> OnnxModel:
        """Load a built folder with ``threads`` intra-op threads (the product's policy)."""
        import onnxruntime_genai as og

        info = read_info(folder)
        if info is None:  # ensure_built wrote it; only a deleted cache gets here
            raise FileNotFoundError(folder / "advisor-onnx.json")
        config = og.Config(str(folder))
        config.clear_providers()  # CPU
        options = {"intra_op_num_threads": threads, "inter_op_num_threads": 1}
        config.overlay(json.dumps({"model": {"decoder": {"session_options": options}}}))
        model = og.Model(config)
        genai = json.loads((folder / "genai_config.json").read_text())
        context = int(genai["model"].get("context_length", 2048))
        return cls(folder, info, model, og.Tokenizer(model), context)

    def use_adapter(self, name: str, file: Path) -> None:
        """Load the exported adapter ``file`` under ``name`` (once per model)."""
        import onnxruntime_genai as og

        if name in self.loaded_adapters:
            return
        if self.adapters is None:
            self.adapters = og.Adapters(self.model)
        self.adapters.load(str(file), name)
        self.loaded_adapters.add(name)

    def encode(self, messages: Sequence[dict[str, Any]]) -> tuple[str, list[int]]:
        """The chat-templated prompt text and its token ids."""
        text = self.tokenizer.apply_chat_template(
            json.dumps(list(messages)), add_generation_prompt=True
        )
        return text, [int(t) for t in self.tokenizer.encode(text)]

    def decode(self, tokens: Sequence[int]) -> str:
        import numpy as np

        return str(self.tokenizer.decode(np.asarray(tokens, dtype=np.int32)))

    def end_tokens(self) -> frozenset[int]:
        return frozenset(int(t) for t in self.tokenizer.eos_token_ids)

    def generate(
        self,
        texts: Sequence[str],
        *,
        limit: int,
        sampling: dict[str, Any],
        adapter: str | None,
    ) -> Iterator[Row]:
        """Generate for one batch of prompt texts; yield each row as it ends.

        ``sampling`` holds ORT GenAI search options (``do_sample``, ``temperature``,
        ``top_p``, ``random_seed``).  The caller holds :attr:`lock`.
        """
        for row in self._steps(texts, limit=limit, sampling=sampling, adapter=adapter):
            if row.reason != "token":
                yield row

    def _steps(
        self, texts: Sequence[str], *, limit: int, sampling: dict[str, Any], adapter: str | None
    ) -> Iterator[Row]:
        """Each new token (reason "token") and each finished row, in the order they happen."""
        import onnxruntime_genai as og

        began = time.perf_counter()
        encoded = self.tokenizer.encode_batch(list(texts)).as_numpy()
        width = int(encoded.shape[1])
        params = og.GeneratorParams(self.model)
        params.set_search_options(
            max_length=min(self.context, width + limit), batch_size=len(texts), **sampling
        )
        generator = og.Generator(self.model, params)
        if adapter is not None:
            generator.set_active_adapter(self.adapters, adapter)
        generator.append_tokens(encoded)
        ends = self.end_tokens()
        produced: list[list[int]] = [[] for _ in texts]
        open_rows = set(range(len(texts)))
        while open_rows:
            done = generator.is_done()
            if not done:
                generator.generate_next_token()
                for row, token in enumerate(generator.get_next_tokens()):
                    if row in open_rows:
                        produced[row].append(int(token))
                        if int(token) not in ends:
                            yield Row(row, [int(token)], "token", 0.0)
            for row in sorted(open_rows):
                tokens = produced[row]
                if tokens and tokens[-1] in ends:
                    reason = "stop"
                elif len(tokens) >= limit or done:
                    reason = "length"
                else:
                    continue
                open_rows.discard(row)
                kept = tokens[:-1] if reason == "stop" else tokens
                yield Row(row, kept, reason, time.perf_counter() - began)

    def stream_tokens(
        self, text: str, *, limit: int, sampling: dict[str, Any], adapter: str | None
    ) -> Iterator[int]:
        """One prompt's new tokens as they are generated, without the end token.

        The caller holds :attr:`lock` while iterating.
        """
        for row in self._steps([text], limit=limit, sampling=sampling, adapter=adapter):
            if row.reason == "token":
                yield row.tokens[0]
