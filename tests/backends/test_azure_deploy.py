"""Deploying fine-tuned models on Azure: request building, error translation, the wait loop."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from advisor.errors import (
    AuthenticationError,
    BackendConnectionError,
    BackendRequestError,
    BackendUnavailableError,
    CancelledError,
    CapabilityError,
    ConfigError,
    JobError,
    ModelNotFoundError,
    RateLimitError,
    UserInputError,
)
from advisor.settings import Settings, load_settings
from backends.azure_deploy import (
    AzureDeployments,
    deployment_body,
    deployment_url,
    translate_arm_error,
)
from backends.deployments import (
    DEPLOYMENT_KEY,
    Deployment,
    check_name,
    default_name,
    deploy_and_wait,
)
from backends.fake import FakeBackend
from backends.job_store import JobStore
from backends.jobs import FineTuneJob
from backends.openai_backend import AzureOpenAIBackend

ARM_SETTINGS = {
    "subscription_id": "sub-0",
    "resource_group": "rg one",
    "account_name": "acct",
    "arm_endpoint": "https://arm.test/",
    "arm_token": "secret-arm-token-123456",
    "max_retries": 2,
}
FT = "gpt-4.1-mini-2025-04-14.ft-abc"


def _job(**update: Any) -> FineTuneJob:
    fields: dict[str, Any] = {
        "id": "ftjob-0123456789abcdef",
        "backend": "azure",
        "method": "sft",
        "model": "gpt-4.1-mini-2025-04-14",
        "status": "succeeded",
        "training_file": "file-1",
        "fine_tuned_model": FT,
        "suffix": "bench-tiny",
        "remote_id": "ftjob-0123456789abcdef",
    }
    return FineTuneJob(**(fields | update))


def _settings(**azure: Any) -> Settings:
    return load_settings(azure=ARM_SETTINGS | azure)


def test_the_body_names_the_fine_tuned_model_and_the_azure_sku() -> None:
    assert deployment_body(FT, "developer") == {
        "sku": {"name": "DeveloperTier", "capacity": 50},
        "properties": {"model": {"format": "OpenAI", "name": FT, "version": "1"}},
    }
    assert deployment_body(FT, "standard", 3)["sku"] == {"name": "Standard", "capacity": 3}


def test_the_url_is_the_arm_resource_with_escaped_parts() -> None:
    url = deployment_url(_settings().azure, "ft-x")
    assert url == (
        "https://arm.test/subscriptions/sub-0/resourceGroups/rg%20one/providers/"
        "Microsoft.CognitiveServices/accounts/acct/deployments/ft-x"
    )


def test_missing_arm_settings_name_the_variables() -> None:
    with pytest.raises(ConfigError) as info:
        deployment_url(load_settings(azure={"subscription_id": "s"}).azure, "x")
    assert info.value.hint and "ADVISOR_AZURE__RESOURCE_GROUP" in info.value.hint
    assert "SUBSCRIPTION_ID" not in info.value.hint


def _response(status: int, code: str = "", message: str = "") -> httpx.Response:
    body = {"error": {"code": code, "message": message}} if code else {}
    return httpx.Response(status, json=body, request=httpx.Request("PUT", "https://arm.test"))


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (401, "InvalidAuthenticationToken", AuthenticationError),
        (403, "AuthorizationFailed", AuthenticationError),
        (404, "ResourceNotFound", ModelNotFoundError),
        (429, "TooManyRequests", RateLimitError),
        (400, "InsufficientQuota", BackendRequestError),
        (400, "InvalidResourceProperties", BackendRequestError),
        (503, "ServiceUnavailable", BackendConnectionError),
    ],
)
def test_arm_errors_become_advisor_errors(status: int, code: str, expected: type) -> None:
    error = translate_arm_error(_response(status, code, "no"), "deploy ft-x", ())
    assert type(error) is expected
    assert code in str(error) and error.hint


def test_quota_refusals_hint_at_the_other_sku() -> None:
    error = translate_arm_error(_response(400, "InsufficientQuota", "quota"), "deploy x", ())
    assert error.hint and "--sku" in error.hint


def test_the_token_never_reaches_the_message() -> None:
    token = "secret-arm-token-123456"
    error = translate_arm_error(_response(401, "Bad", f"token {token} expired"), "deploy", (token,))
    assert "token-123" not in str(error)


def _client(answers: list[httpx.Response], seen: list[httpx.Request]) -> httpx.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    return httpx.Client(transport=httpx.MockTransport(handle))


def _arm(state: str, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status,
        json={"name": "ft-x", "sku": {"name": "DeveloperTier", "capacity": 50},
              "properties": {"model": {"name": FT}, "provisioningState": state}},
    )  # fmt: skip


def test_create_sends_the_put_with_token_and_api_version_and_retries_5xx() -> None:
    seen: list[httpx.Request] = []
    arm = AzureDeployments(
        _settings().azure, _client([httpx.Response(503), _arm("Creating", 201)], seen)
    )
    arm.sleep = lambda s: None
    deployment = arm.create(_job(), "ft-x", "developer")
    assert deployment == Deployment(
        name="ft-x", backend="azure", model=FT, sku="DeveloperTier", capacity=50,
        state="creating", job_id=_job().id,
    )  # fmt: skip
    request = seen[-1]
    assert len(seen) == 2 and request.method == "PUT"
    assert request.url.params["api-version"] == "2024-10-01"
    assert request.headers["Authorization"] == "Bearer secret-arm-token-123456"
    assert b'"DeveloperTier"' in request.content


def test_a_refusal_is_not_retried() -> None:
    seen: list[httpx.Request] = []
    arm = AzureDeployments(_settings().azure, _client([_response(400, "InvalidModel", "x")], seen))
    with pytest.raises(BackendRequestError, match="InvalidModel"):
        arm.get("ft-x")
    assert len(seen) == 1


def test_no_token_and_no_azure_identity_says_how_to_get_one() -> None:
    arm = AzureDeployments(_settings(arm_token=None).azure)
    with pytest.raises(BackendUnavailableError) as info:
        arm.token()
    assert info.value.hint and "ADVISOR_AZURE__ARM_TOKEN" in info.value.hint


def test_default_names_are_valid_deployment_names() -> None:
    assert default_name(_job()) == "ft-bench-tiny-456789abcdef"
    assert check_name(default_name(_job(suffix="a b/c", remote_id=None))) == "ft-a-b-c-456789abcdef"
    with pytest.raises(UserInputError):
        check_name("-bad name")


class _Backend(AzureOpenAIBackend):
    """The azure backend with scripted provisioning states."""

    states: list[str]

    def deploy(self, job: FineTuneJob, *, name: str, sku: Any = None) -> Deployment:
        self.asked = (name, sku)
        return self.deployment(name)

    def deployment(self, name: str) -> Deployment:
        return Deployment(name=name, backend="azure", model=FT, sku="DeveloperTier",
                          state=self.states.pop(0))  # fmt: skip


def _scripted(settings: Settings, *states: str) -> _Backend:
    backend = _Backend(settings)
    backend.states = list(states)
    return backend


def test_deploy_and_wait_follows_provisioning_and_records_the_name(settings: Settings) -> None:
    store = JobStore(settings.jobs_db)
    store.save_job(_job())
    backend = _scripted(settings, "accepted", "creating", "succeeded")
    labels: list[str] = []
    done = deploy_and_wait(
        backend, _job(), store, sku="standard", poll_s=0,
        progress=lambda d, t, label: labels.append(label),
    )  # fmt: skip
    assert done.state == "succeeded" and done.job_id == _job().id
    assert backend.asked == ("ft-bench-tiny-456789abcdef", "standard")
    assert labels[0].endswith("accepted") and labels[-1].endswith("succeeded")
    stored = store.get_job(_job().id)
    assert stored.metadata[DEPLOYMENT_KEY] == "ft-bench-tiny-456789abcdef"
    assert backend.served_model(stored) == "ft-bench-tiny-456789abcdef"


def test_a_failed_provisioning_is_a_job_error(settings: Settings) -> None:
    backend = _scripted(settings, "creating", "failed")
    with pytest.raises(JobError, match="ended failed"):
        deploy_and_wait(backend, _job(), JobStore(settings.jobs_db), poll_s=0)


def test_cancel_stops_the_wait(settings: Settings) -> None:
    cancel = threading.Event()
    cancel.set()
    backend = _scripted(settings, "creating")
    with pytest.raises(CancelledError) as info:
        deploy_and_wait(backend, _job(), JobStore(settings.jobs_db), cancel=cancel, poll_s=0)
    assert info.value.hint and "advisor tune deploy" in info.value.hint


def test_an_unfinished_job_cannot_be_deployed(settings: Settings) -> None:
    backend = _scripted(settings)
    job = _job(status="running", fine_tuned_model=None)
    with pytest.raises(JobError, match="no fine-tuned model"):
        deploy_and_wait(backend, job, JobStore(settings.jobs_db))


def test_backends_without_deployments_say_so(settings: Settings) -> None:
    fake = FakeBackend(settings)
    assert not fake.capabilities.supports_deployment
    assert fake.served_model(_job()) == FT
    with pytest.raises(CapabilityError):
        fake.deploy(_job(), name="x")
    assert AzureOpenAIBackend.capabilities.supports_deployment
    assert AzureOpenAIBackend(settings).served_model(_job()) is None  # not deployed yet


def test_the_use_case_refuses_a_job_of_a_backend_without_deployments(settings: Settings) -> None:
    from advisor.app.deploy import deploy_job

    JobStore(settings.jobs_db).save_job(_job(backend="fake"))
    with pytest.raises(CapabilityError) as info:
        deploy_job(settings, _job().id, backends=lambda name: FakeBackend(settings))
    assert info.value.hint and FT in info.value.hint


def test_the_arm_token_is_refused_in_advisor_toml(isolated_state: Any) -> None:
    from pathlib import Path

    Path("advisor.toml").write_text('[azure]\narm_token = "secret"\n')
    with pytest.raises(ConfigError, match=r"\[azure\] arm_token"):
        load_settings()


def test_the_arm_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_AZURE__ARM_TOKEN", "tok-from-env")
    monkeypatch.setenv("ADVISOR_AZURE__DEPLOY_SKU", "standard")
    azure = load_settings().azure
    assert azure.arm_token is not None and azure.arm_token.get_secret_value() == "tok-from-env"
    assert azure.deploy_sku == "standard" and azure.arm_endpoint == "https://management.azure.com"
    assert "arm_token" not in load_settings().public_dump()["azure"]
