"""The ``[azure]`` settings: the data-plane endpoint, and where deployments are made.

Azure OpenAI serves a fine-tuned model only through a deployment, and
deployments are created on the control plane (Azure Resource Manager), not on
the resource's data-plane endpoint.  :class:`AzureArmSettings` names the resource
there; :class:`AzureSettings` inherits those fields, so they read as
``[azure] subscription_id = ...`` or ``ADVISOR_AZURE__SUBSCRIPTION_ID``.  They
live apart from :mod:`advisor.settings` only to keep that module short.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr

ARM_ENDPOINT = "https://management.azure.com"


class AzureArmSettings(BaseModel):
    """Where ``advisor tune deploy`` creates deployments, and with what."""

    subscription_id: str | None = Field(default=None, description="Azure subscription id.")
    resource_group: str | None = Field(
        default=None, description="Resource group of the Azure OpenAI resource."
    )
    account_name: str | None = Field(
        default=None, description="Name of the Azure OpenAI resource (the account)."
    )
    arm_endpoint: str = Field(
        default=ARM_ENDPOINT,
        description="Azure Resource Manager endpoint (another cloud, or a mock in tests).",
    )
    arm_api_version: str = Field(
        default="2024-10-01", description="API version of the deployment calls."
    )
    arm_token: SecretStr | None = Field(
        default=None,
        description=(
            "Bearer token for the Resource Manager (ADVISOR_AZURE__ARM_TOKEN, e.g. from "
            "`az account get-access-token`); unset uses azure-identity when installed."
        ),
        exclude=True,
    )
    deploy_sku: Literal["developer", "standard"] = Field(
        default="developer",
        description="Deployment type of fine-tuned models: developer (testing) or standard.",
    )
    deploy_capacity: int | None = Field(
        default=None,
        ge=1,
        description="Deployment capacity; unset: 50 for developer, 1 for standard.",
    )


class AzureSettings(AzureArmSettings):
    """The ``azure`` backend: Azure OpenAI through the SDK's Azure client (and deployments)."""

    api_key: SecretStr | None = Field(
        default=None,
        description="Read from AZURE_OPENAI_API_KEY only; never stored.",
        exclude=True,
    )
    endpoint: str | None = Field(
        default=None,
        description="https://<resource>.openai.azure.com (or AZURE_OPENAI_ENDPOINT).",
    )
    api_version: str = Field(default="2025-04-01-preview", description="Azure API version.")
    deployment: str | None = Field(
        default=None, description="Deployment name used as the model for chat."
    )
    embedding_deployment: str | None = Field(
        default=None, description="Deployment name used for embeddings."
    )
    timeout_s: float = Field(default=60.0, gt=0, description="Timeout of every API call.")
    max_retries: int = Field(default=3, ge=0, description="SDK retries with backoff.")
    concurrency: int = Field(
        default=4, ge=1, description="Conversations in flight at once in batch chat (benchmarks)."
    )
