"""The local model's number format (advisor/precision.py) and everything keyed on it."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pytest

from advisor import precision
from advisor.data import calibration as cal
from advisor.settings import Settings, load_settings
from tests.unit.test_calibration_batch import answering, calibration

EPYC_FLAGS = "flags\t\t: fpu sse2 avx2 fma avx512f avx512_vnni avx512_bf16 clflushopt\n"
XEON_FLAGS = "flags\t\t: fpu sse2 avx2 avx512f amx_bf16 amx_tile amx_int8\n"
OLD_FLAGS = "flags\t\t: fpu sse2 avx2 fma\n"


def with_dtype(monkeypatch: pytest.MonkeyPatch, dtype: str, device: str = "auto") -> Settings:
    monkeypatch.setenv("ADVISOR_LOCAL__DTYPE", dtype)
    monkeypatch.setenv("ADVISOR_LOCAL__DEVICE", device)
    return load_settings()


@pytest.mark.parametrize(
    ("cpuinfo", "native"),
    [(EPYC_FLAGS, True), (XEON_FLAGS, True), (OLD_FLAGS, False), ("model name\t: x\n", False)],
)
def test_bf16_is_native_only_where_the_cpu_flags_say(
    tmp_path: Path, cpuinfo: str, native: bool
) -> None:
    path = tmp_path / "cpuinfo"
    path.write_text("processor\t: 0\n" + cpuinfo)
    assert precision.cpu_has_bf16(path) is native


def test_without_proc_torch_is_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(precision, "_torch_says_bf16", lambda: True)
    assert precision.cpu_has_bf16(tmp_path / "absent") is True


def test_auto_takes_bfloat16_only_where_it_is_computed(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = with_dtype(monkeypatch, "auto")
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: True)
    assert precision.model_dtype(settings, "cpu") == "bfloat16"
    assert precision.model_dtype(settings, "mps") == "float32"
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: False)
    assert precision.model_dtype(settings, "cpu") == "float32"  # emulated bf16 is slower


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_a_chosen_format_wins_everywhere(monkeypatch: pytest.MonkeyPatch, dtype: str) -> None:
    settings = with_dtype(monkeypatch, dtype)
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: dtype == "float32")  # the opposite
    assert precision.model_dtype(settings, "cpu") == dtype
    assert precision.planned_dtype(settings) == dtype


def test_planning_needs_torch_only_for_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: True)
    monkeypatch.setattr(precision.shutil, "which", lambda name: None)
    assert precision.planned_dtype(with_dtype(monkeypatch, "auto")) == "bfloat16"
    assert precision.planned_dtype(with_dtype(monkeypatch, "auto", "cpu")) == "bfloat16"
    assert precision.planned_dtype(with_dtype(monkeypatch, "auto", "cuda:1")) is None
    monkeypatch.setattr(precision.shutil, "which", lambda name: "/usr/bin/nvidia-smi")
    assert precision.planned_dtype(with_dtype(monkeypatch, "auto")) is None


def test_a_calibration_of_the_other_format_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = with_dtype(monkeypatch, "float32", "cpu")
    cal.store(settings, calibration(answering(32)).model_copy(update={"model": "m"}))
    assert cal.cached_calibration(settings, "m") is not None
    # bfloat16 trains about three times as fast here: float32's rate would mislead the plan
    assert cal.cached_calibration(with_dtype(monkeypatch, "bfloat16", "cpu"), "m") is None


def test_each_format_answers_under_its_own_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    from advisor.bench.cache import cache_key
    from backends.local.backend import LocalBackend
    from backends.local.warm_protocol import fingerprint, model_key

    fields = {"backend": "local", "model": "m", "route": "r", "prompt": "p", "params": {}}
    old = with_dtype(monkeypatch, "float32", "cpu")
    new = with_dtype(monkeypatch, "bfloat16", "cpu")
    assert LocalBackend(old).generation_engine() == ""  # answers cached before stay valid
    engine = LocalBackend(new).generation_engine()
    assert engine == "torch-bfloat16"
    assert cache_key(**fields, repeat=0, engine=engine) != cache_key(**fields, repeat=0)
    assert model_key(old, None).dtype == "float32" and model_key(new, None).dtype == "bfloat16"
    assert fingerprint(old) != fingerprint(new)  # a warm float32 server is not reused


def test_cpu_training_autocasts_to_bf16_by_the_same_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from backends.local.trainer import device_setup

    chosen = device_setup(with_dtype(monkeypatch, "bfloat16", "cpu"))
    assert chosen == {"use_cpu": True, "bf16": True, "fp16": False}
    assert device_setup(with_dtype(monkeypatch, "float32", "cpu"))["bf16"] is False


def test_the_frozen_base_trains_in_the_format_training_computes_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import torch

    from backends.local.trainer import frozen_base_dtype

    assert frozen_base_dtype(with_dtype(monkeypatch, "bfloat16", "cpu")) == "bfloat16"
    assert frozen_base_dtype(with_dtype(monkeypatch, "float32", "cpu")) == "float32"
    # On CUDA, mixed precision keeps float32 master weights whatever local.dtype says.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert frozen_base_dtype(with_dtype(monkeypatch, "bfloat16", "cuda")) == "float32"


def test_the_legacy_generation_key_holds_torchs_figure_in_either_format() -> None:
    half = answering(32, 30.0, engine="torch-bfloat16")
    found = calibration(answering(32, engine="onnx-int8"), half)
    assert found.generation == half
    assert found.model_dump(mode="json")["generation"]["engine"] == "torch-bfloat16"
    assert calibration(answering(32, engine="onnx-int8")).generation is None


def with_adapter_dtype(monkeypatch: pytest.MonkeyPatch, dtype: str, adapter: str) -> Settings:
    monkeypatch.setenv("ADVISOR_LOCAL__ADAPTER_DTYPE", adapter)
    # the unmerged adapter's format (a merged one has none: tests/unit/test_adapter_serving.py)
    monkeypatch.setenv("ADVISOR_LOCAL__ADAPTER_SERVING", "unmerged")
    return with_dtype(monkeypatch, dtype, "cpu")


@pytest.mark.parametrize(
    ("adapter", "base", "kept"),
    [
        ("auto", "bfloat16", "bfloat16"),  # no casts around every LoRA layer
        ("auto", "float32", "float32"),
        ("float32", "bfloat16", "float32"),  # PEFT's default, the switch back
        ("float32", "float32", "float32"),
    ],
)
def test_an_adapter_is_kept_in_the_base_format_unless_told_float32(
    monkeypatch: pytest.MonkeyPatch, adapter: str, base: str, kept: str
) -> None:
    settings = with_adapter_dtype(monkeypatch, base, adapter)
    assert settings.local.adapter_dtype == adapter  # read from ADVISOR_LOCAL__ADAPTER_DTYPE
    assert precision.adapter_dtype(settings, base) == kept  # type: ignore[arg-type]


def test_the_adapter_format_defaults_to_the_bases(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = with_dtype(monkeypatch, "bfloat16", "cpu")
    assert settings.local.adapter_dtype == "auto"
    assert precision.adapter_dtype(settings, "bfloat16") == "bfloat16"


def test_a_bf16_adapters_answers_have_their_own_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    from backends.local.backend import LocalBackend
    from backends.local.warm_protocol import fingerprint

    tuned = "local:ft:smollm2-135m-instruct:sft:ftjob-1"
    kept = LocalBackend(with_adapter_dtype(monkeypatch, "bfloat16", "auto"))
    upcast = LocalBackend(with_adapter_dtype(monkeypatch, "bfloat16", "float32"))
    full = LocalBackend(with_adapter_dtype(monkeypatch, "float32", "auto"))
    assert kept.generation_engine_for(tuned) == "torch-bfloat16-lora-bfloat16"
    # A float32 adapter answers as before the setting: its cached answers stay valid.
    assert upcast.generation_engine_for(tuned) == "torch-bfloat16"
    assert full.generation_engine_for(tuned) == ""
    # The base model's answers do not depend on the adapter's format.
    assert kept.generation_engine_for(None) == upcast.generation_engine_for("m") == "torch-bfloat16"
    assert fingerprint(kept.settings) != fingerprint(upcast.settings)  # two warm servers
    monkeypatch.setenv("ADVISOR_LOCAL__ENGINE", "onnx")
    onnx = LocalBackend(with_adapter_dtype(monkeypatch, "bfloat16", "auto"))
    assert onnx.generation_engine_for(tuned) == onnx.generation_engine()  # its own format


def test_each_adapter_format_loads_apart(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    from backends.local import backend as local

    folder = settings.adapters_dir / "ftjob-1"
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text("{}")
    loads: list[tuple[object, ...]] = []

    def fake_load(self: object, *args: object) -> object:
        loads.append(args)
        return object()

    monkeypatch.setattr(local.LocalBackend, "_load_uncached", fake_load)
    cache: OrderedDict[local.ModelCacheKey, object] = OrderedDict()
    monkeypatch.setattr(local, "_models", cache)
    tuned = "local:ft:smollm2-135m-instruct:sft:ftjob-1"
    for adapter in ("auto", "float32", "auto"):
        local.LocalBackend(with_adapter_dtype(monkeypatch, "bfloat16", adapter)).load(tuned)
    local.LocalBackend(with_adapter_dtype(monkeypatch, "bfloat16", "auto")).load()
    # The third load is the first's; a base model has no adapter format.
    assert [(a[1] is not None, a[3], a[4]) for a in loads] == [
        (True, "bfloat16", "bfloat16"),
        (True, "bfloat16", "float32"),
        (False, "bfloat16", "float32"),
    ]
    # Kept are the last two used: the first tuned load's and the base model's, keyed apart.
    assert [(k.adapter_dir is not None, k.dtype, k.adapter_dtype) for k in cache] == [
        (True, "bfloat16", "bfloat16"),
        (False, "bfloat16", None),
    ]
