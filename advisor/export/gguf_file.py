"""Write a merged HF folder (safetensors + tokenizer) as one GGUF file.

Uses the ``gguf`` package's writer (the one llama.cpp's converter uses) with
the metadata llama.cpp's ``convert_hf_to_gguf.py`` writes for a llama model
with a GPT-2 style BPE tokenizer (SmolLM2), and for Gemma 3 with the
tokenizer copied from the preset's GGUF.  Reads the weights with safetensors'
numpy API: no torch here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from advisor.errors import UserInputError
from advisor.export.tensors import (
    Precision,
    file_type,
    gguf_arch,
    prepare,
    stored_tensor,
    tensor_name,
)

#: The ``tokenizer.ggml.pre`` of the presets' tokenizers (llama.cpp identifies a
#: pre-tokenizer by hashing its output; these are the names it gave them).
PRE_TOKENIZERS = {"smollm2-135m-instruct": "smollm"}
DEFAULT_PRE = "default"


def write_gguf(
    folder: Path,
    target: Path,
    *,
    precision: Precision = "f32",
    name: str = "model",
    pre_tokenizer: str = DEFAULT_PRE,
    tokenizer_gguf: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write ``folder`` (config.json, model.safetensors, tokenizer) as the GGUF ``target``.

    ``tokenizer_gguf``: a GGUF of the same base whose tokenizer is copied (the
    SentencePiece vocabulary and scores of Gemma, which tokenizer.json lacks);
    the chat template still comes from ``folder``.  ``progress(done, total)`` is
    called once per tensor converted.

    Raises:
        UserInputError: an architecture or tokenizer this writer does not support.
    """
    import gguf

    config = json.loads((folder / "config.json").read_text())
    arch = gguf_arch(str(config.get("model_type")))
    writer = gguf.GGUFWriter(str(target), arch)
    try:
        _add_hparams(writer, config, name, precision)
        if tokenizer_gguf is not None:
            copy_tokenizer(writer, tokenizer_gguf, folder)
        elif arch == "gemma3":
            raise UserInputError.from_catalog(
                "core.gguf.gemma_tokenizer", hint_key="core.gguf.gemma_tokenizer_hint"
            )
        else:
            _add_tokenizer(writer, folder, pre_tokenizer)
        _add_tensors(writer, folder, config, arch, precision, progress)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
    finally:
        writer.close()
    return target


def _add_hparams(writer: Any, config: dict[str, Any], name: str, precision: Precision) -> None:
    heads = int(config["num_attention_heads"])
    hidden = int(config["hidden_size"])
    writer.add_type("model")
    writer.add_name(name)
    writer.add_block_count(int(config["num_hidden_layers"]))
    writer.add_context_length(int(config.get("max_position_embeddings", 2048)))
    writer.add_embedding_length(hidden)
    writer.add_feed_forward_length(int(config["intermediate_size"]))
    writer.add_head_count(heads)
    writer.add_head_count_kv(int(config.get("num_key_value_heads") or heads))
    writer.add_rope_freq_base(float(_rope_theta(config)))
    writer.add_layer_norm_rms_eps(float(config.get("rms_norm_eps", 1e-6)))
    head_dim = int(config.get("head_dim") or hidden // heads)
    if writer.arch == "gemma3":  # what convert_hf_to_gguf.py records for Gemma 3
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)
        writer.add_sliding_window(int(config["sliding_window"]))
    else:
        writer.add_vocab_size(int(config["vocab_size"]))
        writer.add_rope_dimension_count(head_dim)
    writer.add_file_type(file_type(precision))


def _rope_theta(config: dict[str, Any]) -> float:
    # transformers 5 keeps it in rope_parameters (per attention type for Gemma 3,
    # whose GGUF records the full-attention one); older configs at the top level.
    params = config.get("rope_parameters") or {}
    if isinstance(params, dict) and isinstance(params.get("full_attention"), dict):
        params = params["full_attention"]
    scaling = params.get("rope_type", "default") if isinstance(params, dict) else "default"
    if scaling != "default":
        raise UserInputError.from_catalog(
            "core.gguf.rope_scaling",
            hint_key="core.gguf.use_safetensors_hint",
            scaling=repr(scaling),
        )
    theta = params.get("rope_theta") if isinstance(params, dict) else None
    return float(theta or config.get("rope_theta") or 10000.0)


