"""Fine-tuning on OpenAI/Azure over a scripted transport: lifecycle, idempotency, graders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from advisor import errors
from advisor.settings import Settings, load_settings
from backends.job_store import JobStore
from backends.jobs import Hyperparameters, JobRequest
from backends.openai_graders import to_openai_grader
from backends.openai_jobs import CLIENT_ID_KEY, OpenAIFineTuning
from tests.backends.openai_scripted import (
    SECRET,
    ScriptedAPI,
    azure_backend,
    error,
    job_json,
    make_settings,
    network_fault,
    ok,
    openai_backend,
    page,
)
from tests.conftest import FIXTURES

DATA = FIXTURES / "openai"
GRADER = json.loads((DATA / "grader.json").read_text())
FILE = {"id": "file-train", "object": "file", "bytes": 10, "created_at": 1,
        "filename": "train.jsonl", "purpose": "fine-tune", "status": "processed"}  # fmt: skip


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    return make_settings()


def service(api: ScriptedAPI, settings: Settings) -> OpenAIFineTuning:
    svc = openai_backend(api, settings).fine_tuning()
    assert isinstance(svc, OpenAIFineTuning)
    svc.sleep = lambda seconds: None
    return svc


def sft(**fields: Any) -> JobRequest:
    return JobRequest(method="sft", training_file=str(DATA / "train_sft.jsonl"), **fields)


def echo_job(status: str = "queued") -> Any:
    """A create endpoint that returns the job with the metadata it was sent."""

    def create(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        return ok(job_json(status=status, metadata=body["metadata"], method=body["method"]))

    return create


# --- graders ------------------------------------------------------------------------------


def test_graders_map_to_openai_grader_objects() -> None:
    assert to_openai_grader({**GRADER, "pass_threshold": 1.0}) == {
        "type": "string_check",
        "name": "exact answer",
        "input": "{{sample.output_text}}",
        "reference": "{{item.reference_answer}}",
        "operation": "eq",
    }
    similarity = {"type": "text_similarity", "name": "s", "input": "{{ sample.output_text }}",
                  "reference": "{{ item.ref }}", "evaluation_metric": "rouge_l",
                  "pass_threshold": 0.5}  # fmt: skip
    assert to_openai_grader(similarity)["evaluation_metric"] == "rouge_l"
    assert "pass_threshold" not in to_openai_grader(similarity)
    python = {
        "type": "python",
        "name": "p",
        "source": "def grade(sample, item) -> float:\n  return 1.0\n",
    }
    assert to_openai_grader(python) == python
    judge = {"type": "score_model", "name": "j", "model": "gpt-4.1", "range": [0, 10],
             "input": [{"role": "user", "content": "Score {{ sample.output_text }}"}]}  # fmt: skip
    assert to_openai_grader(judge) == {
        **judge,
        "range": [0.0, 10.0],
        "input": [{"role": "user", "content": "Score {{sample.output_text}}"}],
    }
    multi = {"type": "multi", "name": "m", "calculate_output": "0.5 * a + 0.5 * b",
             "graders": {"a": GRADER, "b": similarity}}  # fmt: skip
    mapped = to_openai_grader(multi)
    assert set(mapped["graders"]) == {"a", "b"}  # the service's name -> grader map
    assert mapped["graders"]["b"]["type"] == "text_similarity"


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"type": "regex", "name": "r", "input": "x", "pattern": "a+"}, "ours only"),
        ({"type": "json_schema", "name": "j", "input": "x", "schema": {}}, "ours only"),
        ({"type": "label_model", "name": "l"}, "not one OpenAI knows"),
        ({"name": "no type"}, "not one OpenAI knows"),
        ({"type": "string_check", "name": "s", "input": "x", "reference": "y",
          "operation": "contains"}, "operation"),
        ({"type": "text_similarity", "name": "t", "input": "x", "reference": "y"},
         "evaluation_metric"),
        ({"type": "python", "name": "p", "source": "x = 1"}, "def grade"),
        ({"type": "score_model", "name": "s", "model": "m", "input": [{"content": "x"}]}, "role"),
        ({"type": "score_model", "name": "s", "model": "m", "range": [1, 0],
          "input": [{"role": "user", "content": "x"}]}, "low < high"),
        ({"type": "multi", "name": "m", "calculate_output": "a",
          "graders": {"a": {"type": "multi", "name": "n", "graders": {}}}}, "nested"),
        ({"type": "multi", "name": "m", "calculate_output": "a",
          "graders": {"a": {"type": "regex", "name": "r"}}}, "ours only"),
    ],
)  # fmt: skip
def test_graders_openai_cannot_run_fail_locally(spec: dict[str, Any], words: str) -> None:
    with pytest.raises(errors.GraderError, match=words) as caught:
        to_openai_grader(spec)
    assert caught.value.exit_code == 2  # bad input, not a failed run


def test_an_unsupported_grader_fails_before_any_request(settings: Settings) -> None:
    api = ScriptedAPI()
    request = JobRequest(
        method="rft",
        training_file=str(DATA / "train_rft.jsonl"),
        grader={"type": "regex", "name": "r", "input": "{{ sample.output_text }}", "pattern": "x"},
    )
    with pytest.raises(errors.GraderError):
        service(api, settings).create(request)
    assert api.requests == []


# --- create ---------------------------------------------------------------------------------


def test_invalid_training_data_is_never_uploaded(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "no answer"}]}\nnot json\n')
    api = ScriptedAPI()
    with pytest.raises(errors.DataFileError) as caught:
        service(api, settings).create(JobRequest(method="sft", training_file=str(bad)))
    assert "nothing was uploaded" in str(caught.value)
    assert api.requests == []


def test_limits_are_checked_before_upload(settings: Settings) -> None:
    api = ScriptedAPI()
    with pytest.raises(errors.UserInputError, match="suffix"):
        service(api, settings).create(sft(suffix="x" * 65))
    with pytest.raises(errors.UserInputError, match="n_epochs"):
        service(api, settings).create(sft(hyperparameters=Hyperparameters(n_epochs=99)))
    assert api.requests == []


@pytest.mark.parametrize(
    ("method", "file", "kind"),
    [("sft", "train_sft.jsonl", "supervised"), ("dpo", "train_dpo.jsonl", "dpo"),
     ("rft", "train_rft.jsonl", "reinforcement")],
)  # fmt: skip
def test_create_uploads_then_creates_with_the_method(
    settings: Settings, method: str, file: str, kind: str
) -> None:
    api = ScriptedAPI().on("POST", "/files", ok(FILE)).on("POST", "/fine_tuning/jobs", echo_job())
    request = JobRequest(
        method=method,  # type: ignore[arg-type]
        training_file=str(DATA / file),
        grader=GRADER if method == "rft" else None,
        model="gpt-4.1-mini-2025-04-14",
        hyperparameters=Hyperparameters(n_epochs=2, beta=0.2),
        suffix="demo",
        seed=42,
        metadata={"team": "support"},
    )
    job = service(api, settings).create(request)

    upload = api.calls("POST", "/files")[0]
    assert b'name="purpose"\r\n\r\nfine-tune' in upload.content
    body = api.body("POST", "/fine_tuning/jobs")
    assert body["model"] == "gpt-4.1-mini-2025-04-14"
    assert body["training_file"] == "file-train"
    assert (body["suffix"], body["seed"]) == ("demo", 42)
    assert body["metadata"]["team"] == "support" and body["metadata"][CLIENT_ID_KEY]
    assert body["method"]["type"] == kind
    settings_of_method = body["method"][kind]
    assert settings_of_method["hyperparameters"]["n_epochs"] == 2
    assert ("beta" in settings_of_method["hyperparameters"]) == (method == "dpo")
    assert ("grader" in settings_of_method) == (method == "rft")
    assert "hyperparameters" not in body  # deprecated top-level form

    assert (job.id, job.remote_id, job.backend, job.status) == (
        "ftjob-abc", "ftjob-abc", "openai", "queued",
    )  # fmt: skip
    assert job.method == method and job.suffix == "demo"
    stored = JobStore(settings.jobs_db).get_job("ftjob-abc")
    assert stored.metadata[CLIENT_ID_KEY] == body["metadata"][CLIENT_ID_KEY]
    assert stored.model_extra and stored.model_extra["training_path"].endswith(file)


def test_rft_without_a_grader_is_refused_locally(settings: Settings) -> None:
    api = ScriptedAPI()
    with pytest.raises(errors.UserInputError, match="grader"):
        service(api, settings).create(
            JobRequest(method="rft", training_file=str(DATA / "train_rft.jsonl"))
        )
    assert api.requests == []


def test_a_refused_create_is_a_job_error(settings: Settings) -> None:
    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", error(400, "Model gpt-x is not available for fine-tuning"))
    )
    with pytest.raises(errors.JobError, match="not available for fine-tuning"):
        service(api, settings).create(sft())
    assert len(api.calls("POST", "/fine_tuning/jobs")) == 1


def test_a_closed_account_gets_a_message_about_the_wind_down(settings: Settings) -> None:
    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", error(403, "Fine-tuning is not available to new users"))
    )
    with pytest.raises(errors.JobError, match="wind-down") as caught:
        service(api, settings).create(sft())
    assert "--backend azure" in str(caught.value)


def test_a_bad_request_gets_no_wind_down_hint(settings: Settings) -> None:
    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", error(400, "invalid training_file: line 2"))
    )
    with pytest.raises(errors.JobError) as caught:
        service(api, settings).create(sft())
    assert caught.value.hint is None


def test_a_400_that_reads_like_the_wind_down_says_so(settings: Settings) -> None:
    refusal = "Fine-tuning is no longer available for new users of this organization"
    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", error(400, refusal))
    )
    with pytest.raises(errors.JobError, match="no longer available") as caught:
        service(api, settings).create(sft())
    assert caught.value.hint and "Azure OpenAI" in caught.value.hint


# --- idempotency ------------------------------------------------------------------------------


def test_an_ambiguous_failure_finds_the_created_job_instead_of_creating_another(
    settings: Settings,
) -> None:
    created: list[dict[str, Any]] = []

    def create_then_drop(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        created.append(job_json("ftjob-once", metadata=body["metadata"]))
        raise httpx2.ReadTimeout("lost the answer", request=request)

    def lookup(request: httpx2.Request) -> httpx2.Response:
        wanted = request.url.params.get(f"metadata[{CLIENT_ID_KEY}]")
        return ok(page([j for j in created if j["metadata"][CLIENT_ID_KEY] == wanted]))

    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", create_then_drop)
        .on("GET", "/fine_tuning/jobs", lookup)
    )
    job = service(api, settings).create(sft())
    assert job.id == "ftjob-once"
    assert len(api.calls("POST", "/fine_tuning/jobs")) == 1  # never a second paid job
    assert len(created) == 1


def test_an_ambiguous_failure_that_created_nothing_is_retried_once(settings: Settings) -> None:
    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", error(502, "bad gateway"), echo_job())
        .on("GET", "/fine_tuning/jobs", ok(page([job_json("ftjob-other",
                                                          metadata={CLIENT_ID_KEY: "else"})])))
    )  # fmt: skip
    job = service(api, settings).create(sft())
    assert job.id == "ftjob-abc"
    assert len(api.calls("POST", "/fine_tuning/jobs")) == 2
    assert len(api.calls("GET", "/fine_tuning/jobs")) == 1  # looked before trying again
    first, second = (json.loads(r.content) for r in api.calls("POST", "/fine_tuning/jobs"))
    assert first["metadata"][CLIENT_ID_KEY] == second["metadata"][CLIENT_ID_KEY]


def test_a_rate_limited_create_is_retried_without_lookup(settings: Settings) -> None:
    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", error(429, "slow down"), echo_job())
    )
    assert service(api, settings).create(sft()).id == "ftjob-abc"
    assert len(api.calls("POST", "/fine_tuning/jobs")) == 2
    assert api.calls("GET", "/fine_tuning/jobs") == []


def test_when_it_stays_unclear_the_error_says_what_to_check(settings: Settings) -> None:
    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", network_fault(httpx2.ConnectError))
        .on("GET", "/fine_tuning/jobs", ok(page([])))
    )
    svc = service(api, settings)
    with pytest.raises(errors.BackendConnectionError, match="could not confirm") as caught:
        svc.create(sft(metadata={CLIENT_ID_KEY: "req-lost"}))
    assert "advisor jobs list" in str(caught.value)
    attempts = settings.openai.max_retries + 1
    assert len(api.calls("POST", "/fine_tuning/jobs")) == attempts

    # The unconfirmed create stays visible, and a later look resolves it.
    store = JobStore(settings.jobs_db)
    pending = store.get_job("req-lost")
    assert pending.status == "unconfirmed" and pending.remote_id is None
    assert svc.retrieve("req-lost").status == "unconfirmed"  # still not there
    api.routes[("GET", "/v1/fine_tuning/jobs")] = [
        ok(page([job_json("ftjob-late", metadata={CLIENT_ID_KEY: "req-lost"})]))
    ]
    found = svc.retrieve("req-lost")
    assert (found.id, found.remote_id) == ("ftjob-late", "ftjob-late")
    assert found.model_extra and found.model_extra["training_path"].endswith("train_sft.jsonl")
    assert [job.id for job in store.list_jobs()] == ["ftjob-late"]


def test_a_refused_create_leaves_no_pending_record(settings: Settings) -> None:
    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", error(400, "invalid model"))
    )
    with pytest.raises(errors.JobError):
        service(api, settings).create(sft())
    assert JobStore(settings.jobs_db).list_jobs() == []


def test_a_successful_create_leaves_only_the_job(settings: Settings) -> None:
    api = ScriptedAPI().on("POST", "/files", ok(FILE)).on("POST", "/fine_tuning/jobs", echo_job())
    service(api, settings).create(sft())
    assert [job.id for job in JobStore(settings.jobs_db).list_jobs()] == ["ftjob-abc"]


def test_a_caller_retry_with_the_same_client_id_returns_the_stored_job(
    settings: Settings,
) -> None:
    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", echo_job())
        .on("GET", "/fine_tuning/jobs/ftjob-abc", ok(job_json(status="running")))
    )
    svc = service(api, settings)
    request = sft(metadata={CLIENT_ID_KEY: "req-fixed"})
    svc.create(request)
    again = svc.create(request)
    assert again.id == "ftjob-abc" and again.status == "running"
    assert len(api.calls("POST", "/fine_tuning/jobs")) == 1


# --- lifecycle ---------------------------------------------------------------------------------


def test_lifecycle_queued_running_succeeded_is_mirrored(settings: Settings) -> None:
    done = job_json(status="succeeded", fine_tuned_model="ft:gpt-4.1-mini:org:demo:abc",
                    finished_at=1_700_000_500, trained_tokens=1234)  # fmt: skip
    api = ScriptedAPI().on(
        "GET",
        "/fine_tuning/jobs/ftjob-abc",
        ok(job_json(status="queued")),
        ok(job_json(status="running")),
        ok(done),
    )
    svc = service(api, settings)
    assert [svc.retrieve("ftjob-abc").status for _ in range(3)] == [
        "queued",
        "running",
        "succeeded",
    ]
    stored = JobStore(settings.jobs_db).get_job("ftjob-abc")
    assert stored.is_terminal and stored.fine_tuned_model == "ft:gpt-4.1-mini:org:demo:abc"
    assert (stored.trained_tokens, stored.finished_at) == (1234, 1_700_000_500.0)
    assert stored.hyperparameters.n_epochs == 3


def test_lifecycle_failed_keeps_the_error(settings: Settings) -> None:
    failed = job_json(status="failed", error={"code": "invalid_training_file",
                                              "message": "line 3 has no assistant message",
                                              "param": "training_file"})  # fmt: skip
    api = ScriptedAPI().on("GET", "/fine_tuning/jobs/ftjob-abc", ok(job_json()), ok(failed))
    svc = service(api, settings)
    svc.retrieve("ftjob-abc")
    job = svc.retrieve("ftjob-abc")
    assert job.status == "failed" and job.error is not None
    assert (job.error.code, job.error.message) == (
        "invalid_training_file", "line 3 has no assistant message",
    )  # fmt: skip


def test_unknown_statuses_and_event_types_pass_through(settings: Settings) -> None:
    events = page([{"id": "ev-1", "object": "fine_tuning.job.event", "created_at": 1,
                    "level": "info", "message": "new kind", "type": "hologram"}])  # fmt: skip
    api = (
        ScriptedAPI()
        .on("GET", "/fine_tuning/jobs/ftjob-abc", ok(job_json(status="warming_up")))
        .on("GET", "/fine_tuning/jobs/ftjob-abc/events", ok(events))
    )
    svc = service(api, settings)
    assert svc.retrieve("ftjob-abc").status == "warming_up"
    assert svc.events("ftjob-abc")[0].type == "hologram"


def test_events_are_mirrored_oldest_first_and_incrementally(settings: Settings) -> None:
    def event(n: int, **extra: Any) -> dict[str, Any]:
        return {"id": f"ev-{n}", "object": "fine_tuning.job.event", "created_at": n,
                "level": "info", "message": f"step {n}", "type": "message", **extra}  # fmt: skip

    metrics = event(3, type="metrics", data={"step": 3, "train_loss": 0.5})
    api = (
        ScriptedAPI()
        .on("GET", "/fine_tuning/jobs/ftjob-abc", ok(job_json(status="running")))
        .on(
            "GET",
            "/fine_tuning/jobs/ftjob-abc/events",
            ok(page([event(2), event(1)])),  # the API sends newest first
            ok(page([metrics, event(2), event(1)])),
        )
    )
    svc = service(api, settings)
    assert [e.id for e in svc.events("ftjob-abc")] == ["ev-1", "ev-2"]
    assert [e.id for e in svc.events("ftjob-abc")] == ["ev-1", "ev-2", "ev-3"]
    assert [e.id for e in svc.events("ftjob-abc", after="ev-2")] == ["ev-3"]
    assert svc.events("ftjob-abc")[-1].data == {"step": 3, "train_loss": 0.5}


def test_checkpoints_are_mirrored(settings: Settings) -> None:
    checkpoint = {"id": "ftckpt-1", "object": "fine_tuning.job.checkpoint", "created_at": 5,
                  "fine_tuned_model_checkpoint": "ft:gpt-4.1-mini:org:demo:abc:ckpt-step-10",
                  "fine_tuning_job_id": "ftjob-abc", "step_number": 10,
                  "metrics": {"step": 10, "train_loss": 0.25, "valid_loss": None}}  # fmt: skip
    api = (
        ScriptedAPI()
        .on("GET", "/fine_tuning/jobs/ftjob-abc", ok(job_json(status="running")))
        .on("GET", "/fine_tuning/jobs/ftjob-abc/checkpoints", ok(page([checkpoint])))
    )
    [saved] = service(api, settings).checkpoints("ftjob-abc")
    assert (saved.id, saved.step) == ("ftckpt-1", 10)
    assert saved.location.endswith("ckpt-step-10")
    assert saved.metrics == {"step": 10.0, "train_loss": 0.25}
    assert JobStore(settings.jobs_db).checkpoints("ftjob-abc")[0].id == "ftckpt-1"


def test_pagination_stops_on_a_server_that_always_has_more(settings: Settings) -> None:
    api = (
        ScriptedAPI()
        .on("GET", "/fine_tuning/jobs/ftjob-abc", ok(job_json()))
        .on("GET", "/fine_tuning/jobs/ftjob-abc/checkpoints", ok(page([
            {"id": "same", "object": "fine_tuning.job.checkpoint", "created_at": 1,
             "fine_tuned_model_checkpoint": "x", "fine_tuning_job_id": "ftjob-abc",
             "step_number": 1, "metrics": {}}], has_more=True)))
    )  # fmt: skip
    assert len(service(api, settings).checkpoints("ftjob-abc")) == 1


def test_cancel_pause_resume(settings: Settings) -> None:
    api = (
        ScriptedAPI()
        .on("GET", "/fine_tuning/jobs/ftjob-abc", ok(job_json(status="running")))
        .on("POST", "/fine_tuning/jobs/ftjob-abc/pause", ok(job_json(status="paused")))
        .on("POST", "/fine_tuning/jobs/ftjob-abc/resume", ok(job_json(status="running")))
        .on("POST", "/fine_tuning/jobs/ftjob-abc/cancel", ok(job_json(status="cancelled")))
    )
    svc = service(api, settings)
    assert svc.pause("ftjob-abc").status == "paused"
    assert svc.resume("ftjob-abc").status == "running"
    assert svc.cancel("ftjob-abc").status == "cancelled"
    assert JobStore(settings.jobs_db).get_job("ftjob-abc").status == "cancelled"


def test_cancelling_a_finished_job_changes_nothing(settings: Settings) -> None:
    api = ScriptedAPI().on("GET", "/fine_tuning/jobs/ftjob-abc", ok(job_json(status="succeeded")))
    assert service(api, settings).cancel("ftjob-abc").status == "succeeded"
    assert api.calls("POST", "/fine_tuning/jobs/ftjob-abc/cancel") == []


def test_an_unknown_job_is_job_not_found(settings: Settings) -> None:
    api = ScriptedAPI().on("GET", "/fine_tuning/jobs/ftjob-nope", error(404, "No such job"))
    with pytest.raises(errors.JobNotFoundError, match="ftjob-nope"):
        service(api, settings).retrieve("ftjob-nope")


def test_a_job_of_another_backend_is_refused(settings: Settings) -> None:
    from tests.jobs_fixture import make_job

    JobStore(settings.jobs_db).save_job(make_job(id="local-1"))
    with pytest.raises(errors.JobError, match="--backend local"):
        service(ScriptedAPI(), settings).retrieve("local-1")


def test_list_mirrors_newest_first(settings: Settings) -> None:
    jobs = [job_json("ftjob-new", created_at=20), job_json("ftjob-old", created_at=10)]
    api = ScriptedAPI().on("GET", "/fine_tuning/jobs", ok(page(jobs)))
    assert [j.id for j in service(api, settings).list(limit=5)] == ["ftjob-new", "ftjob-old"]
    assert {j.id for j in JobStore(settings.jobs_db).list_jobs(backend="openai")} == {
        "ftjob-new", "ftjob-old",
    }  # fmt: skip


def test_the_key_is_never_stored(settings: Settings) -> None:
    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", echo_job())
        .on("GET", "/fine_tuning/jobs/ftjob-abc", ok(job_json(status="running")))
    )
    svc = service(api, settings)
    svc.create(sft())
    svc.retrieve("ftjob-abc")
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


# --- azure ----------------------------------------------------------------------------------


def test_azure_uses_the_same_job_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com")
    settings = load_settings()
    api = (
        ScriptedAPI(prefix="/openai")
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", echo_job())
    )
    svc = azure_backend(api, settings).fine_tuning()
    job = svc.create(sft(model="gpt-4.1-mini-2025-04-14"))
    assert (job.backend, job.remote_id) == ("azure", "ftjob-abc")
    create = api.calls("POST", "/fine_tuning/jobs")[0]
    assert create.url.params["api-version"] == settings.azure.api_version
    assert create.headers["api-key"] == SECRET
    assert JobStore(settings.jobs_db).get_job("ftjob-abc").backend == "azure"


def azure_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com")
    return load_settings()


def test_azure_waits_until_the_upload_is_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    pending = {**FILE, "status": "pending"}
    api = (
        ScriptedAPI(prefix="/openai")
        .on("POST", "/files", ok(pending))
        .on("GET", "/files/file-train", ok(pending), ok(FILE))
        .on("POST", "/fine_tuning/jobs", echo_job())
    )
    svc = azure_backend(api, azure_settings(monkeypatch)).fine_tuning()
    assert isinstance(svc, OpenAIFineTuning)
    svc.sleep = lambda seconds: None
    svc.create(sft())
    assert len(api.calls("GET", "/files/file-train")) == 2
    create = api.calls("POST", "/fine_tuning/jobs")[0]
    assert api.requests.index(create) > api.requests.index(
        api.calls("GET", "/files/file-train")[-1]
    )


def test_azure_reports_a_failed_import(monkeypatch: pytest.MonkeyPatch) -> None:
    failed = {**FILE, "status": "error", "status_details": "line 4: invalid JSON"}
    api = ScriptedAPI(prefix="/openai").on("POST", "/files", ok(failed))
    svc = azure_backend(api, azure_settings(monkeypatch)).fine_tuning()
    with pytest.raises(errors.DataFileError, match="line 4: invalid JSON"):
        svc.create(sft())
    assert api.calls("POST", "/fine_tuning/jobs") == []


def test_openai_does_not_wait_for_the_import(settings: Settings) -> None:
    api = (
        ScriptedAPI()
        .on("POST", "/files", ok({**FILE, "status": "uploaded"}))
        .on("POST", "/fine_tuning/jobs", echo_job())
    )
    service(api, settings).create(sft())
    assert api.calls("GET", "/files/file-train") == []


# --- preview --------------------------------------------------------------------------------


def test_preview_reports_billed_tokens_and_cost(settings: Settings) -> None:
    pytest.importorskip("advisor.data.stats", reason="the data toolkit's stats are not here yet")
    api = ScriptedAPI()
    preview = service(api, settings).preview(sft(model="gpt-4.1-mini-2025-04-14"))
    assert preview.examples == 10
    assert preview.billed_tokens and preview.billed_tokens > 0
    assert preview.estimated_cost_usd is not None and preview.estimated_cost_usd > 0
    assert api.requests == []  # a preview never talks to the provider
    # Explicit epochs scale the estimate.
    default = preview.notes[0].split(", ")[-1]
    four = service(api, settings).preview(
        sft(model="gpt-4.1-mini-2025-04-14", hyperparameters=Hyperparameters(n_epochs=4))
    )
    epochs = int(default.split()[0])
    assert four.billed_tokens == preview.billed_tokens // epochs * 4


def test_preview_notes_are_said_in_japanese_and_keep_their_english(settings: Settings) -> None:
    preview = service(ScriptedAPI(), settings).preview(sft(model="gpt-4.1-mini-2025-04-14"))
    first, price = preview.notes
    assert first.startswith("openai: gpt-4.1-mini-2025-04-14, supervised, ")
    assert first.endswith(" epochs") and price.startswith("training tokens x $5.0/1M tokens")
    ja = preview.notes_in("ja")
    assert ja[0].startswith("openai: gpt-4.1-mini-2025-04-14、supervised、")
    assert ja[0].endswith(" エポック")
    assert ja[1].startswith(
        "学習トークン数 x 100万トークンあたり $5.0。出典: OpenAI API の料金ページ"
    )
    assert preview.notes_in("en") == preview.notes


def test_the_client_id_is_stored_even_if_the_provider_drops_metadata(settings: Settings) -> None:
    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", ok(job_json(metadata=None)))
        .on("GET", "/fine_tuning/jobs/ftjob-abc", ok(job_json(status="running", metadata=None)))
    )
    svc = service(api, settings)
    svc.create(sft(metadata={CLIENT_ID_KEY: "req-kept"}))
    assert svc.retrieve("ftjob-abc").metadata[CLIENT_ID_KEY] == "req-kept"
    assert JobStore(settings.jobs_db).find_by_metadata(CLIENT_ID_KEY, "req-kept") is not None


def test_a_retry_before_the_server_lists_the_first_job_creates_no_second_one(
    settings: Settings,
) -> None:
    """The create answer is lost and the listing lags: look again, do not create again."""
    created: list[dict[str, Any]] = []
    lookups: list[int] = []

    def create_then_drop(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        created.append(job_json(f"ftjob-{len(created) + 1}", metadata=body["metadata"]))
        raise httpx2.ReadTimeout("lost the answer", request=request)

    def lagging_lookup(request: httpx2.Request) -> httpx2.Response:
        lookups.append(1)
        listed = created if len(lookups) > 2 else []  # listed from the third look on
        return ok(page(listed))

    api = (
        ScriptedAPI()
        .on("POST", "/files", ok(FILE))
        .on("POST", "/fine_tuning/jobs", create_then_drop)
        .on("GET", "/fine_tuning/jobs", lagging_lookup)
    )
    job = service(api, settings).create(sft())
    assert len(created) == 1, "a second paid job was created"
    assert job.id == "ftjob-1"
