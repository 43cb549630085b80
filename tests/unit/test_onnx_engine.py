"""The onnx engine's pure parts: adapter layout, cache key, settings, routing (no model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from advisor.errors import BackendUnavailableError, ConfigError, ModelNotFoundError
from advisor.settings import load_settings
from backends.local.onnx_engine import build
from backends.local.onnx_engine.adapters import adapter_arrays, export_adapter, onnx_name, scaling
from backends.local.onnx_engine.build import BuiltModel
from backends.local.onnx_engine.chat import sampling
from backends.types import ChatMessage, ChatResult, GenerationParams

Q_A = "model.layers.0.attn.q_proj.lora_A.MatMul.weight"
Q_B = "model.layers.0.attn.q_proj.lora_B.MatMul.weight"
DOWN_A = "model.layers.1.mlp.down_proj.lora_A.MatMul.weight"
DOWN_B = "model.layers.1.mlp.down_proj.lora_B.MatMul.weight"
SLOTS = {Q_A: [6, 4], Q_B: [4, 6], DOWN_A: [8, 4], DOWN_B: [4, 6]}


def _info(slot_rank: int | None = 4) -> BuiltModel:
    return BuiltModel(
        key="k", precision="fp32", genai_version="0.18.0", slot_rank=slot_rank, slots=SLOTS
    )


def _adapter(folder: Path, rank: int = 2, **config: object) -> dict[str, np.ndarray]:
    from safetensors.numpy import save_file

    rng = np.random.default_rng(0)
    prefix = "base_model.model.model.layers.0.self_attn.q_proj"
    weights = {
        f"{prefix}.lora_A.weight": rng.standard_normal((rank, 6)).astype(np.float32),
        f"{prefix}.lora_B.weight": rng.standard_normal((6, rank)).astype(np.float32),
    }
    folder.mkdir(parents=True, exist_ok=True)
    save_file(weights, str(folder / "adapter_model.safetensors"))
    settings = {"peft_type": "LORA", "r": rank, "lora_alpha": 8, **config}
    (folder / "adapter_config.json").write_text(json.dumps(settings))
    return weights


def test_peft_keys_map_to_the_builders_initializer_names():
    key = "base_model.model.model.layers.12.self_attn.v_proj.lora_B.weight"
    assert onnx_name(key) == "model.layers.12.attn.v_proj.lora_B.MatMul.weight"
    mlp = "base_model.model.model.layers.3.mlp.gate_proj.lora_A.weight"
    assert onnx_name(mlp) == "model.layers.3.mlp.gate_proj.lora_A.MatMul.weight"
    assert onnx_name("base_model.model.lm_head.weight") is None


def test_scaling_is_alpha_over_rank_or_its_square_root_with_rslora():
    assert scaling({"r": 16, "lora_alpha": 32}) == 2.0
    assert scaling({"r": 16, "lora_alpha": 32, "use_rslora": True}) == 8.0


def test_adapter_is_transposed_scaled_and_zero_padded_as_the_builder_lays_it_out(tmp_path):
    weights = _adapter(tmp_path / "ad")
    arrays = adapter_arrays(tmp_path / "ad", _info())
    a = weights["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"]
    b = weights["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"]
    assert arrays[Q_A].shape == (6, 4) and arrays[Q_B].shape == (4, 6)
    np.testing.assert_array_equal(arrays[Q_A][:, :2], a.T)
    np.testing.assert_array_equal(arrays[Q_B][:2, :], (b * np.float32(4.0)).T)  # alpha 8 / r 2
    assert not arrays[Q_A][:, 2:].any() and not arrays[Q_B][2:, :].any()  # padding is zero
    assert not arrays[DOWN_A].any() and not arrays[DOWN_B].any()  # untrained slots stay zero
    # The padded product is the adapter's own delta: x @ A.T @ (s * B).T
    x = np.ones((1, 6), dtype=np.float32)
    np.testing.assert_allclose(x @ arrays[Q_A] @ arrays[Q_B], x @ a.T @ (4.0 * b).T, rtol=1e-5)


@pytest.mark.parametrize(
    ("config", "rank", "reason"),
    [
        ({}, 8, "rank 8 is above the slot rank 4"),
        ({"use_dora": True}, 2, "DoRA"),
        ({"rank_pattern": {"q_proj": 4}}, 2, "per-module"),
        ({"peft_type": "IA3"}, 2, "not LoRA"),
    ],
)
def test_adapters_the_slots_cannot_serve_are_refused_with_the_way_out(
    tmp_path, config, rank, reason
):
    _adapter(tmp_path / "ad", rank=rank, **config)
    with pytest.raises(BackendUnavailableError, match=reason) as info:
        adapter_arrays(tmp_path / "ad", _info())
    assert "ENGINE=torch" in (info.value.hint or "")


def test_a_model_built_without_slots_refuses_adapters(tmp_path):
    _adapter(tmp_path / "ad")
    with pytest.raises(BackendUnavailableError, match="no LoRA slots"):
        adapter_arrays(tmp_path / "ad", _info(slot_rank=None))


def test_a_folder_without_an_adapter_is_model_not_found(tmp_path):
    with pytest.raises(ModelNotFoundError):
        adapter_arrays(tmp_path, _info())


def test_export_writes_an_ort_adapter_file_once_per_adapter_content(tmp_path):
    import onnxruntime as ort

    _adapter(tmp_path / "ad")
    first = export_adapter(tmp_path / "ad", tmp_path / "model", _info())
    params = ort.AdapterFormat.read_adapter(str(first)).get_parameters()
    assert set(params) == set(SLOTS)
    assert params[Q_A].numpy().shape == (6, 4)
    assert export_adapter(tmp_path / "ad", tmp_path / "model", _info()) == first
    _adapter(tmp_path / "ad", rank=3)  # retrained in the same folder: a new file
    assert export_adapter(tmp_path / "ad", tmp_path / "model", _info()) != first


def _source(folder: Path, manifest: str = '{"source": "a"}') -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text('{"model_type": "llama"}')
    (folder / "advisor-manifest.json").write_text(manifest)
    return folder


def test_cache_key_covers_content_precision_and_library_version(tmp_path):
    source = _source(tmp_path / "m")
    key = build.cache_key(source, "fp32", "0.18.0")
    assert key == build.cache_key(source, "fp32", "0.18.0")
    assert key != build.cache_key(source, "int4", "0.18.0")
    assert len({key, build.cache_key(source, "int8", "0.18.0")}) == 2
    assert key != build.cache_key(source, "fp32", "0.19.0")
    _source(source, '{"source": "b"}')
    assert key != build.cache_key(source, "fp32", "0.18.0")


def test_built_folder_lives_in_the_models_cache(tmp_path):
    settings = load_settings()
    folder = build.built_dir(settings.models_dir, _source(tmp_path / "m"), "fp32")
    assert folder.parent == settings.models_dir / "onnx"
    assert folder.name.startswith("m-fp32-")


def test_a_built_model_is_reused_and_built_only_once(tmp_path, monkeypatch):
    source = _source(tmp_path / "m")
    calls: list[str] = []

    def fake_build(src: Path, tmp: Path, precision: str) -> BuiltModel:
        calls.append(precision)
        (tmp / "out").mkdir(parents=True)
        return BuiltModel(key="", precision=precision, genai_version="0.18.0")

    monkeypatch.setattr(build, "_build", fake_build)
    notices: list[str] = []
    first = build.ensure_built(tmp_path / "models", source, "fp32", progress=notices.append)
    again = build.ensure_built(tmp_path / "models", source, "fp32", progress=notices.append)
    assert first == again and calls == ["fp32"]
    assert notices == ["Preparing the ONNX model (about a minute, once)..."]
    other = _source(tmp_path / "other")
    build.ensure_built(tmp_path / "models", other, "fp32", progress=notices.append, lang="ja")
    assert notices[-1] == "ONNX モデルを準備しています（初回のみ、1 分ほどかかります）..."
    assert build.read_info(first) is not None
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".build-")]


def test_a_failed_build_leaves_nothing_that_looks_built(tmp_path, monkeypatch):
    source = _source(tmp_path / "m")

    def failing(src: Path, tmp: Path, precision: str) -> BuiltModel:
        (tmp / "out").mkdir(parents=True)
        raise BackendUnavailableError("could not be built", hint="set ADVISOR_LOCAL__ENGINE=torch")

    monkeypatch.setattr(build, "_build", failing)
    with pytest.raises(BackendUnavailableError):
        build.ensure_built(tmp_path / "models", source, "fp32")
    target = build.built_dir(tmp_path / "models", source, "fp32")
    assert not target.exists()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".build-")]
    # The next call fails at once with the same message, without a minute of building.
    monkeypatch.setattr(build, "_build", lambda *args: pytest.fail("built again"))
    with pytest.raises(BackendUnavailableError, match="could not be built") as info:
        build.ensure_built(tmp_path / "models", source, "fp32")
    assert "ENGINE=torch" in (info.value.hint or "") and ".failed" in (info.value.hint or "")


def test_an_unexpected_builder_failure_becomes_one_clear_error(tmp_path, monkeypatch):
    source = _source(tmp_path / "m")

    def broken(src: Path, tmp: Path, precision: str) -> BuiltModel:
        raise KeyError("rope_type")

    monkeypatch.setattr(build, "_build", broken)
    with pytest.raises(BackendUnavailableError, match=r"could not be built \(KeyError") as info:
        build.ensure_built(tmp_path / "models", source, "fp32")
    assert "ENGINE=torch" in (info.value.hint or "")


def test_sliding_window_models_are_refused_before_building(tmp_path, monkeypatch):
    source = tmp_path / "gemma-3-270m"
    source.mkdir()
    config = {"model_type": "gemma3_text", "layer_types": ["sliding_attention", "full_attention"]}
    (source / "config.json").write_text(json.dumps(config))
    monkeypatch.setattr(build, "_build", lambda *args: pytest.fail("tried to build"))
    with pytest.raises(BackendUnavailableError, match="sliding-window") as info:
        build.ensure_built(tmp_path / "models", source, "fp32")
    assert "ENGINE=torch" in (info.value.hint or "")


def test_a_hub_id_is_refused_with_the_way_out(tmp_path):
    with pytest.raises(BackendUnavailableError, match="local model folder") as info:
        build.ensure_built(tmp_path, Path("HuggingFaceTB/SmolLM2-135M-Instruct"), "fp32")
    assert "ENGINE=torch" in (info.value.hint or "")


def test_staging_names_the_architecture_the_conversion_leaves_out(tmp_path):
    source = _source(tmp_path / "m")
    (source / "model.safetensors").write_bytes(b"x")
    staging = build._staging(source, tmp_path / "staging")
    assert json.loads((staging / "config.json").read_text())["architectures"] == [
        "LlamaForCausalLM"
    ]
    assert (staging / "model.safetensors").resolve() == (source / "model.safetensors").resolve()


def test_int8_builds_keep_every_lora_matmul_out_of_quantization(tmp_path, monkeypatch):
    source = _source(tmp_path / "m")
    (source / "config.json").write_text('{"model_type": "llama", "num_hidden_layers": 2}')
    names = build.lora_matmuls(source)
    assert len(names) == 2 * 7 * 2 and len(set(names)) == len(names)
    assert "/model/layers.0/attn/q_proj/lora_A/MatMul" in names
    assert "/model/layers.1/mlp/down_proj/lora_B/MatMul" in names
    commands: list[list[str]] = []

    def builder(command: list[str], **kwargs: object) -> object:
        commands.append(command)
        raise RuntimeError("stop before the real builder")

    monkeypatch.setattr(build, "_zero_adapter", lambda staging, out: out)
    monkeypatch.setattr(build.subprocess, "run", builder)
    for precision in ("int8", "fp32", "int4"):
        with pytest.raises(RuntimeError):
            build._build(source, tmp_path / precision, precision)
    int8, fp32, int4 = commands
    assert int8[int8.index("-p") + 1] == "int8"
    assert "nodes_to_exclude=" + ",".join(names) in int8
    assert any(arg.startswith("adapter_path=") for arg in int8 + fp32)
    assert not any("nodes_to_exclude" in arg for arg in fp32)
    assert "--extra_options" not in int4  # no slots: int4 serves no adapters


def test_a_build_whose_lora_slots_came_out_quantized_is_refused(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    weight = helper.make_tensor(
        "model.layers.0.attn.q_proj.lora_A.MatMul.weight_Q8", TensorProto.UINT8, [2], [1, 2]
    )
    graph = helper.make_graph([], "g", [], [], initializer=[weight])
    onnx.save(helper.make_model(graph), str(tmp_path / "model.onnx"))
    with pytest.raises(BackendUnavailableError, match="quantized") as info:
        build._open_slots(tmp_path / "model.onnx")
    assert "fp32" in (info.value.hint or "")


def test_engine_setting_defaults_to_torch_and_reads_the_environment(monkeypatch):
    settings = load_settings()
    assert settings.local.engine == "torch" and settings.local.onnx_precision == "fp32"
    monkeypatch.setenv("ADVISOR_LOCAL__ENGINE", "onnx")
    for precision in ("int8", "int4"):
        monkeypatch.setenv("ADVISOR_LOCAL__ONNX_PRECISION", precision)
        settings = load_settings()
        assert settings.local.engine == "onnx" and settings.local.onnx_precision == precision
    monkeypatch.setenv("ADVISOR_LOCAL__ENGINE", "llama.cpp")
    with pytest.raises(ConfigError):
        load_settings()


def test_sampling_options_follow_the_generation_params():
    assert sampling(GenerationParams()) == {"do_sample": False}
    sampled = sampling(GenerationParams(temperature=0.7, top_p=0.9, seed=5))
    assert sampled == {"do_sample": True, "temperature": 0.7, "top_p": 0.9, "random_seed": 5}


def test_local_backend_routes_batches_through_the_onnx_engine_in_input_order(monkeypatch):
    from backends.local.backend import LocalBackend

    monkeypatch.setenv("ADVISOR_LOCAL__ENGINE", "onnx")
    backend = LocalBackend(load_settings())

    class Engine:
        def chat_batch_iter(self, conversations, name, params):
            for index in reversed(range(len(conversations))):  # finished out of order
                yield index, ChatResult(text=str(index), model=name, backend="local")

    monkeypatch.setattr(LocalBackend, "_onnx", lambda self, model: Engine())
    monkeypatch.setattr(LocalBackend, "load", lambda self, model=None: pytest.fail("torch load"))
    conversations = [[ChatMessage(role="user", content=str(i))] for i in range(3)]
    assert [r.text for r in backend.chat_batch(conversations)] == ["0", "1", "2"]


def test_bench_cache_keeps_each_engines_answers_apart(monkeypatch):
    from advisor.bench.cache import cache_key
    from backends.local.backend import LocalBackend

    fields = {"backend": "local", "model": "m", "route": "r", "prompt": "p", "params": {}}
    keys = {}
    for engine, precision in (("torch", "fp32"), ("onnx", "fp32"), ("onnx", "int4")):
        monkeypatch.setenv("ADVISOR_LOCAL__ENGINE", engine)
        monkeypatch.setenv("ADVISOR_LOCAL__ONNX_PRECISION", precision)
        identity = LocalBackend(load_settings()).generation_engine()
        keys[engine, precision] = cache_key(**fields, repeat=0, engine=identity)
    assert len(set(keys.values())) == 3
    # The default engine keeps the keys answers were cached under before engines existed.
    assert keys["torch", "fp32"] == cache_key(**fields, repeat=0)
