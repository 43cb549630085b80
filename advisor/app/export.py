"""Export a local model (a base preset, or a local fine-tune merged) for serving elsewhere.

``advisor export MODEL --format gguf|safetensors|ollama --out DIR``:

* ``safetensors``: the merged float32 weights, config, tokenizer with its chat
  template, and generation config (stop tokens): a folder transformers, vLLM
  and llama.cpp's converter load.
* ``gguf``: one ``model.gguf`` written with the ``gguf`` package's writer
  (F32 by default; F16 or Q8_0 on request).
* ``ollama``: the GGUF plus a ``Modelfile`` (template, system prompt, stops).

Every export writes ``export-manifest.json`` (see :mod:`advisor.export.manifest`).
The CLI and the wizard both call :func:`export_model`.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from advisor.data.texts import Label
from advisor.errors import JobNotFoundError, ModelNotFoundError, UserInputError
from advisor.export.manifest import (
    DataFingerprint,
    ExportFormat,
    ExportManifest,
    fingerprint,
    record_files,
    write_manifest,
)
from advisor.export.tensors import PRECISIONS, Precision
from advisor.ids import ModelRef

if TYPE_CHECKING:
    from advisor.ids import Progress
    from advisor.settings import Settings
    from backends.jobs import FineTuneJob

FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
GGUF_NAME = "model.gguf"
MODELFILE = "Modelfile"


@dataclass(frozen=True)
class ExportRequest:
    """What to export, how, and where."""

    model: str
    format: str
    out: Path
    precision: str = "f32"
    system: str | None = None


@dataclass(frozen=True)
class ExportSource:
    """The resolved model: its base (name and loadable path) and, if tuned, adapter and job."""

    base: str
    adapter_dir: Path | None = None
    job: FineTuneJob | None = None


def check_request(request: ExportRequest) -> tuple[ExportFormat, Precision]:
    """The format and precision, checked before anything heavy runs.

    Raises:
        UserInputError: an unknown format or precision, or an output folder in use.
    """
    fmt = next((f for f in FORMATS if f == request.format), None)
    if fmt is None:
        raise UserInputError.from_catalog(
            "core.export.bad_format",
            hint_key="core.export.use_one_of",
            format=repr(request.format),
            choices=", ".join(FORMATS),
        )
    precision = next((p for p in PRECISIONS if p == request.precision), None)
    if precision is None:
        raise UserInputError.from_catalog(
            "core.export.bad_precision",
            hint_key="core.export.use_one_of",
            precision=repr(request.precision),
            choices=", ".join(PRECISIONS),
        )
    if request.out.exists() and (not request.out.is_dir() or any(request.out.iterdir())):
        raise UserInputError.from_catalog(
            "core.export.out_not_empty",
            hint_key="core.export.out_not_empty_hint",
            path=str(request.out),
        )
    return fmt, precision


def resolve_source(model: str, settings: Settings) -> ExportSource:
    """The base and adapter behind a model reference.

    Raises:
        ModelNotFoundError: an OpenAI model, an unknown model, or a job with no adapter.
    """
    from advisor.model_presets import find_preset

    ref = ModelRef.parse(model)
    if ref.kind == "openai_ft":
        raise ModelNotFoundError.from_catalog(
            "core.export.openai_weights",
            hint_key="core.export.openai_weights_hint",
            model=repr(model),
        )
    if ref.kind == "plain":
        if find_preset(model) is None and not Path(model).is_dir():
            raise ModelNotFoundError.from_catalog(
                "core.export.unknown_model",
                hint_key="core.export.unknown_model_hint",
                model=repr(model),
            )
        return ExportSource(base=model)
    assert ref.job_id is not None  # a local_ft reference always has one
    adapter_dir = settings.adapters_dir / ref.job_id
    if not (adapter_dir / "adapter_config.json").is_file():
        raise ModelNotFoundError.from_catalog(
            "core.export.no_adapter",
            hint_key="core.export.no_adapter_hint",
            model=model,
            path=str(adapter_dir),
            job=ref.job_id,
        )
    job = _stored_job(settings, ref.job_id)
    return ExportSource(base=job.model if job else ref.base, adapter_dir=adapter_dir, job=job)


def _stored_job(settings: Settings, job_id: str) -> FineTuneJob | None:
    from backends.job_store import JobStore

    try:
        return JobStore(settings.jobs_db).get_job(job_id)
    except JobNotFoundError:  # an adapter copied from another machine: still exportable
        return None


def export_model(
    request: ExportRequest, settings: Settings, progress: Progress | None = None
) -> ExportManifest:
    """Export ``request.model`` to ``request.out`` and return the manifest written there.

    Raises:
        UserInputError: bad format, precision, folder, model or unsupported architecture.
    """
    fmt, precision = check_request(request)
    source = resolve_source(request.model, settings)
    report = progress or (lambda done, total, label: None)
    from advisor.embedded import configure_offline, resolve_chat_model

    configure_offline(settings)
    report(0, 0, Label("progress.export_preparing"))
    base_path = resolve_chat_model(source.base, settings)
    if fmt == "ollama":
        _check_ollama_template(Path(base_path))  # refused now, not after minutes of work
    out = request.out
    out.mkdir(parents=True, exist_ok=True)
    try:
        _write(fmt, precision, request, source, base_path, report)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # no half export left behind
        raise
    report(0, 0, Label("progress.export_hashing"))
    manifest = ExportManifest(
        model=request.model,
        format=fmt,
        precision=precision if fmt != "safetensors" else None,
        base_model=source.base,
        adapter_path=str(source.adapter_dir) if source.adapter_dir else None,
        job_id=source.job.id if source.job else None,
        method=source.job.method if source.job else None,
        data=_fingerprints(source.job),
    )
    manifest = record_files(manifest, out)
    write_manifest(manifest, out)
    return manifest


def _write(
    fmt: ExportFormat,
    precision: Precision,
    request: ExportRequest,
    source: ExportSource,
    base_path: str,
    report: Progress,
) -> None:
    from advisor.export.merge import merge_to_folder

    label = Label("progress.export_merging" if source.adapter_dir else "progress.export_loading")
    report(0, 1, label)
    if fmt == "safetensors":
        merge_to_folder(base_path, source.adapter_dir, request.out)
        report(1, 1, label)
        return
    with tempfile.TemporaryDirectory(prefix=".merged-", dir=request.out) as tmp:
        merged = merge_to_folder(base_path, source.adapter_dir, Path(tmp))
        report(1, 1, label)
        _write_gguf(merged, request, source, precision, report, Path(tmp))
        if fmt == "ollama":
            _write_modelfile(merged, request)


def _write_gguf(
    merged: Path,
    request: ExportRequest,
    source: ExportSource,
    precision: Precision,
    report: Progress,
    scratch: Path,
) -> None:
    from advisor.export.gguf_file import DEFAULT_PRE, PRE_TOKENIZERS, write_gguf
    from advisor.export.source import preset_gguf

    tokenizer_gguf = None
    if json.loads((merged / "config.json").read_text()).get("model_type") == "gemma3_text":
        report(0, 0, Label("progress.export_tokenizer"))
        tokenizer_gguf = preset_gguf(source.base, scratch)

    def tensors(done: int, total: int) -> None:
        report(done, total, Label("progress.export_writing", name=GGUF_NAME, precision=precision))

    write_gguf(
        merged,
        request.out / GGUF_NAME,
        precision=precision,
        name=request.model,
        pre_tokenizer=PRE_TOKENIZERS.get(source.base, DEFAULT_PRE),
        tokenizer_gguf=tokenizer_gguf,
        progress=tensors,
    )


def _check_ollama_template(base: Path) -> None:
    from advisor.export.gguf_file import chat_template
    from advisor.export.modelfile import ollama_template

    if (base / "tokenizer_config.json").is_file():  # a hub id has no folder to read
        ollama_template(chat_template(base))


def _write_modelfile(merged: Path, request: ExportRequest) -> None:
    from advisor.export.gguf_file import chat_template
    from advisor.export.modelfile import build_modelfile

    text = build_modelfile(
        GGUF_NAME, chat_template(merged), system=request.system, stop=stop_tokens(merged)
    )
    (request.out / MODELFILE).write_text(text, encoding="utf-8")


def stop_tokens(folder: Path) -> list[str]:
    """The tokens that end generation: the generation config's eos ids, as text."""
    spec = json.loads((folder / "tokenizer.json").read_text())
    by_id = {int(t["id"]): str(t["content"]) for t in spec.get("added_tokens", [])}
    by_id.update({v: k for k, v in spec.get("model", {}).get("vocab", {}).items()})
    ids: list[int] = []
    generation = folder / "generation_config.json"
    if generation.is_file():
        eos = json.loads(generation.read_text()).get("eos_token_id")
        ids = eos if isinstance(eos, list) else [eos] if isinstance(eos, int) else []
    return [by_id[i] for i in ids if i in by_id]


def _fingerprints(job: FineTuneJob | None) -> list[DataFingerprint]:
    if job is None:
        return []
    found = [fingerprint("training", job.training_file)]
    if job.validation_file:
        found.append(fingerprint("validation", job.validation_file))
    return found
