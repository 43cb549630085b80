"""Measured speed of this machine: training, generation and embedding, cached per machine.

A calibration is a short measured run (see ``advisor tune calibrate``): a few
LoRA SFT optimizer steps of the local base model through the local trainer, a
batch of answers through the backend's ``chat_batch``, and a batch of chunks
through the retrieval embedder.  Its figures turn token counts into times for
``data stats``, ``tune create`` previews and the bench plan.

The cache is one JSON file in the data directory (it describes this machine,
like the job store does).  An entry holds only where it was measured: the
machine key (CPU model, cores available to this process, torch version), the
model and the device/dtype.  A new torch, another machine or a different core
allowance makes the entry invisible, so it is measured again.  This module
never imports torch: ``data stats`` must stay fast.

Training figures are kept per sequence-length bucket (a power of two): the
cost of a token grows with the length of its sequence (attention), so a
calibration at 64 tokens would flatter a job of 512-token examples.
Generation figures are kept per inference engine (``torch``, ``onnx-fp32``,
``onnx-int8``, ``onnx-int4``: the backend's ``generation_engine``): the onnx engine decodes
several times faster than torch on the same machine, so a plan for one must
never use the other's rate.  Within an engine they are kept per batch size
(``local.batch_size``, the answers generated together): 32 at once decode 1.6-1.7x
the tokens/s of 8, so a figure at one batch misjudges answering at another.  Each
also holds the same answering through an unmerged LoRA adapter (:class:`AdapterRate`):
a fine-tuned route's model decoded at 0.39x the base model's rate in a probe.
"""

from __future__ import annotations

import math
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError, computed_field, model_validator

from advisor.cpuinfo import CPUINFO, cpu_info
from advisor.data.rate_words import describe_rate as describe_rate
from advisor.data.rate_words import rate_sentence as rate_sentence

if TYPE_CHECKING:
    from advisor.settings import Settings

CACHE_NAME = "calibration.json"
#: Bumped when what is measured changes: older entries are then ignored.
FORMAT_VERSION = 1
#: The engine of generation figures that name none (the only one before engines existed).
TORCH_ENGINE = "torch"
MIN_BUCKET = 64
MAX_BUCKET = 2048
MAX_RATIO = 10.0
# Answering figures kept per engine: the batch sizes a machine has recently used. Each
# new batch size adds one, so without a cap a person trying sizes would grow it forever.
MAX_BATCHES_PER_ENGINE = 4


class MachineKey(BaseModel):
    """What a measurement depends on besides the model: it must match to be reused."""

    cpu: str
    cores: int = Field(description="Cores this process may use (affinity and cgroup quota).")
    torch: str


class TrainingRate(BaseModel):
    """LoRA SFT steps measured at one sequence length."""

    seq_len: int = Field(description="Tokens per synthetic example (the bucket).")
    batch: int
    steps: int = Field(description="Timed optimizer steps (after one warm-up step).")
    seconds_per_step: float
    seconds_per_token: float = Field(description="seconds_per_step / (batch x seq_len).")
    startup_seconds: float = Field(
        description="Loading the libraries and the model and building the trainer."
    )
    # Where it was measured (advisor/data/contention.py); absent in entries written before.
    load: float | None = Field(
        default=None,
        description="Other processes' one-minute load average just before the measurement.",
    )
    threads: int | None = Field(
        default=None, description="torch threads of this measurement (None: the entry's)."
    )
    # The speed of another thread count (advisor/data/contention.py thread_speed); absent
    # in entries written before, and where one count only could run (one usable core).
    seconds_per_step_by_threads: dict[int, float] | None = Field(
        default=None,
        description="Median seconds of a training step of this shape by torch thread "
        "count: the calibration's own count (seconds_per_step) and the other one the "
        "thread policy may pick, timed over 2 more steps after a warm-up at that count.",
    )
    # The shape of the data (see cost_per_token); absent in entries written before.
    labelled_share: float | None = Field(
        default=None,
        description="Share of the calibration's tokens that carry a label (the loss).",
    )
    labelled_cost_ratio: float | None = Field(
        default=None,
        description="Extra cost of a labelled token over a prompt token, as a share of a "
        "prompt token's; from CPU seconds of an all-assistant and a prompt-heavy run.",
    )


