"""GGUF tensors and metadata from a tiny llama folder: names, Q/K order, precision, tokenizer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from advisor.errors import UserInputError
from advisor.export.gguf_file import write_gguf
from advisor.export.tensors import gguf_arch, permute_qk, prepare, stored_tensor, tensor_name

HEADS, KV_HEADS, HIDDEN, FFN, VOCAB = 2, 1, 32, 64, 6


@pytest.mark.parametrize(
    ("hf", "gguf"),
    [
        ("model.embed_tokens.weight", "token_embd.weight"),
        ("model.layers.0.self_attn.q_proj.weight", "blk.0.attn_q.weight"),
        ("model.layers.1.self_attn.k_proj.weight", "blk.1.attn_k.weight"),
        ("model.layers.1.self_attn.o_proj.weight", "blk.1.attn_output.weight"),
        ("model.layers.0.mlp.gate_proj.weight", "blk.0.ffn_gate.weight"),
        ("model.layers.0.mlp.down_proj.weight", "blk.0.ffn_down.weight"),
        ("model.layers.0.input_layernorm.weight", "blk.0.attn_norm.weight"),
        ("model.layers.0.post_attention_layernorm.weight", "blk.0.ffn_norm.weight"),
        ("model.norm.weight", "output_norm.weight"),
        ("lm_head.weight", "output.weight"),
    ],
)
def test_llama_tensor_names(hf, gguf):
    assert tensor_name(hf, "llama", 2) == gguf


def test_a_tensor_without_a_gguf_name_is_refused():
    with pytest.raises(UserInputError, match="no GGUF name"):
        tensor_name("model.vision_tower.patch.weight", "llama", 2)


def test_unsupported_architectures_say_what_to_do():
    assert gguf_arch("gemma3_text") == "gemma3"
    with pytest.raises(UserInputError, match="not 'qwen2'") as raised:
        gguf_arch("qwen2")
    assert "--format safetensors" in str(raised.value)


def _reverse(weights: np.ndarray, n_head: int) -> np.ndarray:
    # transformers' LlamaTensorProcessor._reverse_permute_weights, the loader's side.
    dim = weights.shape[0] // n_head // 2
    return weights.reshape(n_head, dim, 2, *weights.shape[1:]).swapaxes(2, 1).reshape(weights.shape)


def test_qk_permutation_interleaves_the_rotary_halves_and_the_loader_undoes_it():
    rows = np.arange(4, dtype=np.float32).reshape(4, 1)  # one head: halves [0, 1] and [2, 3]
    assert permute_qk(rows, 1).ravel().tolist() == [0, 2, 1, 3]
    weights = np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32)
    assert np.array_equal(_reverse(permute_qk(weights, 2), 2), weights)
    assert not np.array_equal(permute_qk(weights, 2), weights)


def test_gemma_norms_are_stored_plus_one_and_nothing_else_changes():
    data = np.zeros((2, 2), dtype=np.float32)
    assert np.array_equal(
        prepare("model.layers.0.self_attn.q_norm.weight", data, "gemma3", 2, 1), data + 1
    )
    assert np.array_equal(prepare("model.norm.weight", data, "gemma3", 2, 1), data + 1)
    assert np.array_equal(
        prepare("model.layers.0.self_attn.q_proj.weight", data, "gemma3", 2, 1), data
    )
    assert np.array_equal(prepare("model.norm.weight", data, "llama", 2, 1), data)


def test_precisions_keep_vectors_in_f32_and_fall_back_when_q8_cannot_block():
    import gguf

    matrix = np.ones((4, 64), dtype=np.float32)
    assert stored_tensor(np.ones(64, dtype=np.float32), "q8_0").data.dtype == np.float32
    assert stored_tensor(matrix, "f32").data.dtype == np.float32
    assert stored_tensor(matrix, "f16").data.dtype == np.float16
    q8 = stored_tensor(matrix, "q8_0")
    assert q8.raw_dtype == gguf.GGMLQuantizationType.Q8_0 and q8.data.dtype == np.uint8
    assert stored_tensor(np.ones((4, 48), dtype=np.float32), "q8_0").data.dtype == np.float16


def _tiny_llama(folder: Path, *, tied: bool = True) -> dict[str, np.ndarray]:
    from safetensors.numpy import save_file

    rng = np.random.default_rng(1)
    head_dim = HIDDEN // HEADS

    def w(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    tensors = {"model.embed_tokens.weight": w(VOCAB, HIDDEN), "model.norm.weight": w(HIDDEN)}
    prefix = "model.layers.0."
    tensors.update(
        {
            prefix + "self_attn.q_proj.weight": w(HEADS * head_dim, HIDDEN),
            prefix + "self_attn.k_proj.weight": w(KV_HEADS * head_dim, HIDDEN),
            prefix + "self_attn.v_proj.weight": w(KV_HEADS * head_dim, HIDDEN),
            prefix + "self_attn.o_proj.weight": w(HIDDEN, HIDDEN),
            prefix + "mlp.gate_proj.weight": w(FFN, HIDDEN),
            prefix + "mlp.up_proj.weight": w(FFN, HIDDEN),
            prefix + "mlp.down_proj.weight": w(HIDDEN, FFN),
            prefix + "input_layernorm.weight": w(HIDDEN),
            prefix + "post_attention_layernorm.weight": w(HIDDEN),
        }
    )
    if not tied:
        tensors["lm_head.weight"] = w(VOCAB, HIDDEN)
    save_file(tensors, str(folder / "model.safetensors"))
    config = {
        "model_type": "llama",
        "num_hidden_layers": 1,
        "num_attention_heads": HEADS,
        "num_key_value_heads": KV_HEADS,
        "hidden_size": HIDDEN,
        "intermediate_size": FFN,
        "max_position_embeddings": 128,
        "rms_norm_eps": 1e-5,
        "rope_parameters": {"rope_type": "default", "rope_theta": 100000.0},
        "vocab_size": VOCAB,
        "tie_word_embeddings": tied,
    }
    (folder / "config.json").write_text(json.dumps(config))
    vocab = {"a": 0, "b": 1, "ab": 2, "Ġa": 3}
    added = [
        {"id": 4, "content": "<|im_start|>", "special": True},
        {"id": 5, "content": "<|im_end|>", "special": True},
    ]
    spec = {"model": {"type": "BPE", "vocab": vocab, "merges": [["a", "b"]]}, "added_tokens": added}
    (folder / "tokenizer.json").write_text(json.dumps(spec))
    settings = {"eos_token": "<|im_end|>", "bos_token": "<|im_start|>", "add_bos_token": False}
    (folder / "tokenizer_config.json").write_text(json.dumps(settings))
    (folder / "chat_template.jinja").write_text("{{ '<|im_start|>' }}")
    return tensors


def _field(reader, key: str):
    return reader.fields[key].contents()


def test_a_tiny_llama_becomes_a_gguf_llama_cpp_and_transformers_read(tmp_path):
    from gguf import GGUFReader, TokenType

    tensors = _tiny_llama(tmp_path)
    seen: list[tuple[int, int]] = []
    target = write_gguf(
        tmp_path,
        tmp_path / "m.gguf",
        name="tiny",
        pre_tokenizer="smollm",
        progress=lambda d, t: seen.append((d, t)),
    )
    reader = GGUFReader(str(target))
    assert _field(reader, "general.architecture") == "llama"
    assert _field(reader, "llama.attention.head_count_kv") == KV_HEADS
    assert _field(reader, "llama.rope.freq_base") == 100000.0
    assert _field(reader, "llama.rope.dimension_count") == HIDDEN // HEADS
    assert _field(reader, "tokenizer.ggml.model") == "gpt2"
    assert _field(reader, "tokenizer.ggml.pre") == "smollm"
    assert _field(reader, "tokenizer.ggml.tokens") == [
        "a",
        "b",
        "ab",
        "Ġa",
        "<|im_start|>",
        "<|im_end|>",
    ]
    assert _field(reader, "tokenizer.ggml.merges") == ["a b"]
    types = _field(reader, "tokenizer.ggml.token_type")
    assert types[0] == TokenType.NORMAL and types[5] == TokenType.CONTROL
    assert (
        _field(reader, "tokenizer.ggml.eos_token_id"),
        _field(reader, "tokenizer.ggml.bos_token_id"),
    ) == (5, 4)
    assert _field(reader, "tokenizer.chat_template") == "{{ '<|im_start|>' }}"
    by_name = {t.name: t for t in reader.tensors}
    assert "output.weight" not in by_name  # tied: the loader ties it back
    assert seen[-1] == (len(tensors), len(tensors))
    q = np.array(by_name["blk.0.attn_q.weight"].data).reshape(HIDDEN, HIDDEN)
    assert np.array_equal(q, permute_qk(tensors["model.layers.0.self_attn.q_proj.weight"], HEADS))
    k = np.array(by_name["blk.0.attn_k.weight"].data).reshape(-1, HIDDEN)
    assert np.array_equal(
        k, permute_qk(tensors["model.layers.0.self_attn.k_proj.weight"], KV_HEADS)
    )
    v = np.array(by_name["blk.0.attn_v.weight"].data).reshape(-1, HIDDEN)
    assert np.array_equal(v, tensors["model.layers.0.self_attn.v_proj.weight"])


def test_an_untied_head_is_written_and_q8_0_is_recorded(tmp_path):
    import gguf
    from gguf import GGUFReader

    _tiny_llama(tmp_path, tied=False)
    reader = GGUFReader(str(write_gguf(tmp_path, tmp_path / "m.gguf", precision="q8_0")))
    by_name = {t.name: t for t in reader.tensors}
    assert by_name["output.weight"].tensor_type == gguf.GGMLQuantizationType.Q8_0
    assert by_name["output_norm.weight"].tensor_type == gguf.GGMLQuantizationType.F32
    assert _field(reader, "general.file_type") == int(gguf.LlamaFileType.MOSTLY_Q8_0)


def test_a_rope_scaling_the_writer_does_not_record_is_refused(tmp_path):
    _tiny_llama(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    config["rope_parameters"] = {"rope_type": "llama3", "rope_theta": 5e5}
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(UserInputError, match="'llama3' rope scaling"):
        write_gguf(tmp_path, tmp_path / "m.gguf")
