"""Issue 17 with real parts: local drafts reviewed into the training file; arena votes
train a real local DPO job.

Kept small for a 2-core machine: two drafts of 24 tokens, one DPO step.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from advisor.app.grow import GrowRequest, plan_grow, run_grow
from advisor.cli.app import main
from advisor.data.validate import validate_file
from advisor.settings import Settings
from backends.fake import FakeBackend
from backends.jobs import Hyperparameters, JobRequest
from backends.local.service import LocalFineTuning
from tests.conftest import FIXTURES

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.timeout(1800)]
GROW = FIXTURES / "grow"
TINY = {"batch_size": 4, "lora_r": 4, "lora_alpha": 8, "max_length": 64}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    return int(exit_info.value.code or 0), capsys.readouterr().out


def test_local_drafts_reviewed_and_accepted_join_the_training_file(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train = tmp_path / "train.jsonl"
    train.write_bytes((GROW / "train20.jsonl").read_bytes())
    drafts = tmp_path / "drafts.jsonl"
    request = GrowRequest(
        train=train, out=drafts, test=GROW / "test.jsonl", count=2, backend="local", max_tokens=24
    )
    assert run_grow(plan_grow(request, settings)).drafted == 2
    assert not validate_file(drafts, "sft").ok  # unreviewed drafts are not training data
    code, out = run(capsys, "data", "review", str(drafts), "--into", str(train),
                    "--accept", "all", "--save")  # fmt: skip
    assert code == 0, out
    report = validate_file(train, "sft")
    assert report.ok and report.examples == 22, report.errors[:3]


def test_arena_votes_train_a_local_dpo_job(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts = [f"How do I care for item {n}?" for n in range(12)]
    (tmp_path / "prompts.txt").write_text("\n".join(prompts) + "\n", encoding="utf-8")
    for n in range(len(prompts)):
        FakeBackend.queue_replies(
            f"Wash it cold, {n}.", f"Rinse item {n} in cold water, then air-dry."
        )
    (tmp_path / "votes.txt").write_text("a\nb\n" * 6, encoding="utf-8")
    pairs = tmp_path / "pairs.jsonl"
    code, out = run(capsys, "arena", str(tmp_path / "prompts.txt"), "--a", "system_prompt",
                    "--b", "model:fake-tuned", "--backend", "fake", "--pairs", str(pairs),
                    "--votes", str(tmp_path / "votes.txt"), "-i", "Be brief.")  # fmt: skip
    assert code == 0, out
    assert validate_file(pairs, "dpo").ok
    service = LocalFineTuning(settings, wait_for_stop_s=120)
    request = JobRequest(
        method="dpo",
        training_file=str(pairs),
        seed=1,
        hyperparameters=Hyperparameters(n_epochs=1, beta=0.1, max_steps=1, **TINY),
    )
    job = service.create(request)
    deadline = time.monotonic() + 1500
    while not job.is_terminal and time.monotonic() < deadline:
        time.sleep(0.5)
        job = service.retrieve(job.id)
    assert job.status == "succeeded", json.dumps(job.model_dump(mode="json"))[:500]
    assert job.fine_tuned_model and ":dpo:" in job.fine_tuned_model