class AdapterRate(BaseModel):
    """Answering through a LoRA adapter: what the fine-tuned routes' models cost.

    Measured like its :class:`GenerationRate` (same engine, batch and prompts) with an
    untrained adapter of the local trainer's default shape: a LoRA's extra matrix products
    cost the same whatever their weights.  Absent in entries written before.
    """

    tokens_per_second: float | None = Field(
        description="Generated tokens per second through the adapter, whole batch; None: "
        "the backend could not answer through one (nothing measured)."
    )
    prompt_tokens_per_second: float | None = None
    seconds_per_batch: float | None = None
    lora_r: int | None = Field(default=None, description="The adapter's rank.")
    setup_seconds: float | None = Field(
        default=None, description="Making the adapter and loading the model with it."
    )
    engine: str | None = Field(
        default=None,
        description="How the adapter answered: the backend's generation_engine_for a "
        "fine-tuned model (torch-bfloat16-lora-merged, torch-bfloat16-lora-bfloat16, ...); "
        "None: written before it was recorded, when adapters answered unmerged.",
    )


class GenerationRate(BaseModel):
    engine: str = Field(
        default=TORCH_ENGINE,
        description="The inference engine measured: torch, onnx-fp32, onnx-int8, onnx-int4 "
        "(see engine_of).",
    )
    tokens_per_second: float = Field(description="Generated tokens per second, whole batch.")
    batch: int
    max_tokens: int
    seconds_per_batch: float
    # Prefill, measured since the bench plan counts each route's prompt; absent in older entries.
    prompt_tokens_per_second: float | None = Field(
        default=None, description="Prompt tokens read per second, a batch of long prompts."
    )
    prompt_tokens: int | None = Field(
        default=None,
        description="Tokens of each prompt of that measurement (0: the backend reports none).",
    )
    adapter: AdapterRate | None = None

    def through_adapter(self) -> GenerationRate | None:
        """These rates as answering through a LoRA adapter costs them; None: not measured."""
        if self.adapter is None or not self.adapter.tokens_per_second:
            return None
        measured = self.adapter
        return self.model_copy(
            update={
                "tokens_per_second": measured.tokens_per_second,
                "prompt_tokens_per_second": measured.prompt_tokens_per_second,
                "seconds_per_batch": measured.seconds_per_batch or self.seconds_per_batch,
            }
        )


class EmbeddingRate(BaseModel):
    chunks_per_second: float
    chunk_tokens: int
    model: str


class Calibration(BaseModel):
    """One machine x model x device measurement (an entry of the cache file)."""

    machine: MachineKey
    model: str
    device: str = Field(description="cpu, cuda, mps: where the model ran.")
    dtype: str
    threads: int = Field(description="torch threads during the run (advisor/threads.py policy).")
    measured_at: str = Field(description="UTC, ISO 8601.")
    training: list[TrainingRate] = Field(default_factory=list)
    generations: list[GenerationRate] = Field(
        default_factory=list,
        description="Answering speed, one figure per inference engine and batch size "
        "(the newest of an engine last).",
    )
    embedding: EmbeddingRate | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_generation_per_engine(cls, data: Any) -> Any:
        """Entries written before engines were told apart hold one ``generation``: torch's."""
        if isinstance(data, dict) and "generation" in data:
            data = dict(data)
            old = data.pop("generation")
            if old is not None and not data.get("generations"):
                data["generations"] = [old]
        return data

    def generation_for(self, engine: str, batch: int | None = None) -> GenerationRate | None:
        """The answering figure measured with ``engine``, if any.

        At ``batch`` when measured there, else at the nearest batch measured (an
        estimate that names its batch beats none, where calibrating is turned off);
        ``batch`` None: the newest figure of the engine.
        """
        rates = [g for g in self.generations if g.engine == engine]
        if not rates or batch is None:
            return rates[-1] if rates else None
        wanted = math.log2(max(1, batch))
        # reversed: of two batches as near, the newer figure
        return min(reversed(rates), key=lambda g: abs(math.log2(max(1, g.batch)) - wanted))

    @computed_field(  # type: ignore[prop-decorator]
        description="The torch engine's newest answering figure, in whichever number format "
        "(`torch`, `torch-bfloat16`), as earlier releases wrote it (`tune calibrate --format "
        "json` keeps the key); generations has every engine's."
    )
    @property
    def generation(self) -> GenerationRate | None:
        torch = [g for g in self.generations if g.engine.split("-")[0] == TORCH_ENGINE]
        return torch[-1] if torch else None

    def training_at(self, seq_len: int) -> TrainingRate | None:
        """The rate of ``seq_len``'s bucket, else the nearest bucket measured."""
        if not self.training:
            return None
        wanted = math.log2(seq_bucket(seq_len))
        return min(self.training, key=lambda r: (abs(math.log2(r.seq_len) - wanted), -r.seq_len))


