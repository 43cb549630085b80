"""Build the ONNX Runtime GenAI model from a converted model folder, once, cached.

The builder (``onnxruntime_genai.models.builder``) runs offline on the folder
the product already converted (config, tokenizer, safetensors).  The result is
cached under ``<models dir>/onnx/<name>-<key>``; the key covers the converted
model's content, the precision, the onnxruntime-genai version and the LoRA slot
rank, so a new model, precision or library version builds afresh and nothing
stale is ever loaded.  A file lock keeps two processes from building at once;
the build writes to a temporary folder that is renamed into place, so an
interrupted build leaves nothing that looks finished.

fp32 and int8 models are built with **LoRA slots**: the builder is given an
all-zero PEFT adapter of rank :data:`SLOT_RANK`, which makes it lay out every
projection as ``MatMul + lora_B(lora_A(x))`` with the LoRA weights as
initializers; we then declare those initializers graph inputs too.  In an int8
build only the base projections are quantized (MatMulNBits, 8 bits): the LoRA
MatMuls are excluded by name, because a quantized slot could not take an
adapter's float values at run time.  An initializer that is also an
input is a default the caller may override, so the base model runs unchanged
(zeros add nothing) and ORT GenAI's multi-LoRA (``og.Adapters``) feeds a trained
adapter's values at run time, without merging (:mod:`.adapters`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from advisor import messages
from advisor.errors import BackendUnavailableError

BUILD_VERSION = 1  # bump when the layout of a built folder changes
SLOT_RANK = 16  # the trainer's default lora_r (backends/local/hyperparams.py)
INFO_FILE = "advisor-onnx.json"
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
SLOTTED = ("fp32", "int8")  # precisions built with LoRA slots; int4 has none (no adapters)
_ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")  # the builder's /attn/ nodes; the rest /mlp/
_COPIED = ("config.json",)  # rewritten (architectures); everything else is linked


class BuiltModel(BaseModel):
    """``advisor-onnx.json`` in a built folder: what it is and where its LoRA slots are."""

    version: int = BUILD_VERSION
    key: str
    precision: str
    genai_version: str
    slot_rank: int | None = None  # None: built without LoRA slots (no adapters)
    slots: dict[str, list[int]] = {}  # initializer name -> shape


def genai_version() -> str:
    """The installed onnxruntime-genai version (part of the cache key)."""
    from importlib.metadata import version

    return version("onnxruntime-genai")


def content_key(source: Path) -> str:
    """A key for the converted model's content: its manifest, else names, sizes and mtimes."""
    manifest = source / "advisor-manifest.json"
    digest = hashlib.sha256()
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    else:
        for path in sorted(p for p in source.iterdir() if p.is_file()):
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def cache_key(source: Path, precision: str, version: str) -> str:
    """The built folder's key: content + precision + library version + slot layout."""
    slots = SLOT_RANK if precision in SLOTTED else 0
    text = f"{content_key(source)}|{precision}|{version}|slots{slots}|v{BUILD_VERSION}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def built_dir(models_dir: Path, source: Path, precision: str) -> Path:
    """Where the built model for ``source`` at ``precision`` lives (built or not)."""
    return (
        models_dir
        / "onnx"
        / f"{source.name}-{precision}-{cache_key(source, precision, genai_version())}"
    )


def read_info(folder: Path) -> BuiltModel | None:
    """The built folder's record, or None when it is missing or from another layout."""
    try:
        info = BuiltModel.model_validate_json((folder / INFO_FILE).read_text())
    except (OSError, ValueError):
        return None
    return info if info.version == BUILD_VERSION else None


