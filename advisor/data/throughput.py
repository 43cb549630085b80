"""Measured local training throughput (tokens per second), cached per machine.

The measurement runs a few forward and backward passes of the local chat model
on random token batches, which is what a training step costs apart from the
optimizer update; it takes some seconds on a CPU.  The figure is kept in the
data directory (it describes this machine, like the job store does), so
`advisor data stats` can estimate training time without loading torch.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from advisor.settings import Settings

CACHE_NAME = "data-throughput.json"


class Throughput(BaseModel):
    tokens_per_second: float
    device: str
    model: str
    measured_at: str
    batch: int
    seq_len: int


def cached_throughput(settings: Settings) -> Throughput | None:
    path = settings.data_dir / CACHE_NAME
    try:
        found = Throughput.model_validate(json.loads(path.read_text()))
    except (OSError, ValueError, ValidationError):
        return None
    return found if found.model == settings.local.model else None


def measure_throughput(
    settings: Settings, *, steps: int = 3, batch: int = 4, seq_len: int = 256
) -> Throughput:
    """Time ``steps`` forward+backward passes of the local model and cache the rate.

    Raises:
        BackendUnavailableError: the local model cannot be loaded.
    """
    from advisor.embedded import configure_offline, resolve_chat_model

    configure_offline(settings)
    import torch
    from transformers import AutoModelForCausalLM

    device = settings.local.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if settings.local.threads:
        torch.set_num_threads(settings.local.threads)
    model = AutoModelForCausalLM.from_pretrained(resolve_chat_model(settings.local.model, settings))
    model.to(device)  # type: ignore[arg-type]
    model.train()
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (batch, seq_len), generator=generator)
    ids = ids.to(device)
    model(input_ids=ids, labels=ids).loss.backward()  # warm-up: allocations, kernels
    model.zero_grad()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        model(input_ids=ids, labels=ids).loss.backward()
        model.zero_grad()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    result = Throughput(
        tokens_per_second=round(steps * batch * seq_len / elapsed, 1),
        device=f"{device}, {torch.get_num_threads()} threads",
        model=settings.local.model,
        measured_at=datetime.now(UTC).strftime("%Y-%m-%d"),
        batch=batch,
        seq_len=seq_len,
    )
    from advisor.data.streams import atomic_output

    with atomic_output(settings.data_dir / CACHE_NAME, "w") as handle:
        handle.write(result.model_dump_json(indent=2))
    return result