class CalibrationFile(BaseModel):
    version: int = FORMAT_VERSION
    entries: list[Calibration] = Field(default_factory=list)


# --- keys ------------------------------------------------------------------------------


def cpu_model(cpuinfo: Path = CPUINFO) -> str:
    """The CPU's model name (Linux), else what the platform module knows."""
    info = cpu_info(cpuinfo)
    if info is not None and info.model_name is not None:
        return info.model_name
    return platform.processor() or platform.machine() or "unknown"


def torch_version() -> str:
    """torch's installed version, read from its metadata (no import)."""
    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return "none"


def machine_key() -> MachineKey:
    """This machine as the cache keys it; cores are what this process may use, not the load."""
    from advisor.threads import affinity_cpus, cgroup_quota

    cpus = affinity_cpus()
    quota = cgroup_quota()
    cores = cpus if quota is None else max(1, min(cpus, math.ceil(quota)))
    return MachineKey(cpu=cpu_model(), cores=cores, torch=torch_version())


def seq_bucket(tokens: float) -> int:
    """The power of two nearest ``tokens`` (on a log scale), within [MIN_BUCKET, MAX_BUCKET].

    Nearest rather than next: a file of 130-token examples is calibrated at 128,
    not at 256, where a step holds twice the tokens and each costs more.
    """
    if tokens <= MIN_BUCKET:
        return MIN_BUCKET
    return int(min(MAX_BUCKET, 2 ** round(math.log2(tokens))))


def wanted_device(settings: Settings) -> str | None:
    """The device a lookup must match: the configured one, or None for ``auto`` (any)."""
    device = settings.local.device
    return None if device == "auto" else device.split(":")[0]


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the cache file --------------------------------------------------------------------


def read_cache(settings: Settings) -> CalibrationFile:
    """The cache file; empty when missing, unreadable or of another format version."""
    path = settings.data_dir / CACHE_NAME
    try:
        found = CalibrationFile.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, ValidationError):
        return CalibrationFile()
    return found if found.version == FORMAT_VERSION else CalibrationFile()


def find(
    cache: CalibrationFile, key: MachineKey, model: str, device: str | None = None
) -> Calibration | None:
    """The newest entry measured on ``key`` for ``model`` (and ``device`` when given)."""
    matches = [
        e
        for e in cache.entries
        if e.machine == key and e.model == model and (device is None or e.device == device)
    ]
    return max(matches, key=lambda e: e.measured_at) if matches else None


def cached_calibration(settings: Settings, model: str | None = None) -> Calibration | None:
    """This machine's calibration of ``model`` (default: ``local.model``), if one exists.

    Only one in the number format the model now runs in (``local.dtype``): a float32
    training rate would overstate a bfloat16 job's time about threefold.
    """
    from advisor.precision import planned_dtype

    chosen = local_model_name(model, settings)
    found = find(read_cache(settings), machine_key(), chosen, wanted_device(settings))
    dtype = planned_dtype(settings)
    return found if found is None or dtype is None or found.dtype == dtype else None


def engine_of(identity: str) -> str:
    """The engine a backend's ``generation_engine()`` names ('' is the default, torch)."""
    return identity or TORCH_ENGINE


def answering_batch(settings: Settings) -> int:
    """The batch size answers are generated at, and answering is calibrated at."""
    return max(1, settings.local.batch_size)


def local_model_name(model: str | None, settings: Settings) -> str:
    """``local`` and None mean the configured local model; anything else is itself."""
    if model is None or model == "local":
        return settings.local.model
    return model.removeprefix("local:") if model.startswith("local:") else model


def merge(cache: CalibrationFile, new: Calibration) -> CalibrationFile:
    """``cache`` with ``new`` in: same key and device replaced, figures not re-measured kept.

    Training rates merge per bucket (a calibration at 256 tokens keeps the one at 64) and
    generation rates per engine and batch (the new one last among its engine's, so that
    :meth:`Calibration.generation_for` without a batch finds the newest); the embedding
    figure is kept when ``new`` did not measure it.
    """
    old = find(cache, new.machine, new.model, new.device)
    if old is not None and old.dtype == new.dtype:
        buckets = {r.seq_len: r for r in old.training}
        buckets.update({r.seq_len: r for r in new.training})
        measured = {(g.engine, g.batch) for g in new.generations}
        unmeasured = [g for g in old.generations if (g.engine, g.batch) not in measured]
        new = new.model_copy(
            update={
                "training": sorted(buckets.values(), key=lambda r: r.seq_len),
                # a stable sort: within an engine, the old figures first, then the new
                "generations": _newest_per_engine(
                    sorted([*unmeasured, *new.generations], key=lambda g: g.engine)
                ),
                "embedding": new.embedding or old.embedding,
            }
        )
    kept = [
        e
        for e in cache.entries
        if not (e.machine == new.machine and e.model == new.model and e.device == new.device)
    ]
    return CalibrationFile(entries=[*kept, new])


