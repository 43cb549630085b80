"""The onnx engine with the real embedded model: the torch engine's greedy answers, base and LoRA.

The ONNX model is built once into the shared model cache (about a minute on
two cores) and reused by every test and every later run, as the converted
model is.  The LoRA adapter is made, not trained (as in test_export_gguf.py):
random lora_B of rank 4 under alpha 8, so it also checks rank padding to the
built model's slots and the folded scaling.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.settings import Settings, load_settings
from backends.local import LocalBackend
from backends.local.onnx_engine import build
from backends.types import ChatMessage, GenerationParams

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.timeout(1200)]
BASE = "smollm2-135m-instruct"
JOB_ID = "ftjob-onnxengine01"
PROMPTS = [
    "What is the capital of France?",
    "Write one sentence about the sea.",
    "Ticket: I cannot log in to my account.",
    "Hi",
]
PARAMS = GenerationParams(max_tokens=16)


def _conversations() -> list[list[ChatMessage]]:
    conversations = [[ChatMessage(role="user", content=p)] for p in PROMPTS]
    # A system prompt, as every bench route sends: both engines template it alike.
    system = ChatMessage(role="system", content="You are Larkspur's support desk. Be brief.")
    return [*conversations, [system, ChatMessage(role="user", content="My order is late.")]]


def _backend(monkeypatch: pytest.MonkeyPatch, engine: str) -> LocalBackend:
    monkeypatch.setenv("ADVISOR_LOCAL__ENGINE", engine)
    return LocalBackend(load_settings())


def _make_adapter(settings: Settings) -> str:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from advisor.embedded import resolve_chat_model

    torch.manual_seed(7)
    base = AutoModelForCausalLM.from_pretrained(resolve_chat_model(BASE, settings))
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False)
    tuned = get_peft_model(base, config)
    with torch.no_grad():
        for name, weight in tuned.named_parameters():
            if "lora_B" in name:
                weight.copy_(torch.randn_like(weight) * 0.05)
    tuned.save_pretrained(str(settings.adapters_dir / JOB_ID))
    return f"local:ft:{BASE}:onnx:{JOB_ID}"


def test_onnx_greedy_answers_equal_torch_and_the_build_is_cached(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _backend(monkeypatch, "torch").chat_batch(_conversations(), params=PARAMS)
    onnx = _backend(monkeypatch, "onnx")
    answers = onnx.chat_batch(_conversations(), params=PARAMS)
    assert [a.text for a in answers] == [e.text for e in expected]
    assert [a.usage for a in answers] == [e.usage for e in expected]
    assert [a.finish_reason for a in answers] == [e.finish_reason for e in expected]
    stopped = GenerationParams(max_tokens=16, stop=[","])
    want = _backend(monkeypatch, "torch").chat(_conversations()[1], params=stopped)
    got = onnx.chat(_conversations()[1], params=stopped)
    assert (got.text, got.finish_reason, got.usage) == (want.text, want.finish_reason, want.usage)
    assert got.finish_reason == "stop" and "," not in got.text
    stream = onnx.stream(_conversations()[1], params=PARAMS)
    assert "".join(stream).strip() == expected[1].text
    assert stream.result is not None and stream.result.text == expected[1].text

    # A second load (a fresh process would do the same) finds the build: no builder run.
    def no_rebuild(source: Path, tmp: Path, precision: str) -> build.BuiltModel:
        raise AssertionError("rebuilt a cached ONNX model")

    monkeypatch.setattr(build, "_build", no_rebuild)
    path = load_settings().models_dir / BASE
    assert build.read_info(build.ensure_built(settings.models_dir, path, "fp32")) is not None


def test_onnx_serves_a_lora_adapter_unmerged_with_the_torch_answers(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _make_adapter(settings)
    expected = _backend(monkeypatch, "torch").chat_batch(
        _conversations(), model=model, params=PARAMS
    )
    onnx = _backend(monkeypatch, "onnx")
    answers = onnx.chat_batch(_conversations(), model=model, params=PARAMS)
    assert [a.text for a in answers] == [e.text for e in expected]
    base = onnx.chat_batch(_conversations(), params=PARAMS)
    assert [a.text for a in base] != [a.text for a in answers]  # the adapter matters
    # The same loaded model serves both: the adapter is a set of inputs, not merged weights.
    adapters = list(
        (build.built_dir(settings.models_dir, settings.models_dir / BASE, "fp32")).glob(
            "adapters/*.onnx_adapter"
        )
    )
    assert any(p.name.startswith(JOB_ID) for p in adapters)


def test_the_warm_server_answers_through_the_onnx_engine(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backends.local import warm_client

    expected = _backend(monkeypatch, "onnx").chat_batch(_conversations()[:2], params=PARAMS)
    monkeypatch.setenv("ADVISOR_LOCAL__WARM", "true")
    warm = load_settings()
    assert warm.local.engine == "onnx"
    warm_client.start_server(warm, warm.local.model)
    try:
        backend = LocalBackend(warm)
        answers = backend.chat_batch(_conversations()[:2], params=PARAMS)
        assert [a.text for a in answers] == [e.text for e in expected]
        stream = backend.stream(_conversations()[1], params=PARAMS)
        assert "".join(stream).strip() == expected[1].text
        status = warm_client.status(warm)
        assert status is not None and status.requests == 2  # both went to the server
        # Greedy answers are the same on both engines: that the server's process runs
        # ONNX Runtime GenAI is what shows it took the onnx path.
        maps = Path(f"/proc/{status.pid}/maps")
        if maps.exists():
            assert "onnxruntime_genai" in maps.read_text()
    finally:
        assert warm_client.stop(warm)


def test_int8_serves_a_lora_adapter_from_float_slots_in_about_half_the_file(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _make_adapter(settings)
    monkeypatch.setenv("ADVISOR_LOCAL__ONNX_PRECISION", "int8")
    onnx = _backend(monkeypatch, "onnx")
    assert onnx.generation_engine() == "onnx-int8"
    tuned = onnx.chat_batch(_conversations(), model=model, params=PARAMS)
    base = onnx.chat_batch(_conversations(), params=PARAMS)
    assert [a.text for a in base] != [a.text for a in tuned]  # the adapter reaches the slots
    folder = build.built_dir(settings.models_dir, settings.models_dir / BASE, "int8")
    info = build.read_info(folder)
    assert info is not None and info.slot_rank == build.SLOT_RANK
    assert len(info.slots) == 30 * 7 * 2  # every projection of SmolLM2's 30 layers, in float
    weights = (folder / "model.onnx.data").stat().st_size
    converted = sum(p.stat().st_size for p in (settings.models_dir / BASE).glob("*.safetensors"))
    assert weights < 0.55 * converted  # 8-bit projections; the embedding gather stays float
    # A coarse guard, not the quality measurement (docs/backends.md has the bench's): weight-only
    # 8 bits leaves most greedy answers of the base model starting as torch's do.
    expected = _backend(monkeypatch, "torch").chat_batch(_conversations(), params=PARAMS)
    starts = zip(base, expected, strict=True)
    same_start = [a.text.split()[:2] == e.text.split()[:2] for a, e in starts]
    assert sum(same_start) >= 3, (base, expected)


def test_ort_genai_engine_waits_for_the_whole_batch_on_this_build(settings: Settings) -> None:
    """Why the onnx engine keeps fixed batches (docs/performance.md, *og.Engine refill*).

    ``og.Engine`` on a CPU build (no paged attention, so its static-batch scheduler) starts a
    request submitted into a freed slot only when the whole batch has ended.  If this fails,
    the installed ORT GenAI refills freed slots: route base-model batches through it.
    """
    import numpy as np
    import onnxruntime_genai as og

    folder = build.ensure_built(settings.models_dir, settings.models_dir / BASE, "fp32")
    config = og.Config(str(folder))
    config.clear_providers()
    model = og.Model(config)  # held for the engine's lifetime
    engine = og.Engine(model)
    ids = np.asarray([1, 2], dtype=np.int32)
    first_token: dict[int, int] = {}
    finished: dict[int, int] = {}
    live: dict[int, object] = {}

    def submit(index: int, limit: int) -> None:
        request = engine.create_request(options=og.RequestOptions())
        options = og.TurnOptions(request)
        options.set_max_generated_tokens(limit)
        options.set_min_generated_tokens(limit)  # no early end token: exact lengths
        options.set_do_sample(False)
        request.begin_turn(ids, options)
        live[index] = request

    submit(0, 2)
    submit(1, 10)
    buffer = engine.create_event_buffer(16)
    step = 0
    while engine.has_pending_requests() and step < 100:
        engine.run(buffer)
        step += 1
        for k in range(len(buffer)):
            event = buffer[k]
            index = next(i for i, r in live.items() if r == event.request)
            first_token.setdefault(index, step)
            if int(event.flags.value) & int(og.EngineEventFlags.TURN_FINISHED.value):
                finished[index] = step
                if index == 0:
                    submit(2, 2)  # into the slot request 0 just freed
    assert finished[0] < finished[1] and 2 in first_token
    assert first_token[2] > finished[1], "og.Engine now refills freed slots: use it"
