"""One contract for every fine-tuning service: fake, local and OpenAI (scripted HTTP).

Each service plugs start, poll and cancel into :class:`backends.finetuning.StoredFineTuning`;
what the template owns (list, events, checkpoints, validation before anything is
uploaded or trained) must behave the same on all of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from advisor.errors import DataFileError, JobNotFoundError
from backends.fake_jobs import FakeFineTuning
from backends.finetuning import StoredFineTuning
from backends.jobs import JobRequest
from backends.local.service import LocalFineTuning
from backends.openai_jobs import OpenAIFineTuning
from tests.backends.openai_scripted import (
    SECRET,
    ScriptedAPI,
    job_json,
    make_settings,
    ok,
    openai_backend,
    page,
)
from tests.conftest import FIXTURES

DATA = FIXTURES / "openai"
FILE = {"id": "file-train", "object": "file", "bytes": 10, "created_at": 1,
        "filename": "train.jsonl", "purpose": "fine-tune", "status": "processed"}  # fmt: skip


def _fake(monkeypatch: pytest.MonkeyPatch) -> StoredFineTuning:
    FakeFineTuning.reset()
    return FakeFineTuning(make_settings())


def _local(monkeypatch: pytest.MonkeyPatch) -> StoredFineTuning:
    service = LocalFineTuning(make_settings(), wait_for_stop_s=0.1)
    monkeypatch.setattr(service, "_spawn", lambda job_id, resume, lock=None: None)  # no worker
    monkeypatch.setattr(service, "_alive", lambda job_id: True)
    return service


def _openai(monkeypatch: pytest.MonkeyPatch) -> StoredFineTuning:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    jobs: dict[str, dict[str, Any]] = {}

    def create(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        jobs["ftjob-abc"] = job_json(metadata=body["metadata"], method=body["method"])
        return ok(jobs["ftjob-abc"])

    def one(request: httpx2.Request) -> httpx2.Response:
        job_id = request.url.path.split("/")[-1]
        if job_id not in jobs:
            return httpx2.Response(404, json={"error": {"message": "no such job"}})
        return ok(jobs[job_id])

    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", create)
        .on("GET", "/fine_tuning/jobs", lambda request: ok(page(list(jobs.values()))))
        .on("GET", "/fine_tuning/jobs/ftjob-abc", one)
        .on("GET", "/fine_tuning/jobs/ftjob-abc/events", ok(page([])))
        .on("GET", "/fine_tuning/jobs/ftjob-abc/checkpoints", ok(page([])))
        .on("GET", "/fine_tuning/jobs/ftjob-nope", one)
    )
    service = openai_backend(api, make_settings()).fine_tuning()
    assert isinstance(service, OpenAIFineTuning)
    service.sleep = lambda seconds: None
    return service


SERVICES: dict[str, Callable[[pytest.MonkeyPatch], StoredFineTuning]] = {
    "fake": _fake,
    "local": _local,
    "openai": _openai,
}


@pytest.fixture(params=sorted(SERVICES))
def service(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> StoredFineTuning:
    return SERVICES[request.param](monkeypatch)


def sft(path: Path = DATA / "train_sft.jsonl") -> JobRequest:
    return JobRequest(method="sft", training_file=str(path))


def test_every_service_is_the_template(service: StoredFineTuning) -> None:
    assert isinstance(service, StoredFineTuning)
    for member in ("list", "events", "checkpoints", "validate_files", "retrieve"):
        assert getattr(type(service), member) is getattr(StoredFineTuning, member), member


def test_a_created_job_is_listed_followed_and_stored(service: StoredFineTuning) -> None:
    job = service.create(sft())
    assert job.backend == service.name and job.method == "sft"
    assert job.id in [j.id for j in service.list(limit=5)]
    assert service.retrieve(job.id).id == job.id
    assert isinstance(service.events(job.id), list)
    assert isinstance(service.checkpoints(job.id), list)
    assert service.store.get_job(job.id).backend == service.name


def test_a_missing_training_file_is_refused_before_anything_starts(
    service: StoredFineTuning, tmp_path: Path
) -> None:
    with pytest.raises(DataFileError):
        service.create(sft(tmp_path / "missing.jsonl"))


def test_an_invalid_training_file_is_refused_with_its_line(
    service: StoredFineTuning, tmp_path: Path
) -> None:
    if isinstance(service, FakeFineTuning):
        pytest.skip("the fake backend trains nothing and validates only that the file exists")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n' * 12)
    with pytest.raises(DataFileError) as caught:
        service.create(sft(bad))
    assert caught.value.line is not None


def test_unknown_jobs_are_not_found(service: StoredFineTuning) -> None:
    for call in (service.retrieve, service.events, service.checkpoints):
        with pytest.raises(JobNotFoundError):
            call("ftjob-nope")


def test_cancelling_a_finished_job_returns_it_unchanged(service: StoredFineTuning) -> None:
    job = service.create(sft())
    stored = service.store.get_job(job.id)
    stored.status = "succeeded"
    service.store.save_job(stored)
    if isinstance(service, OpenAIFineTuning):
        pytest.skip("the provider, not the store, says whether a remote job is finished")
    assert service.cancel(job.id).status == "succeeded"


def test_each_method_gets_only_its_own_settings() -> None:
    from advisor.errors import UserInputError
    from backends.jobs import (
        DPOSettings,
        Hyperparameters,
        RFTSettings,
        SFTSettings,
        method_settings,
    )

    hp = Hyperparameters(n_epochs=2, beta=0.3, lora_r=8)  # type: ignore[call-arg]
    sft = method_settings(JobRequest(method="sft", training_file="t", hyperparameters=hp))
    dpo = method_settings(JobRequest(method="dpo", training_file="t", hyperparameters=hp))
    rft = method_settings(
        JobRequest(method="rft", training_file="t", hyperparameters=hp, grader={"type": "x"})
    )
    assert type(sft) is SFTSettings and "beta" not in sft.model_dump()
    assert isinstance(dpo, DPOSettings) and dpo.beta == 0.3
    assert isinstance(rft, RFTSettings) and rft.grader == {"type": "x"}
    assert sft.n_epochs == dpo.n_epochs == rft.n_epochs == 2
    assert (sft.model_extra or {}).get("lora_r") == 8  # a backend's own knobs pass through
    with pytest.raises(UserInputError, match="needs a grader"):
        method_settings(JobRequest(method="rft", training_file="t"))
