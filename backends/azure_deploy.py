"""Deployments of fine-tuned models on Azure OpenAI, through Azure Resource Manager.

Azure serves a fine-tuned model only through a deployment, and deployments are
made on the control plane, not the resource's endpoint:

    PUT {arm_endpoint}/subscriptions/{sub}/resourceGroups/{rg}/providers/
        Microsoft.CognitiveServices/accounts/{account}/deployments/{name}?api-version=...
    {"sku": {"name": "DeveloperTier" | "Standard", "capacity": N},
     "properties": {"model": {"format": "OpenAI", "name": "<fine-tuned model>", "version": "1"}}}

and GET on the same URL reports ``properties.provisioningState``.  The calls use
a bearer token (``ADVISOR_AZURE__ARM_TOKEN``, else azure-identity when it is
installed).  Every failure leaves through :func:`translate_arm_error` as an
:mod:`advisor.errors` error, scrubbed of the token.
"""

from __future__ import annotations

import importlib
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from advisor.errors import (
    AdvisorError,
    AuthenticationError,
    BackendConnectionError,
    BackendRequestError,
    BackendUnavailableError,
    ConfigError,
    ModelNotFoundError,
    RateLimitError,
)
from advisor.messages import Localized
from backends.deployments import Deployment, DeploymentSku
from backends.openai_errors import Action, scrub

if TYPE_CHECKING:
    import httpx

    from advisor.azure_settings import AzureSettings
    from backends.jobs import FineTuneJob

ARM_SCOPE = "https://management.azure.com/.default"
#: Our SKU names -> Azure's deployment types, and the capacity used when unset.
SKU_NAMES: dict[str, str] = {"developer": "DeveloperTier", "standard": "Standard"}
DEFAULT_CAPACITY: dict[str, int] = {"developer": 50, "standard": 1}
_SETTINGS = (
    ("subscription_id", "ADVISOR_AZURE__SUBSCRIPTION_ID"),
    ("resource_group", "ADVISOR_AZURE__RESOURCE_GROUP"),
    ("account_name", "ADVISOR_AZURE__ACCOUNT_NAME"),
)


def deployment_body(model: str, sku: DeploymentSku, capacity: int | None = None) -> dict[str, Any]:
    """The ARM request body that deploys the fine-tuned ``model``."""
    return {
        "sku": {"name": SKU_NAMES[sku], "capacity": capacity or DEFAULT_CAPACITY[sku]},
        "properties": {"model": {"format": "OpenAI", "name": model, "version": "1"}},
    }


def deployment_url(section: AzureSettings, name: str) -> str:
    """The deployment's ARM resource URL (without the api-version query).

    Raises:
        ConfigError: subscription, resource group or account name not set.
    """
    missing = [variable for field, variable in _SETTINGS if not getattr(section, field)]
    if missing:
        raise ConfigError.from_catalog(
            "core.azure.deploy_settings",
            hint_key="core.azure.deploy_settings_hint",
            missing=", ".join(missing),
        )
    parts = (section.subscription_id, section.resource_group, section.account_name, name)
    sub, group, account, deployment = (quote(str(p), safe="") for p in parts)
    return (
        f"{section.arm_endpoint.rstrip('/')}/subscriptions/{sub}/resourceGroups/{group}"
        f"/providers/Microsoft.CognitiveServices/accounts/{account}/deployments/{deployment}"
    )


def deployment_from_arm(data: dict[str, Any], name: str) -> Deployment:
    """A :class:`Deployment` called ``name`` from ARM's answer (unknown fields ignored)."""
    properties = data.get("properties") or {}
    model = properties.get("model") or {}
    sku = data.get("sku") or {}
    error = properties.get("error") or {}
    return Deployment(
        name=name,  # the name asked for: ARM echoes it (a mock answers its example's)
        backend="azure",
        model=str(model.get("name") or ""),
        sku=str(sku.get("name") or ""),
        capacity=sku.get("capacity"),
        state=str(properties.get("provisioningState") or "unknown").lower(),
        error=error.get("message") if isinstance(error, dict) else None,
    )