def _newest_per_engine(rates: list[GenerationRate]) -> list[GenerationRate]:
    """``rates`` (grouped by engine, oldest first) less all but each engine's newest few."""
    kept: list[GenerationRate] = []
    for engine in dict.fromkeys(g.engine for g in rates):
        kept += [g for g in rates if g.engine == engine][-MAX_BATCHES_PER_ENGINE:]
    return kept


def store(settings: Settings, new: Calibration) -> Calibration:
    """Merge ``new`` into the cache file (atomically) and return the merged entry."""
    from advisor.data.streams import atomic_output

    merged = merge(read_cache(settings), new)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with atomic_output(settings.data_dir / CACHE_NAME, "w") as handle:
        handle.write(merged.model_dump_json(indent=2))
    return merged.entries[-1]


# --- arithmetic ------------------------------------------------------------------------


def step_seconds(rate: TrainingRate, tokens: int, labelled: int | None = None) -> float:
    """Seconds of the training steps for ``tokens`` tokens, ``labelled`` of them labelled.

    The model: a token costs ``a`` and a labelled one ``a x (1 + r)`` more, ``r`` being
    the rate's ``labelled_cost_ratio``.  The calibration measured ``seconds_per_token``
    on examples with ``labelled_share`` labelled, i.e. ``a x (1 + r x share)``, so
    ``a = seconds_per_token / (1 + r x share)``.  Without a ratio (entries written
    before) or without a labelled count, every token costs ``seconds_per_token``.
    """
    ratio, share = rate.labelled_cost_ratio, rate.labelled_share
    if ratio is None or share is None or labelled is None:
        return tokens * rate.seconds_per_token
    per_token = rate.seconds_per_token / (1 + ratio * share)
    return per_token * (tokens + ratio * min(labelled, tokens))


def labelled_cost_ratio(
    all_labelled: tuple[float, int, int], prompt_heavy: tuple[float, int, int]
) -> float | None:
    """``r`` of :func:`step_seconds` from two runs' (seconds, tokens, labelled) per step.

    Solves ``seconds = a x tokens + a x r x labelled`` for the two runs; None when the
    runs cannot tell (the same labelled share, or no time).  Clamped to [0, MAX_RATIO]:
    a labelled token never costs less than a prompt token (the same forward and backward
    pass, plus the loss).
    """
    (s1, t1, l1), (s2, t2, l2) = all_labelled, prompt_heavy
    det = t1 * l2 - t2 * l1
    if det == 0 or s1 <= 0 or s2 <= 0:
        return None
    a = (s1 * l2 - s2 * l1) / det
    b = (t1 * s2 - t2 * s1) / det
    if a <= 0:
        return None
    return round(min(MAX_RATIO, max(0.0, b / a)), 4)


def training_seconds(
    rate: TrainingRate, tokens: int, factor: float = 1.0, labelled: int | None = None
) -> float:
    """Wall time of a local job training ``tokens`` tokens (all epochs), start-up included.

    ``factor``: the load correction of the training steps (advisor/data/contention.py);
    ``labelled``: how many of the tokens carry a label (see :func:`step_seconds`).
    """
    return rate.startup_seconds + step_seconds(rate, tokens, labelled) * factor


def answer_seconds(rate: GenerationRate, requests: int, tokens_per_answer: float) -> float:
    """Wall time of ``requests`` answers of about ``tokens_per_answer`` tokens each."""
    return requests * tokens_per_answer / rate.tokens_per_second


def prompt_seconds(rate: GenerationRate, requests: int, tokens_per_prompt: float) -> float | None:
    """Wall time of reading ``requests`` prompts of ``tokens_per_prompt``; None if not measured."""
    if not rate.prompt_tokens_per_second:
        return None
    return requests * tokens_per_prompt / rate.prompt_tokens_per_second


def indexing_seconds(rate: EmbeddingRate, chunks: int) -> float:
    return chunks / rate.chunks_per_second


class TrainingRun(BaseModel):
    """What a backend's training calibration returns: the rate and where it ran."""

    rate: TrainingRate
    device: str
    dtype: str
    threads: int
