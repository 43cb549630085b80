"""Real LoRA trainings of the embedded model in worker processes (a few tiny steps each).

Kept small for a 2-core machine: 12-example files, 1-4 steps, short sequences,
rank-4 adapters.  The format check at the end trains longer (one epoch of 48
examples, 12 steps) and is the one that shows training changes behaviour.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from backends.jobs import FineTuneJob, Hyperparameters, JobRequest
from backends.local.files import JobFiles
from backends.local.service import LocalFineTuning
from tests.conftest import FIXTURES, REPO

# Generous per-test limits: on a loaded 2-core machine one step can take minutes.
pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.timeout(1800)]
JOBS = FIXTURES / "jobs"
TINY = {"batch_size": 4, "lora_r": 4, "lora_alpha": 8, "max_length": 64}


@pytest.fixture
def service(settings) -> Iterator[LocalFineTuning]:
    service = LocalFineTuning(settings, wait_for_stop_s=120)
    yield service
    for job in service.store.list_jobs(limit=100):  # no worker outlives a failed test
        if service._alive(job.id):
            service._kill(job.id)


def wait_until(
    service: LocalFineTuning,
    job_id: str,
    done: Callable[[FineTuneJob], bool] = lambda job: job.is_terminal,
    timeout_s: float = 1200,
) -> FineTuneJob:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = service.retrieve(job_id)
        if done(job):
            return job
        time.sleep(0.5)
    pytest.fail(f"job {job_id} did not get there in time; last status {job.status}")


def worker_log(settings, job_id: str) -> str:
    path = JobFiles.of(settings, job_id).log
    return path.read_text()[-3000:] if path.is_file() else ""


def test_sft_from_the_cli_then_chat_with_the_result(settings):
    env = {**os.environ, "ADVISOR_DATA_DIR": str(settings.data_dir)}
    advisor = [sys.executable, "-m", "advisor"]
    created = subprocess.run(
        [
            *advisor,
            "tune",
            "create",
            "--method",
            "sft",
            "--train",
            str(JOBS / "sft_small.jsonl"),
            "--validation",
            str(JOBS / "sft_valid.jsonl"),
            "--backend",
            "local",
            "--epochs",
            "1",
            "--batch-size",
            "6",
            "--suffix",
            "triage",
            "--seed",
            "3",
            "--wait",
            "--yes",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=1500,
        check=False,
    )
    job = json.loads(created.stdout)
    assert created.returncode == 0, worker_log(settings, job["id"]) + created.stderr
    assert job["status"] == "succeeded"
    assert job["fine_tuned_model"] == f"local:ft:smollm2-135m-instruct:triage:{job['id']}"
    assert job["trained_tokens"] > 0

    adapter = settings.adapters_dir / job["id"]
    assert json.loads((adapter / "advisor-adapter.json").read_text()) == {
        "base_model": "smollm2-135m-instruct"
    }
    # The layout vLLM's LoRA serving loads: a PEFT config and safetensors weights.
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert (config["peft_type"], config["r"]) == ("LORA", 16)
    assert {"q_proj", "v_proj", "down_proj"} <= set(config["target_modules"])
    assert (adapter / "adapter_model.safetensors").is_file()
    assert not config.get("modules_to_save")

    service = LocalFineTuning(settings)
    events = service.events(job["id"])
    metrics = [e.data for e in events if e.type == "metrics" and e.data and "loss" in e.data]
    assert metrics and all({"loss", "learning_rate", "step"} <= m.keys() for m in metrics)
    assert any("tokens_per_second" in m for m in metrics)
    assert any("eval_loss" in (e.data or {}) for e in events)  # the validation file was used
    assert [c.step for c in service.checkpoints(job["id"])] == [2]  # one epoch, one checkpoint

    chat = subprocess.run(
        [
            *advisor,
            "chat",
            "Ticket: I cannot log in",
            "--model",
            job["fine_tuned_model"],
            "--max-tokens",
            "6",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=600,
        check=False,
    )
    assert chat.returncode == 0, chat.stderr
    answer = json.loads(chat.stdout)
    assert answer["model"] == job["fine_tuned_model"] and answer["text"]


def test_dpo_with_merged_export(service, settings):
    request = JobRequest(
        method="dpo",
        training_file=str(JOBS / "dpo_small.jsonl"),
        seed=1,
        hyperparameters=Hyperparameters(n_epochs=1, beta=0.2, max_steps=1, **TINY),
        metadata={"merge": "true"},
    )
    job = wait_until(service, service.create(request).id)
    assert job.status == "succeeded", worker_log(settings, job.id)
    assert job.fine_tuned_model and ":dpo:" in job.fine_tuned_model
    merged = settings.adapters_dir / job.id / "merged"
    assert (merged / "config.json").is_file() and (merged / "model.safetensors").is_file()
    hp_event = next(e for e in service.events(job.id) if e.message.startswith("Hyperparameters"))
    assert hp_event.data is not None and hp_event.data["beta"] == 0.2
    assert "Computing reference log probs" in worker_log(settings, job.id)  # once, up front


def test_rft_rewards_come_from_the_grader(service, settings):
    request = JobRequest(
        method="rft",
        training_file=str(JOBS / "rft_small.jsonl"),
        seed=1,
        grader=json.loads((JOBS / "rft_grader.json").read_text()),
        hyperparameters=Hyperparameters(
            n_epochs=1,
            max_steps=1,
            num_generations=2,
            max_completion_length=8,
            **{**TINY, "batch_size": 1},
        ),
    )
    job = wait_until(service, service.create(request).id)
    assert job.status == "succeeded", worker_log(settings, job.id)
    metrics = [e.data for e in service.events(job.id) if e.type == "metrics" and e.data]
    assert any("reward_mean" in m for m in metrics)
    assert all(0.0 <= m["reward_mean"] <= 1.0 for m in metrics if "reward_mean" in m)


def test_killed_worker_resumes_from_its_last_checkpoint(service, settings):
    request = JobRequest(
        method="sft",
        training_file=str(JOBS / "sft_small.jsonl"),
        seed=2,
        hyperparameters=Hyperparameters(
            n_epochs=1, max_steps=4, save_steps=1, **{**TINY, "batch_size": 2}
        ),
    )
    job = service.create(request)
    wait_until(service, job.id, lambda j: bool(service.checkpoints(j.id)) or j.is_terminal)
    pid = JobFiles.of(settings, job.id).read_pid()
    assert pid is not None
    os.killpg(pid, signal.SIGKILL)
    crashed = wait_until(service, job.id, lambda j: j.status == "failed", timeout_s=60)
    assert crashed.error is not None and crashed.error.code == "worker_exited"
    saved = max(c.step for c in service.checkpoints(job.id))

    service.resume(job.id)
    finished = wait_until(service, job.id)
    assert finished.status == "succeeded", worker_log(settings, job.id)
    messages = [e.message for e in service.events(job.id)]
    assert any(m.startswith("Resuming from checkpoint-") for m in messages)
    started = [e.data for e in service.events(job.id) if e.message.startswith("Training:")]
    assert started[-1] is not None and started[-1]["step"] == saved  # not from zero
    assert max(c.step for c in service.checkpoints(job.id)) == 4


def test_cancel_stops_training_gracefully(service, settings):
    request = JobRequest(
        method="sft",
        training_file=str(JOBS / "sft_small.jsonl"),
        hyperparameters=Hyperparameters(n_epochs=1, max_steps=60, **{**TINY, "batch_size": 1}),
    )
    job = service.create(request)
    wait_until(
        service,
        job.id,
        lambda j: j.is_terminal or any(e.type == "metrics" for e in service.events(j.id)),
    )
    cancelled = service.cancel(job.id)
    assert cancelled.status == "cancelled", worker_log(settings, job.id)
    assert cancelled.fine_tuned_model is None
    assert not (settings.adapters_dir / job.id).exists()
    assert any(e.message.startswith("Cancelled at step") for e in service.events(job.id))


def _format_share(backend, model: str | None) -> float:
    from backends.types import ChatMessage, GenerationParams

    prompts = json.loads((JOBS / "format_prompts.json").read_text())
    system = "You are a support triage assistant."
    conversations = [
        [ChatMessage(role="system", content=system), ChatMessage(role="user", content=p)]
        for p in prompts
    ]
    results = backend.chat_batch(conversations, model=model, params=GenerationParams(max_tokens=8))
    return sum(r.text.startswith("CATEGORY: ") for r in results) / len(results)


@pytest.mark.timeout(3600)  # 12 steps plus two generation passes on a shared 2-core machine
def test_sft_raises_the_share_of_answers_in_the_trained_format(service, settings):
    from backends.local import LocalBackend

    backend = LocalBackend(settings)
    before = _format_share(backend, None)
    request = JobRequest(
        method="sft",
        training_file=str(JOBS / "sft_format.jsonl"),
        seed=0,
        hyperparameters=Hyperparameters(
            n_epochs=1,
            batch_size=4,
            learning_rate_multiplier=0.2,
            lora_r=8,
            lora_alpha=16,
            max_length=64,
        ),
    )
    job = wait_until(service, service.create(request).id, timeout_s=2400)
    assert job.status == "succeeded", worker_log(settings, job.id)
    after = _format_share(backend, job.fine_tuned_model)
    assert after >= 0.8
    assert after > before