def translate_arm_error(
    response: httpx.Response, action: Action, secrets: tuple[str, ...]
) -> AdvisorError:
    """ARM's error answer (``{"error": {"code", "message"}}``) as an advisor error.

    ARM's code and message stay values of the catalog sentence (scrubbed, never translated).
    """
    try:
        detail = response.json().get("error") or {}
    except ValueError:
        detail = {}
    code = str(detail.get("code") or response.status_code)
    message = scrub(str(detail.get("message") or response.reason_phrase), secrets)
    what = {"action": action, "code": code, "detail": message}
    key = "core.azure.arm_refused"
    status = response.status_code
    if status in (401, 403):
        return AuthenticationError.from_catalog(key, hint_key="core.azure.arm_auth_hint", **what)
    if status == 404:
        return ModelNotFoundError.from_catalog(
            key, hint_key="core.azure.arm_not_found_hint", **what
        )
    if status == 429:
        return RateLimitError.from_catalog(key, hint_key="core.azure.arm_rate_hint", **what)
    if "quota" in (code + message).lower():
        return BackendRequestError.from_catalog(key, hint_key="core.azure.arm_quota_hint", **what)
    if status >= 500:
        return BackendConnectionError.from_catalog(
            key, hint_key="core.azure.arm_server_hint", **what
        )
    return BackendRequestError.from_catalog(key, hint_key="core.azure.arm_request_hint", **what)


class AzureDeployments:
    """The deployment calls of one Azure OpenAI resource."""

    def __init__(self, section: AzureSettings, http_client: httpx.Client | None = None) -> None:
        self.section = section
        self._http_client = http_client
        self.sleep = time.sleep

    def token(self) -> str:
        """The ARM bearer token.

        Raises:
            BackendUnavailableError: neither the variable nor azure-identity provides one.
        """
        if self.section.arm_token is not None:
            return self.section.arm_token.get_secret_value()
        try:
            identity = importlib.import_module("azure.identity")
        except ImportError:
            raise BackendUnavailableError.from_catalog(
                "core.azure.no_arm_token", hint_key="core.azure.no_arm_token_hint"
            ) from None
        try:
            return str(identity.DefaultAzureCredential().get_token(ARM_SCOPE).token)
        except Exception as exc:  # azure-identity raises its own hierarchy
            raise BackendUnavailableError.from_catalog(
                "core.azure.no_credential",
                hint_key="core.azure.no_credential_hint",
                error=type(exc).__name__,
            ) from exc

    def create(self, job: FineTuneJob, name: str, sku: DeploymentSku | None) -> Deployment:
        """PUT the deployment of ``job``'s fine-tuned model; ARM answers while provisioning."""
        chosen = sku or self.section.deploy_sku
        body = deployment_body(str(job.fine_tuned_model), chosen, self.section.deploy_capacity)
        data = self._call("PUT", name, _action("deploy", name), json=body)
        return deployment_from_arm(data, name).model_copy(update={"job_id": job.id})

    def get(self, name: str) -> Deployment:
        return deployment_from_arm(self._call("GET", name, _action("look_up", name)), name)

    def _call(self, method: str, name: str, action: Action, **kwargs: Any) -> dict[str, Any]:
        """One ARM request with retries on 429, 5xx and lost connections (PUT is idempotent)."""
        import httpx

        url = deployment_url(self.section, name)
        token = self.token()
        secrets = (token,)
        headers = {"Authorization": f"Bearer {token}"}
        params = {"api-version": self.section.arm_api_version}
        client = self._http_client or httpx.Client(timeout=self.section.timeout_s)
        try:
            for attempt in range(self.section.max_retries + 1):
                last = attempt == self.section.max_retries
                try:
                    response = client.request(method, url, params=params, headers=headers, **kwargs)
                except httpx.HTTPError as exc:
                    if last:
                        raise BackendConnectionError.from_catalog(
                            "core.azure.arm_unreachable",
                            hint_key="core.azure.arm_unreachable_hint",
                            action=action,
                            detail=scrub(str(exc), secrets) or type(exc).__name__,
                        ) from exc
                else:
                    if response.is_success:
                        return _json(response, action)
                    if last or not (response.status_code == 429 or response.status_code >= 500):
                        raise translate_arm_error(response, action, secrets)
                self.sleep(min(8.0, 0.5 * 2**attempt))
        finally:
            if self._http_client is None:
                client.close()
        raise AssertionError("unreachable")  # the loop returns or raises


def _action(name: str, deployment: str) -> Localized:
    """What an ARM call was doing (``core.azure.action.*``), in the message's language."""
    return Localized(f"core.azure.action.{name}", {"name": deployment})


def _json(response: httpx.Response, action: Action) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise BackendRequestError.from_catalog(
            "core.azure.arm_not_deployment",
            hint_key="core.azure.arm_not_deployment_hint",
            action=action,
        )
    return data