def ensure_built(
    models_dir: Path,
    source: Path,
    precision: str,
    progress: Callable[[str], None] | None = None,
    lang: str = "en",
) -> Path:
    """The built ONNX folder for ``source``, building it first (about a minute) if needed.

    Raises:
        BackendUnavailableError: the source is not a folder, or the builder failed
            (for instance a model family this onnxruntime-genai version cannot build).
    """
    if not (source / "config.json").is_file():
        raise BackendUnavailableError.from_catalog(
            "core.onnx.needs_folder",
            hint_key="core.onnx.needs_folder_hint",
            source=repr(str(source)),
        )
    _refuse_unsupported(source)
    target = built_dir(models_dir, source, precision)
    if read_info(target) is not None:
        return target
    failed = Path(f"{target}.failed")
    if failed.is_file():  # a build that failed fails fast, instead of a minute every call
        raise failed_before(failed)
    target.parent.mkdir(parents=True, exist_ok=True)
    from filelock import FileLock

    with FileLock(str(target) + ".lock"):
        if read_info(target) is not None:  # another process built it meanwhile
            return target
        if progress:
            progress(messages.text("core.onnx.preparing", lang))
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
        try:
            try:
                info = _build(source, tmp, precision)
            except Exception as exc:  # not an interrupt: this build would fail again
                error = _as_unavailable(exc, source)
                record_failure(failed, error)
                raise error from exc
            info.key = target.name.rsplit("-", 1)[-1]
            (tmp / "out" / INFO_FILE).write_text(info.model_dump_json(indent=2))
            if target.exists():
                shutil.rmtree(target)
            (tmp / "out").rename(target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _as_unavailable(exc: Exception, source: Path) -> BackendUnavailableError:
    if isinstance(exc, BackendUnavailableError):
        return exc
    return BackendUnavailableError.from_catalog(
        "core.onnx.build_failed",
        hint_key="core.onnx.use_torch_hint",
        model=source.name,
        error=f"{type(exc).__name__}: {exc}",
    )


# The sentences a recorded failure may hold, most specific first (an older version
# recorded the English alone: the values are found again from it).
_RECORDED_KEYS = ("core.onnx.no_slots", "core.onnx.slot_quantized", "core.onnx.build_failed")


def record_failure(failed: Path, error: BackendUnavailableError) -> None:
    """Write why the build failed to ``failed``: the English, and its catalog key and values.

    The next call raises it again from there (:func:`failed_before`), in the reader's language.
    """
    record = {"message": error.message, "key": error.key, "values": error.values}
    failed.write_text(json.dumps(record, default=str) + "\n")


def failed_before(failed: Path) -> BackendUnavailableError:
    """The failure recorded in ``failed`` (JSON, or an older version's plain English), again."""
    key, values = _recorded(failed.read_text(encoding="utf-8", errors="replace").strip())
    return BackendUnavailableError.from_catalog(
        key, hint_key="core.onnx.failed_before_hint", **{**values, "failed_file": str(failed)}
    )


def _recorded(text: str) -> tuple[str, dict[str, Any]]:
    """The catalog key and values of a recorded failure (its text as written when unknown)."""
    try:
        record = json.loads(text)
    except ValueError:
        record = None
    if not isinstance(record, dict) or not isinstance(record.get("message"), str):
        record = {"message": text}  # the plain-text file of an older version
    key, values = record.get("key"), record.get("values")
    if isinstance(key, str) and isinstance(values, dict):
        try:
            messages.text(key, "en", **values)  # the key still exists and takes these values
        except (KeyError, IndexError, ValueError):
            pass
        else:
            return key, values
    for known in _RECORDED_KEYS:
        found = messages.match(known, record["message"])
        if found is not None:
            return known, dict(found)
    return "core.onnx.recorded_failure", {"message": record["message"]}


def _refuse_unsupported(source: Path) -> None:
    """Refuse, before a minute of building, models this engine is known not to serve."""
    config = json.loads((source / "config.json").read_text())
    kinds = config.get("layer_types") or []
    if config.get("sliding_window") or "sliding_attention" in kinds:
        raise BackendUnavailableError.from_catalog(
            "core.onnx.sliding_window",
            hint_key="core.onnx.use_torch_for_model_hint",
            model=source.name,
        )


def _build(source: Path, tmp: Path, precision: str) -> BuiltModel:
    staging = _staging(source, tmp / "src")
    slots = precision in SLOTTED
    command = [
        sys.executable, "-m", "onnxruntime_genai.models.builder",
        "-i", str(staging), "-o", str(tmp / "out"), "-p", precision, "-e", "cpu",
        "-c", str(tmp / "hf-cache"),
    ]  # fmt: skip
    if slots:
        zero = _zero_adapter(staging, tmp / "zero-adapter")
        command += ["--extra_options", f"adapter_path={zero}"]
        if precision != "fp32":
            command.append("nodes_to_exclude=" + ",".join(lora_matmuls(staging)))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0 or not (tmp / "out" / "genai_config.json").is_file():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BackendUnavailableError.from_catalog(
            "core.onnx.build_failed",
            hint_key="core.onnx.build_failed_hint",
            model=source.name,
            error=last[:200],
        )
    info = BuiltModel(key="", precision=precision, genai_version=genai_version())
    if slots:
        info.slot_rank = SLOT_RANK
        info.slots = _open_slots(tmp / "out" / "model.onnx")
    return info


def _staging(source: Path, staging: Path) -> Path:
    """A view of ``source`` the builder accepts: config.json names its architecture."""
    staging.mkdir(parents=True)
    for path in source.iterdir():
        if path.name not in _COPIED:
            (staging / path.name).symlink_to(path.resolve())
    config = json.loads((source / "config.json").read_text())
    if not config.get("architectures"):
        # The GGUF conversion writes no architectures; the builder dispatches on them.
        kind = str(config.get("model_type", ""))
        names = {"llama": "LlamaForCausalLM", "gemma3_text": "Gemma3ForCausalLM"}
        config["architectures"] = [names.get(kind, f"{kind.capitalize()}ForCausalLM")]
    (staging / "config.json").write_text(json.dumps(config))
    return staging


def lora_matmuls(source: Path) -> list[str]:
    """The builder's names of every LoRA MatMul node, to keep them out of quantization.

    The names follow onnxruntime-genai 0.18's layout (``/model/layers.{i}/attn/q_proj/
    lora_A/MatMul``); the version is pinned and part of the cache key, and
    :func:`_open_slots` refuses a build whose slots came out quantized anyway.
    """
    layers = int(json.loads((source / "config.json").read_text())["num_hidden_layers"])
    return [
        f"/model/layers.{i}/{'attn' if target in _ATTENTION else 'mlp'}/{target}/lora_{half}/MatMul"
        for i in range(layers)
        for target in LORA_TARGETS
        for half in ("A", "B")
    ]


def _zero_adapter(staging: Path, out: Path) -> Path:
    """An all-zero PEFT LoRA adapter of rank SLOT_RANK over every projection."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(str(staging))
    config = LoraConfig(r=SLOT_RANK, lora_alpha=SLOT_RANK, target_modules=list(LORA_TARGETS))
    tuned = get_peft_model(base, config)
    with torch.no_grad():
        for name, weight in tuned.named_parameters():
            if "lora_" in name:
                weight.zero_()
    tuned.save_pretrained(str(out))
    return out


def _open_slots(model_file: Path) -> dict[str, list[int]]:
    """Declare the LoRA initializers graph inputs (overridable defaults); their shapes."""
    import onnx

    model = onnx.load(str(model_file), load_external_data=False)
    declared = {value.name for value in model.graph.input}
    slots: dict[str, list[int]] = {}
    for init in model.graph.initializer:
        if ".lora_A." in init.name or ".lora_B." in init.name:
            if init.data_type != onnx.TensorProto.FLOAT:  # quantized: cannot take an adapter
                raise BackendUnavailableError.from_catalog(
                    "core.onnx.slot_quantized",
                    hint_key="core.onnx.slot_quantized_hint",
                    slot=init.name,
                )
            slots[init.name] = [int(d) for d in init.dims]
            if init.name not in declared:
                model.graph.input.append(
                    onnx.helper.make_tensor_value_info(init.name, init.data_type, list(init.dims))
                )
    if not slots:
        raise BackendUnavailableError.from_catalog(
            "core.onnx.no_slots", hint_key="core.onnx.use_torch_for_fine_tuned_hint"
        )
    onnx.save(model, str(model_file))  # the weights stay in model.onnx.data, untouched
    return slots
