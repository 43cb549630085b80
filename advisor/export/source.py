"""The GGUF file a model preset ships (joined from its chunk packages if need be).

Gemma's SentencePiece vocabulary and scores are in the preset's GGUF, not in
the tokenizer.json transformers writes; the GGUF export copies them from here.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from advisor.errors import BackendUnavailableError
from advisor.model_presets import find_preset


def preset_gguf(preset_id: str, scratch: Path) -> Path | None:
    """The preset's GGUF (joined under ``scratch`` when it ships in chunks); None if no preset.

    Raises:
        BackendUnavailableError: the preset's package is not installed.
    """
    preset = find_preset(preset_id)
    if preset is None:
        return None
    spec = importlib.util.find_spec(preset.module)
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailableError.from_catalog(
            "core.export.package_missing", hint_key="core.install_hint", package=preset.package
        )
    if not preset.assembled:
        return Path(next(iter(spec.submodule_search_locations))) / preset.gguf_file
    module = importlib.import_module(preset.module)
    joined: Path = module.assemble(output_path=scratch / preset.gguf_file, overwrite=True)
    return joined
