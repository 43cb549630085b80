"""Issue 17's acceptance: an exported GGUF loads back and answers as the tuned model.

The LoRA adapter is made, not trained: PEFT's random initialisation of both
matrices (scaled small) changes the model as training would, in a second
instead of minutes on a 2-core machine.  The test checks it does change the
answers, so an export that dropped the adapter would fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.app.export import ExportRequest, export_model
from advisor.export.manifest import MANIFEST_FILE, ExportManifest, sha256_file
from advisor.export.modelfile import parse_modelfile
from backends.job_store import JobStore
from tests.conftest import FIXTURES
from tests.jobs_fixture import make_job

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.timeout(1800)]
BASE = "smollm2-135m-instruct"
GEMMA = "gemma-3-270m"
JOB_ID = "ftjob-exporttest01"
MODEL = f"local:ft:{BASE}:exported:{JOB_ID}"
TRAINING = FIXTURES / "jobs" / "sft_small.jsonl"
PROMPTS = [
    "What is the capital of France?",
    "Write one sentence about the sea.",
    "Ticket: I cannot log in to my account.",
    "List three colours.",
    "How do I reset my password?",
]
MAX_TOKENS = 16


def _make_adapter(settings, base_id: str = BASE) -> str:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from advisor.embedded import resolve_chat_model

    torch.manual_seed(7)
    base = AutoModelForCausalLM.from_pretrained(resolve_chat_model(base_id, settings))
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False)
    tuned = get_peft_model(base, config)
    with torch.no_grad():
        for name, weight in tuned.named_parameters():
            if "lora_B" in name:
                weight.copy_(torch.randn_like(weight) * 0.05)
    tuned.save_pretrained(str(settings.adapters_dir / JOB_ID))
    model = f"local:ft:{base_id}:exported:{JOB_ID}"
    job = make_job(
        id=JOB_ID,
        model=base_id,
        status="succeeded",
        training_file=str(TRAINING),
        suffix="exported",
        fine_tuned_model=model,
    )
    JobStore(settings.jobs_db).save_job(job)
    return model


def _answers(model, tokenizer, stop: object = None) -> list[str]:
    import torch

    answers = []
    for prompt in PROMPTS:
        text = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
        )
        ids = tokenizer(text, return_tensors="pt")
        with torch.inference_mode():
            out = model.generate(
                **ids, max_new_tokens=MAX_TOKENS, do_sample=False, eos_token_id=stop
            )
        answers.append(tokenizer.decode(out[0, ids["input_ids"].shape[1] :]))
    return answers


def test_exported_gguf_answers_as_the_tuned_model(settings, tmp_path: Path):
    """SmolLM2 (llama) through the ollama format: GGUF, Modelfile, manifest."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from backends.local import LocalBackend

    _make_adapter(settings)
    out = tmp_path / "ollama"
    manifest = export_model(ExportRequest(MODEL, "ollama", out), settings)

    backend = LocalBackend(settings)
    tuned = backend.load(MODEL)
    base = backend.load(BASE)
    gguf_model = AutoModelForCausalLM.from_pretrained(str(out), gguf_file="model.gguf")
    gguf_tokenizer = AutoTokenizer.from_pretrained(str(out), gguf_file="model.gguf")

    expected = _answers(tuned.model, tuned.tokenizer)
    assert _answers(base.model, base.tokenizer) != expected  # the adapter matters
    assert _answers(gguf_model, gguf_tokenizer) == expected

    # The manifest names what went in and what came out.
    written = ExportManifest.model_validate_json((out / MANIFEST_FILE).read_text())
    assert written == manifest
    assert (written.base_model, written.job_id, written.method) == (BASE, JOB_ID, "sft")
    assert written.data[0].sha256 == sha256_file(TRAINING)
    assert {f.path for f in written.files} == {"model.gguf", "Modelfile"}
    assert all(f.sha256 == sha256_file(out / f.path) for f in written.files)

    modelfile = parse_modelfile((out / "Modelfile").read_text())
    assert modelfile.values("FROM") == ["./model.gguf"]
    assert modelfile.values("PARAMETER") == ['stop "<|im_end|>"']
    assert modelfile.values("SYSTEM")  # SmolLM2's default system prompt, kept


def test_safetensors_export_reloads_with_the_same_weights(settings, tmp_path: Path):
    import torch
    from transformers import AutoModelForCausalLM

    from backends.local import LocalBackend

    _make_adapter(settings)
    out = tmp_path / "st"
    export_model(ExportRequest(MODEL, "safetensors", out), settings)
    merged = AutoModelForCausalLM.from_pretrained(str(out))
    tuned = LocalBackend(settings).load(MODEL).model
    ids = torch.tensor([[1, 422, 314, 2]])
    with torch.inference_mode():
        assert torch.allclose(merged(ids).logits, tuned(ids).logits, atol=1e-4)
    config = json.loads((out / "generation_config.json").read_text())
    assert config["eos_token_id"] is not None
    assert (out / "tokenizer.json").is_file() and (out / MANIFEST_FILE).is_file()


def test_gemma_3_exports_to_a_gguf_that_answers_as_the_tuned_model(settings, tmp_path, monkeypatch):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from backends.local import LocalBackend

    monkeypatch.setenv("ADVISOR_LOCAL__ACCEPT_MODEL_TERMS", "true")
    model = _make_adapter(settings, GEMMA)
    out = tmp_path / "gguf"
    export_model(ExportRequest(model, "gguf", out), settings)
    tuned = LocalBackend(settings).load(model)
    gguf_model = AutoModelForCausalLM.from_pretrained(str(out), gguf_file="model.gguf")
    gguf_tokenizer = AutoTokenizer.from_pretrained(str(out), gguf_file="model.gguf")
    # The preset stops at <end_of_turn> too; the GGUF loader only knows <eos>.
    stop = tuned.model.generation_config.eos_token_id
    expected = _answers(tuned.model, tuned.tokenizer, stop)
    assert any(answer.strip() for answer in expected)  # something to compare
    assert _answers(gguf_model, gguf_tokenizer, stop) == expected
