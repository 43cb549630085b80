"""The Azure Resource Manager half of the ``[azure]`` settings: where deployments are made.

Azure OpenAI serves a fine-tuned model only through a deployment, and
deployments are created on the control plane (Azure Resource Manager), not on
the resource's data-plane endpoint.  These fields name the resource there.  They
live apart from :mod:`advisor.settings` only to keep that module short;
:class:`~advisor.settings.AzureSettings` inherits them, so they read as
``[azure] subscription_id = ...`` or ``ADVISOR_AZURE__SUBSCRIPTION_ID``.
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
