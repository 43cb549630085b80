"""The errors of the onnx engine, the backend contract and the job plumbing: the English
each always printed, and the same error in Japanese (``localized("ja")``)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any, NoReturn

import pytest

from advisor import messages
from advisor.errors import (
    AdvisorError,
    BackendRequestError,
    BackendUnavailableError,
    CapabilityError,
    DataFileError,
    JobError,
    ModelNotFoundError,
    UserInputError,
)
from advisor.settings import Settings
from backends.base import Backend, FineTuningService
from backends.fake import FakeBackend
from backends.fake_jobs import FakeFineTuning
from backends.jobs import PARENT_JOB_KEY, JobRequest, method_settings
from backends.local.onnx_engine import build, chat
from backends.local.onnx_engine.adapters import adapter_arrays
from backends.local.onnx_engine.build import BuiltModel
from tests.conftest import FIXTURES, REPO

TRAIN = str(FIXTURES / "tui" / "train_ok.jsonl")


def _both(error: AdvisorError) -> tuple[str, str]:
    return str(error), error.localized("ja")


def _source(folder: Path, config: dict[str, Any] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config or {"model_type": "llama"}))
    (folder / "advisor-manifest.json").write_text('{"source": "a"}')
    return folder


# --- the backend contract's defaults ----------------------------------------------------


def test_a_backend_without_embeddings_says_so_in_both_languages(settings: Settings) -> None:
    with pytest.raises(CapabilityError) as caught:
        Backend.embed(FakeBackend(settings), ["hi"])
    assert _both(caught.value) == (
        "the fake backend has no embeddings: "
        "choose a backend with embeddings (local, openai, fake)",
        "fake バックエンドは埋め込みに対応していません。"
        "埋め込みに対応したバックエンド（local、openai、fake）を選んでください",
    )
    assert caught.value.exit_code == 2


def test_a_backend_that_cannot_fine_tune_says_so_in_both_languages(settings: Settings) -> None:
    with pytest.raises(CapabilityError) as caught:
        Backend.fine_tuning(FakeBackend(settings))
    assert _both(caught.value) == (
        "the fake backend cannot fine-tune: use --backend local, openai or azure",
        "fake バックエンドはファインチューニングできません。"
        "--backend local、openai、azure のいずれかを使ってください",
    )
    with pytest.raises(CapabilityError) as caught:
        Backend.moderate(FakeBackend(settings), ["hi"])
    assert _both(caught.value) == (
        "the fake backend has no moderation endpoint",
        "fake バックエンドにはモデレーションのエンドポイントがありません",
    )


def test_calibrating_where_nothing_trains_says_so_in_both_languages(settings: Settings) -> None:
    with pytest.raises(CapabilityError) as caught:
        FineTuningService.calibrate(
            FakeFineTuning(settings), model=None, seq_len=8, batch=1, steps=1
        )
    assert _both(caught.value) == (
        "this backend does not train on this machine, so there is nothing to calibrate: "
        "calibrate with --backend local",
        "このバックエンドはこのマシンで学習しないため、較正するものがありません。"
        "--backend local で較正してください",
    )


# --- jobs ------------------------------------------------------------------------------


def test_an_rft_job_without_a_grader_is_refused_in_both_languages() -> None:
    with pytest.raises(UserInputError) as caught:
        method_settings(JobRequest(method="rft", training_file="t.jsonl"))
    assert _both(caught.value) == (
        "an RFT job needs a grader: pass --grader FILE",
        "RFT のジョブには採点器が必要です。--grader FILE を指定してください",
    )


def test_a_missing_training_file_names_the_path_in_both_languages(
    settings: Settings, tmp_path: Path
) -> None:
    missing = str(tmp_path / "nope.jsonl")
    with pytest.raises(DataFileError) as caught:
        FakeFineTuning(settings).create(JobRequest(method="sft", training_file=missing))
    assert _both(caught.value) == (
        f"{missing}: file not found: check the path",
        f"{missing}: ファイルが見つかりません。パスを確認してください",
    )
    assert caught.value.path == missing


def test_fake_jobs_refuse_in_both_languages(settings: Settings) -> None:
    service = FakeFineTuning(settings)
    done = service.create(JobRequest(method="sft", training_file=TRAIN))
    with pytest.raises(JobError) as caught:
        service.resume(done.id)
    assert _both(caught.value) == (
        f"job {done.id} has already succeeded: nothing to resume",
        f"ジョブ {done.id} はすでに成功しています。再開するものはありません",
    )
    FakeFineTuning.fail_next()
    failed = service.create(JobRequest(method="sft", training_file=TRAIN))
    FakeFineTuning.reset()
    request = JobRequest(method="sft", training_file=TRAIN, metadata={PARENT_JOB_KEY: failed.id})
    with pytest.raises(UserInputError) as refused:
        service.create(request)
    assert _both(refused.value) == (
        f"cannot continue from job {failed.id}: it has no fine-tuned model: "
        "continue from a job that succeeded",
        f"ジョブ {failed.id} から続けられません。ファインチューニング済みのモデルがありません。"
        "成功したジョブから続けてください",
    )


# --- the onnx engine -------------------------------------------------------------------


def test_a_hub_id_on_the_onnx_engine_is_refused_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError) as caught:
        build.ensure_built(tmp_path, Path("HuggingFaceTB/SmolLM2-135M-Instruct"), "fp32")
    assert _both(caught.value) == (
        "the onnx engine needs a local model folder, not 'HuggingFaceTB/SmolLM2-135M-Instruct': "
        "use a preset id or a folder with config.json, or set ADVISOR_LOCAL__ENGINE=torch",
        "onnx エンジンには 'HuggingFaceTB/SmolLM2-135M-Instruct' ではなく、"
        "ローカルのモデルフォルダーが必要です。"
        "プリセットの ID か config.json のあるフォルダーを指定するか、"
        "ADVISOR_LOCAL__ENGINE=torch を設定してください",
    )


def test_an_unsupported_model_is_refused_in_both_languages(tmp_path: Path) -> None:
    source = _source(tmp_path / "gemma-3-270m", {"layer_types": ["sliding_attention"]})
    with pytest.raises(BackendUnavailableError) as caught:
        build.ensure_built(tmp_path / "models", source, "fp32")
    assert _both(caught.value) == (
        "the onnx engine does not serve gemma-3-270m (sliding-window attention, Gemma 3) "
        "with this onnxruntime-genai version: set ADVISOR_LOCAL__ENGINE=torch for this model",
        "この onnxruntime-genai のバージョンでは、onnx エンジンは gemma-3-270m"
        "（スライディングウィンドウ注意、Gemma 3）を提供できません。"
        "このモデルには ADVISOR_LOCAL__ENGINE=torch を設定してください",
    )


def _failing_build(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def failing(src: Path, tmp: Path, precision: str) -> NoReturn:
        raise error

    monkeypatch.setattr(build, "_build", failing)


BUILD_FAILED = (
    "the ONNX model for m could not be built (KeyError: 'rope_type')",
    "m の ONNX モデルを構築できませんでした（KeyError: 'rope_type'）",
)


def test_a_failed_build_fails_again_from_its_record_in_both_languages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source(tmp_path / "m")
    _failing_build(monkeypatch, KeyError("rope_type"))
    with pytest.raises(BackendUnavailableError) as first:
        build.ensure_built(tmp_path / "models", source, "fp32")
    assert _both(first.value) == (
        f"{BUILD_FAILED[0]}: set ADVISOR_LOCAL__ENGINE=torch",
        f"{BUILD_FAILED[1]}。ADVISOR_LOCAL__ENGINE=torch を設定してください",
    )
    failed = Path(f"{build.built_dir(tmp_path / 'models', source, 'fp32')}.failed")
    assert json.loads(failed.read_text())["key"] == "core.onnx.build_failed"
    monkeypatch.setattr(build, "_build", lambda *args: pytest.fail("built again"))
    with pytest.raises(BackendUnavailableError) as again:
        build.ensure_built(tmp_path / "models", source, "fp32")
    assert _both(again.value) == (
        f"{BUILD_FAILED[0]}: set ADVISOR_LOCAL__ENGINE=torch "
        f"(delete {failed} to try the build again)",
        f"{BUILD_FAILED[1]}。ADVISOR_LOCAL__ENGINE=torch を設定してください"
        f"（構築をやり直すには {failed} を削除してください）",
    )


def test_an_older_plain_text_failure_record_is_still_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source(tmp_path / "m")
    failed = Path(f"{build.built_dir(tmp_path / 'models', source, 'fp32')}.failed")
    failed.parent.mkdir(parents=True)
    monkeypatch.setattr(build, "_build", lambda *args: pytest.fail("built again"))
    hint_en = f"set ADVISOR_LOCAL__ENGINE=torch (delete {failed} to try the build again)"
    hint_ja = (
        "ADVISOR_LOCAL__ENGINE=torch を設定してください"
        f"（構築をやり直すには {failed} を削除してください）"
    )
    # As an older version wrote it: the English sentence and a newline.
    failed.write_text(BUILD_FAILED[0] + "\n")
    with pytest.raises(BackendUnavailableError) as known:
        build.ensure_built(tmp_path / "models", source, "fp32")
    assert _both(known.value) == (
        f"{BUILD_FAILED[0]}: {hint_en}",
        f"{BUILD_FAILED[1]}。{hint_ja}",
    )  # its values found again from the English
    failed.write_text("something no catalog sentence says\n")
    with pytest.raises(BackendUnavailableError) as unknown:
        build.ensure_built(tmp_path / "models", source, "fp32")
    assert _both(unknown.value) == (
        f"something no catalog sentence says: {hint_en}",
        f"something no catalog sentence says。{hint_ja}",
    )


def test_a_failure_outside_the_catalog_is_recorded_and_raised_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source(tmp_path / "m")
    _failing_build(monkeypatch, BackendUnavailableError("a plugin's own words", hint="h"))
    with pytest.raises(BackendUnavailableError):
        build.ensure_built(tmp_path / "models", source, "fp32")
    with pytest.raises(BackendUnavailableError) as again:
        build.ensure_built(tmp_path / "models", source, "fp32")
    assert str(again.value).startswith("a plugin's own words: set ADVISOR_LOCAL__ENGINE=torch (")


def test_a_missing_adapter_and_an_unservable_one_read_in_both_languages(tmp_path: Path) -> None:
    info = BuiltModel(key="k", precision="int4", genai_version="0.18.0")
    with pytest.raises(ModelNotFoundError) as missing:
        adapter_arrays(tmp_path, info)
    assert _both(missing.value) == (
        f"no LoRA adapter in {tmp_path}: "
        "expected adapter_config.json and adapter_model.safetensors",
        f"{tmp_path} に LoRA アダプターがありません。"
        "adapter_config.json と adapter_model.safetensors が必要です",
    )
    from safetensors.numpy import save_file

    ad = tmp_path / "ad"
    ad.mkdir()
    save_file({}, str(ad / "adapter_model.safetensors"))
    (ad / "adapter_config.json").write_text('{"peft_type": "LORA", "r": 8, "lora_alpha": 8}')
    with pytest.raises(BackendUnavailableError) as unservable:
        adapter_arrays(ad, info)
    assert _both(unservable.value) == (
        "the onnx engine cannot serve the adapter in ad: the int4 model has no LoRA slots "
        "(use onnx_precision fp32 or int8): set ADVISOR_LOCAL__ENGINE=torch for this model",
        "onnx エンジンは ad のアダプターを提供できません: int4 のモデルには LoRA スロットが"
        "ありません（onnx_precision に fp32 か int8 を使ってください）。"
        "このモデルには ADVISOR_LOCAL__ENGINE=torch を設定してください",
    )


def test_a_missing_engine_package_and_a_broken_model_read_in_both_languages(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chat, "available", lambda: "onnxruntime_genai")
    with pytest.raises(BackendUnavailableError) as missing:
        chat.load(settings, str(tmp_path), None)
    assert _both(missing.value) == (
        "the onnx engine needs the onnxruntime_genai package: "
        "reinstall with scripts/install.sh, or set ADVISOR_LOCAL__ENGINE=torch",
        "onnx エンジンには onnxruntime_genai パッケージが必要です。"
        "scripts/install.sh で入れ直すか、ADVISOR_LOCAL__ENGINE=torch を設定してください",
    )
    from backends.local.onnx_engine.engine import OnnxModel

    def broken(folder: Path, threads: int) -> NoReturn:
        raise RuntimeError("Load model failed")

    folder = tmp_path / "built"
    monkeypatch.setattr(chat, "available", lambda: None)
    monkeypatch.setattr(build, "ensure_built", lambda *args, **kwargs: folder)
    monkeypatch.setattr("advisor.threads.use_thread_policy", lambda settings: 1)
    monkeypatch.setattr(OnnxModel, "load", broken)
    with pytest.raises(BackendUnavailableError) as unloadable:
        chat.load(settings, str(tmp_path), None)
    assert _both(unloadable.value) == (
        f"the ONNX model in {folder} cannot be loaded (Load model failed): "
        f"delete {folder} to rebuild it, or set ADVISOR_LOCAL__ENGINE=torch",
        f"{folder} の ONNX モデルを読み込めません（Load model failed）。"
        f"{folder} を削除して構築し直すか、ADVISOR_LOCAL__ENGINE=torch を設定してください",
    )


def test_a_generation_failure_keeps_the_librarys_words_in_both_languages() -> None:
    def step(*args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError("Non-zero status code returned")

    with pytest.raises(BackendRequestError) as caught:
        list(chat._guarded(step, ["x"], 4, {}, None))
    assert _both(caught.value) == (
        "the onnx engine failed while generating (Non-zero status code returned): "
        "retry with ADVISOR_LOCAL__ENGINE=torch, and report the message",
        "onnx エンジンが生成中に失敗しました（Non-zero status code returned）。"
        "ADVISOR_LOCAL__ENGINE=torch でやり直し、このメッセージを報告してください",
    )


# --- every key these files use is in the catalog ------------------------------------------

FILES = [
    *sorted((REPO / "backends" / "local" / "onnx_engine").glob("*.py")),
    *(REPO / "backends" / name for name in ("base.py", "fake_jobs.py", "finetuning.py", "jobs.py")),
]


def test_every_key_the_engine_and_the_contract_use_is_in_the_catalog() -> None:
    used = set()
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in {"from_catalog", "Localized"}:
                continue
            strings = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "hint_key")]
            used |= {s.value for s in strings if isinstance(s, ast.Constant)}
    assert len(used) > 20  # the scan finds them
    assert sorted(used - set(messages.catalog())) == []
    assert {key for key in used if not key.startswith("core.")} == set()