def _add_tokenizer(writer: Any, folder: Path, pre_tokenizer: str) -> None:
    import gguf

    spec = json.loads((folder / "tokenizer.json").read_text())
    model = spec.get("model", {})
    if model.get("type") != "BPE" or not isinstance(model.get("vocab"), dict):
        raise UserInputError.from_catalog(
            "core.gguf.tokenizer_type",
            hint_key="core.gguf.use_safetensors_hint",
            kind=repr(model.get("type")),
        )
    vocab: dict[str, int] = dict(model["vocab"])
    added = {t["content"]: t for t in spec.get("added_tokens", [])}
    for content, token in added.items():
        vocab.setdefault(content, int(token["id"]))
    tokens = [""] * (max(vocab.values()) + 1)
    for text, index in vocab.items():
        tokens[index] = text
    types = [
        (gguf.TokenType.CONTROL if added[t]["special"] else gguf.TokenType.USER_DEFINED)
        if t in added
        else gguf.TokenType.NORMAL
        for t in tokens
    ]
    merges = [m if isinstance(m, str) else " ".join(m) for m in model.get("merges", [])]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre_tokenizer)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    _add_special_tokens(writer, folder, vocab)


def _add_special_tokens(writer: Any, folder: Path, vocab: dict[str, int]) -> None:
    settings = json.loads((folder / "tokenizer_config.json").read_text())

    def token_id(key: str) -> int | None:
        value = settings.get(key)
        content = value.get("content") if isinstance(value, dict) else value
        return vocab.get(content) if isinstance(content, str) else None

    for key, add in (
        ("bos_token", writer.add_bos_token_id),
        ("eos_token", writer.add_eos_token_id),
        ("unk_token", writer.add_unk_token_id),
        ("pad_token", writer.add_pad_token_id),
    ):
        found = token_id(key)
        if found is not None:
            add(found)
    writer.add_add_bos_token(bool(settings.get("add_bos_token", False)))
    template = chat_template(folder)
    if template:
        writer.add_chat_template(template)


def copy_tokenizer(writer: Any, source: Path, folder: Path) -> None:
    """The ``tokenizer.ggml.*`` fields of ``source``, and the chat template of ``folder``."""
    from gguf import GGUFReader

    fields = GGUFReader(str(source)).fields

    def value(key: str) -> Any:
        field = fields.get(f"tokenizer.ggml.{key}")
        return None if field is None else field.contents()

    writer.add_tokenizer_model(value("model"))
    writer.add_tokenizer_pre(value("pre") or DEFAULT_PRE)
    writer.add_token_list(value("tokens"))
    for key, add in (("scores", writer.add_token_scores), ("token_type", writer.add_token_types)):
        if value(key) is not None:
            add(value(key))
    for key, add in (
        ("bos_token_id", writer.add_bos_token_id),
        ("eos_token_id", writer.add_eos_token_id),
        ("unknown_token_id", writer.add_unk_token_id),
        ("padding_token_id", writer.add_pad_token_id),
        ("add_bos_token", writer.add_add_bos_token),
        ("add_sep_token", writer.add_add_sep_token),
        ("add_eos_token", writer.add_add_eos_token),
        ("add_space_prefix", writer.add_add_space_prefix),
    ):
        if value(key) is not None:
            add(value(key))
    template = chat_template(folder)
    if template:
        writer.add_chat_template(template)


def chat_template(folder: Path) -> str | None:
    """The folder's chat template: ``chat_template.jinja`` (transformers 5) or the config's."""
    jinja = folder / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    settings = json.loads((folder / "tokenizer_config.json").read_text())
    template = settings.get("chat_template")
    return template if isinstance(template, str) else None


def _add_tensors(
    writer: Any,
    folder: Path,
    config: dict[str, Any],
    arch: str,
    precision: Precision,
    progress: Callable[[int, int], None] | None,
) -> None:
    from safetensors import safe_open

    blocks = int(config["num_hidden_layers"])
    heads = int(config["num_attention_heads"])
    kv_heads = int(config.get("num_key_value_heads") or heads)
    tied = bool(config.get("tie_word_embeddings", False))
    with safe_open(str(folder / "model.safetensors"), framework="numpy") as weights:
        names = [n for n in weights.keys() if not (tied and n == "lm_head.weight")]  # noqa: SIM118
        for done, hf_name in enumerate(names, start=1):
            data = prepare(hf_name, weights.get_tensor(hf_name), arch, heads, kv_heads)
            stored = stored_tensor(data, precision)
            name = tensor_name(hf_name, arch, blocks)
            writer.add_tensor(name, stored.data, raw_dtype=stored.raw_dtype)
            if progress:
                progress(done, len(names))
