"""Calibrating this machine: measured training, answering and indexing speed.

``advisor tune calibrate`` runs :func:`calibrate`; ``tune create`` and the bench
plan run :func:`ensure_calibrated` the first time they need an estimate that
is not cached (``--no-calibrate`` skips it, and the estimate falls back to the
static reference figure, labelled "uncalibrated").  The figures are cached by
:mod:`advisor.data.calibration`, per machine, model and device.

Training is measured by the backend itself (through its trainer); answering
through the backend's ``chat_batch`` at the batch size the bench uses, once with
the base model and once through an untrained LoRA adapter the backend lends
(the fine-tuned routes' cost); indexing through the same embedder as ``advisor
rag index``.  Each is timed after a warm-up call, so model loading is not
counted as throughput.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.data.calibration import (
    TORCH_ENGINE,
    AdapterRate,
    Calibration,
    EmbeddingRate,
    GenerationRate,
    answering_batch,
    cached_calibration,
    engine_of,
    local_model_name,
    machine_key,
    now_iso,
    seq_bucket,
    store,
)
from advisor.data.texts import Label
from advisor.ids import LOCAL_FT_PREFIX, LOCAL_MAX_LENGTH
from advisor.threads import busy_since, cpu_sample, others_load

if TYPE_CHECKING:
    from advisor.bench.runner import BenchOptions
    from advisor.bench.scenario import Scenario
    from advisor.ids import Progress
    from advisor.settings import Settings
    from backends.base import Backend
    from backends.jobs import JobRequest

DEFAULT_SEQ_LEN = 256  # the bench's max_length
DEFAULT_BATCH = 4  # the bench's batch size
DEFAULT_STEPS = 3
AUTO_STEPS = 2  # automatic calibrations stay short: the median of two timed steps
GENERATION_MAX_TOKENS = 32
PREFILL_PROMPTS = 2  # long prompts read together (the bench's slots mostly take one at a time)
PREFILL_WORDS = 400  # about a RAG prompt's length of plain words: attention grows with it
EMBEDDING_CHUNKS = 32
STAGES = 3


@dataclass
class CalibrationOptions:
    model: str | None = None
    seq_len: int = DEFAULT_SEQ_LEN
    batch: int = DEFAULT_BATCH
    steps: int = DEFAULT_STEPS
    training: bool = True
    generation: bool = True
    embedding: bool = True


def _noop(done: int, total: int, label: str) -> None:
    return None


def calibrate(
    settings: Settings,
    backend: Backend,
    options: CalibrationOptions | None = None,
    progress: Progress | None = None,
) -> Calibration:
    """Measure ``backend`` on this machine and cache the figures; the merged entry.

    Raises:
        CapabilityError: the backend does not train on this machine.
        BackendUnavailableError: the model cannot be loaded.
    """
    options = options or CalibrationOptions()
    report = progress or _noop
    model = options.model or backend.default_model
    seq_len = seq_bucket(options.seq_len)
    found = cached_calibration(settings, model)
    if options.training or found is None:
        report(
            0, STAGES, Label("progress.calibrate_training", steps=options.steps, seq_len=seq_len)
        )
        # What the others used while it measured; the load average (taken before, as
        # the measurement's own threads would count) where /proc/stat cannot be read.
        start, before = cpu_sample(), others_load()
        run = backend.fine_tuning().calibrate(
            model=model, seq_len=seq_len, batch=options.batch, steps=options.steps
        )
        load = busy_since(start, before)
        where = {"device": run.device, "dtype": run.dtype, "threads": run.threads}
        training = [run.rate.model_copy(update={"load": round(load, 2), "threads": run.threads})]
    else:
        where = {"device": found.device, "dtype": found.dtype, "threads": found.threads}
        training = []
    generation = embedding = None
    if options.generation:
        report(1, STAGES, Label("progress.calibrate_answering", batch=answering_batch(settings)))
        generation = measure_generation(backend, model, settings, report)
    if options.embedding:
        report(2, STAGES, Label("progress.calibrate_indexing", chunks=EMBEDDING_CHUNKS))
        embedding = measure_embedding(settings)
    report(STAGES, STAGES, Label("progress.calibrated"))
    entry = Calibration(
        machine=machine_key(),
        model=local_model_name(model, settings),
        measured_at=now_iso(),
        training=training,
        generations=[] if generation is None else [generation],
        embedding=embedding,
        **where,
    )
    return store(settings, entry)


def measure_generation(
    backend: Backend, model: str, settings: Settings, progress: Progress | None = None
) -> GenerationRate:
    """Generated tokens per second for one batch of ``local.batch_size`` conversations.

    Then the same through an untrained LoRA adapter (:func:`measure_adapter`).
    """
    batch = answering_batch(settings)
    tokens, elapsed, _ = timed_answers(backend, model, batch)
    prefill, prompt_tokens = measure_prefill(backend, model)
    (progress or _noop)(1, STAGES, Label("progress.calibrate_answering_adapter", batch=batch))
    return GenerationRate(
        engine=engine_of(backend.generation_engine()),
        tokens_per_second=round(tokens / elapsed, 2),
        batch=batch,
        max_tokens=GENERATION_MAX_TOKENS,
        seconds_per_batch=round(elapsed, 3),
        prompt_tokens_per_second=prefill,
        prompt_tokens=prompt_tokens,
        adapter=measure_adapter(backend, model, batch),
    )


def timed_answers(backend: Backend, model: str, batch: int) -> tuple[int, float, float]:
    """(generated tokens, seconds) of one batch of ``batch`` answers, and the seconds of the
    warm-up call before it (which loads the model)."""
    from backends.types import ChatMessage, GenerationParams

    conversations = [
        [ChatMessage(role="user", content=f"Describe parcel {n} in two sentences.")]
        for n in range(batch)
    ]
    params = GenerationParams(max_tokens=GENERATION_MAX_TOKENS, temperature=0.0)
    began = time.perf_counter()
    backend.chat(conversations[0], model=model, params=params.model_copy(update={"max_tokens": 1}))
    warm = time.perf_counter()
    answers = backend.chat_batch(conversations, model=model, params=params)
    elapsed = max(time.perf_counter() - warm, 1e-6)
    tokens = sum(a.usage.completion_tokens for a in answers) or batch * GENERATION_MAX_TOKENS
    return tokens, elapsed, warm - began


def measure_adapter(backend: Backend, model: str, batch: int) -> AdapterRate:
    """Answering and prompt reading as :func:`measure_generation`, through a LoRA adapter.

    The fine-tuned routes answer through an unmerged adapter, which a probe measured at
    0.39x the base model's tokens/s (bfloat16, 32 at once): the base figure would make
    their plan far too short.  The backend lends an untrained adapter of its trainer's
    default shape and loads it by its own path; loading counts as ``setup_seconds``, not
    in the rates.  A backend that lends none, or cannot answer through it, gets a figure
    of None, recorded so that the bench does not try again every time.
    """
    from advisor.errors import AdvisorError

    began = time.perf_counter()
    try:
        with backend.fine_tuning().calibration_adapter(model) as adapter:
            if adapter is None:
                return AdapterRate(tokens_per_second=None)
            made = time.perf_counter() - began
            serving = backend.generation_engine_for(adapter.model)
            tokens, elapsed, loaded = timed_answers(backend, adapter.model, batch)
            prefill, _ = measure_prefill(backend, adapter.model)
    except (AdvisorError, ImportError):  # an estimate only: the plan says it is not measured
        return AdapterRate(tokens_per_second=None)
    return AdapterRate(
        tokens_per_second=round(tokens / elapsed, 2),
        prompt_tokens_per_second=prefill,
        seconds_per_batch=round(elapsed, 3),
        lora_r=adapter.rank,
        setup_seconds=round(made + loaded, 2),
        engine=serving,
    )


def measure_prefill(backend: Backend, model: str) -> tuple[float | None, int | None]:
    """(prompt tokens per second, tokens per prompt) reading long prompts for one new token.

    The model is warm (the answering measurement ran first); one generated token
    is the least a request can ask, so the time is the prompts' reading.  (None, 0)
    when the backend reports no prompt tokens: it cannot be measured, and the 0
    records that it was tried, so the bench does not measure again every time.
    """
    from backends.types import ChatMessage, GenerationParams

    words = "the service manual says check the drain pump and the rinse arm before each shift"
    parts = words.split()
    filler = " ".join(parts[i % len(parts)] for i in range(PREFILL_WORDS))
    conversations = [
        [ChatMessage(role="user", content=f"Note {n}: {filler}\nSummarise note {n}.")]
        for n in range(PREFILL_PROMPTS)
    ]
    params = GenerationParams(max_tokens=1, temperature=0.0)
    began = time.perf_counter()
    answers = backend.chat_batch(conversations, model=model, params=params)
    elapsed = max(time.perf_counter() - began, 1e-6)
    tokens = sum(a.usage.prompt_tokens for a in answers)
    if tokens <= 0:
        return None, 0
    return round(tokens / elapsed, 2), round(tokens / len(answers))


def measure_embedding(settings: Settings) -> EmbeddingRate:
    """Chunks per second through the retrieval embedder, chunks of ``chunk_tokens`` words."""
    from advisor.rag.embedding import make_embedder

    embedder = make_embedder(settings)
    size = settings.chroma.chunk_tokens
    words = ["the", "label", "printer", "prints", "the", "parcel", "label", "and", "the", "invoice"]
    chunks = [
        " ".join(words[(n + i) % len(words)] for i in range(size)) for n in range(EMBEDDING_CHUNKS)
    ]
    embedder.embed(chunks[:1])  # loads the model
    began = time.perf_counter()
    embedder.embed(chunks)
    elapsed = max(time.perf_counter() - began, 1e-6)
    return EmbeddingRate(
        chunks_per_second=round(len(chunks) / elapsed, 2),
        chunk_tokens=size,
        model=embedder.identity,
    )


def missing(
    found: Calibration | None,
    seq_len: int,
    *,
    generation: bool,
    embedding: bool,
    engine: str = TORCH_ENGINE,
    answer_batch: int | None = None,
    adapter: bool = False,
    adapter_engine: str | None = None,
) -> CalibrationOptions | None:
    """What must still be measured for these needs; None when the cache has it all.

    ``engine``: the inference engine whose answering speed is needed (each is measured apart);
    ``answer_batch``: the batch it will answer at (:func:`answering_batch`; None: any).  A
    figure measured at another batch is measured again, answering only: 32 answers at once
    decode 1.6-1.7x the tokens/s of 8, so the old figure would misjudge the bench.
    ``adapter``: answering through a LoRA adapter is needed too (fine-tuned routes); an
    entry from before it was measured is measured again, and so is one measured while
    adapters answered another way than ``adapter_engine`` (merged or unmerged, their format).
    """
    bucket = seq_bucket(seq_len)
    training = found is None or all(r.seq_len != bucket for r in found.training)
    rate = None if found is None else found.generation_for(engine, answer_batch)
    other_batch = rate is not None and answer_batch is not None and rate.batch != answer_batch
    # an entry from before prefill was measured is measured again
    answer = generation and (
        rate is None
        or rate.prompt_tokens is None
        or other_batch
        or (adapter and rate.adapter is None)
        or (adapter and _adapter_served_otherwise(rate.adapter, adapter_engine))
    )
    index = embedding and (found is None or found.embedding is None)
    if not (training or answer or index):
        return None
    return CalibrationOptions(seq_len=bucket, training=training, generation=answer, embedding=index)


def _adapter_served_otherwise(rate: AdapterRate | None, engine: str | None) -> bool:
    """An adapter figure taken while adapters answered another way than they do now."""
    if rate is None or rate.tokens_per_second is None or engine is None:
        return False  # nothing measured to be stale, or nothing to compare with
    return rate.engine != engine


def tuned_engine(backend: Backend, model: str) -> str:
    """How a model fine-tuned from ``model`` answers on ``backend`` (its answers' engine)."""
    return backend.generation_engine_for(f"{LOCAL_FT_PREFIX}{model}:bench:ftjob-planned")


def ensure_calibrated(
    settings: Settings,
    backend: Backend,
    *,
    model: str | None = None,
    seq_len: int = DEFAULT_SEQ_LEN,
    batch: int = DEFAULT_BATCH,
    generation: bool = False,
    embedding: bool = False,
    progress: Progress | None = None,
    asked: bool = False,
) -> Calibration | None:
    """The cached calibration, measuring first what is missing (local backends only).

    ``asked``: the user asked for the measurement, so ``local.auto_calibrate``
    (which turns only the automatic one off) does not apply.

    Training at ``seq_len``'s bucket is always wanted; answering and indexing speed
    only when asked (the bench plan needs them, ``tune create`` does not).
    Remote backends return None: their speed is the provider's, not this machine's.
    """
    if not backend.capabilities.runs_locally:
        return None
    chosen = model or backend.default_model
    if not (asked or settings.local.auto_calibrate):  # the cached figures, or the static one
        return cached_calibration(settings, chosen)
    found = cached_calibration(settings, chosen)
    engine = engine_of(backend.generation_engine())
    needed = missing(
        found,
        seq_len,
        generation=generation,
        embedding=embedding,
        engine=engine,
        answer_batch=answering_batch(settings),
    )
    if needed is None:
        return found
    needed.model, needed.batch, needed.steps = chosen, batch, AUTO_STEPS
    return calibrate(settings, backend, needed, progress)


def training_seq_len(settings: Settings, request: JobRequest, model: str) -> int:
    """The mean example length of a job's training file, in the local model's tokens.

    DEFAULT_SEQ_LEN when the file cannot be measured (validation reports why).
    """
    from advisor.data.stats import compute_stats
    from advisor.errors import AdvisorError

    extra = request.hyperparameters.model_extra or {}
    cap = int(extra.get("max_length") or LOCAL_MAX_LENGTH)  # the trainer truncates there
    try:
        stats = compute_stats(
            request.training_file, request.method, model=model, settings=settings, max_length=cap
        )
    except (AdvisorError, OSError, ValueError):
        return DEFAULT_SEQ_LEN
    local = stats.local
    if local.trained_tokens is not None and local.trained_examples:  # the trainer's own count
        return max(1, min(cap, round(local.trained_tokens / local.epochs / local.trained_examples)))
    return max(1, min(cap, round(stats.billed_tokens_per_epoch / max(1, stats.examples))))


def ensure_for_bench(
    settings: Settings,
    scenario: Scenario,
    backend: Backend,
    options: BenchOptions,
    progress: Progress | None = None,
) -> Calibration | None:
    """Measure what the bench plan of ``scenario`` needs and the cache lacks.

    Training at the bucket of the first training file's mean example length
    (capped at the bench's max_length), answering always, indexing when a
    route retrieves from documents.  The fake backend simulates: nothing to measure.
    """
    from advisor.bench.plan import BENCH_MAX_LENGTH
    from advisor.bench.selection import resolve_routes, skip_reason

    if backend.name == "fake" or not backend.capabilities.runs_locally:
        return None
    if not settings.local.auto_calibrate:
        return cached_calibration(settings, options.model or backend.default_model)
    specs = [
        s
        for s in resolve_routes(scenario, backend, options.routes)
        if skip_reason(s, scenario, backend) is None
    ]
    methods = [m for s in specs for m in s.training]
    seq_len = BENCH_MAX_LENGTH
    if methods:
        from backends.jobs import JobRequest

        path = scenario.training_file(methods[0])
        model = options.model or backend.default_model
        if path is not None:
            request = JobRequest(method=methods[0], training_file=str(path))
            seq_len = min(BENCH_MAX_LENGTH, training_seq_len(settings, request, model))
    found = cached_calibration(settings, options.model or backend.default_model)
    indexing = bool(scenario.knowledge_files()) and any(s.retrieves for s in specs)
    engine = engine_of(backend.generation_engine())
    needed = missing(
        found,
        seq_len,
        generation=True,
        embedding=indexing,
        engine=engine,
        answer_batch=answering_batch(settings),
        adapter=bool(methods),  # the fine-tuned routes answer through an adapter
        adapter_engine=tuned_engine(backend, options.model or backend.default_model),
    )
    if needed is None:
        return found
    needed.training = (needed.training and bool(methods)) or found is None
    needed.model = options.model or backend.default_model
    needed.steps = AUTO_STEPS
    return calibrate(settings, backend, needed, progress)
