"""Deploying a fine-tuned model so that it can answer: the shared part of the contract.

Some providers train a model and then need it *deployed* before a request can
name it: Azure OpenAI serves a fine-tuned model only through a deployment (a
name the data plane addresses as ``/openai/deployments/{name}``), created on the
Azure Resource Manager.  A backend that works this way sets
``Capabilities.supports_deployment`` and implements ``Backend.deploy`` and
``Backend.deployment`` (see :mod:`backends.base`); :func:`deploy_and_wait` is the
one loop that starts a deployment, follows its provisioning and records the
deployment name on the job, used by ``advisor tune deploy`` and by ``advisor
bench`` alike.
"""

from __future__ import annotations

import re
import threading
import time
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from advisor.data.texts import Label
from advisor.errors import CancelledError, JobError
from advisor.ids import Progress

if TYPE_CHECKING:
    from backends.base import Backend
    from backends.job_store import JobStore
    from backends.jobs import FineTuneJob

#: The job metadata key that names the deployment serving the job's model.
DEPLOYMENT_KEY = "deployment"
DeploymentSku = Literal["developer", "standard"]
SKUS: tuple[DeploymentSku, ...] = ("developer", "standard")
#: Provisioning states after which nothing changes without the user.
TERMINAL_STATES = frozenset({"succeeded", "failed", "canceled"})
POLL_S = 5.0
TIMEOUT_S = 3600.0  # Azure documents minutes to hours for a fine-tuned deployment
# Azure deployment names: letters, digits, '-', '_' and '.', 2 to 64 characters.
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")


class Deployment(BaseModel):
    """A deployment of a fine-tuned model, as the provider reports it."""

    name: str
    backend: str
    model: str = Field(description="The fine-tuned model id the deployment serves.")
    sku: str = Field(description="The provider's SKU name, e.g. DeveloperTier or Standard.")
    capacity: int | None = None
    state: str = Field(description="Provisioning state, lower case: creating, succeeded, ...")
    job_id: str | None = None
    error: str | None = None

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES


def default_name(job: FineTuneJob) -> str:
    """A deployment name derived from the job: ``ft-<suffix>-<job id tail>``, valid on Azure."""
    tail = re.sub(r"[^A-Za-z0-9]", "", job.remote_id or job.id)[-12:].lower()
    suffix = re.sub(r"[^A-Za-z0-9_.-]", "-", job.suffix or "")[:32].strip("-.")
    return "-".join(part for part in ("ft", suffix, tail) if part)


def check_name(name: str) -> str:
    """``name`` when it is a valid deployment name; else :class:`UserInputError`."""
    from advisor.errors import UserInputError

    if not _NAME_PATTERN.match(name):
        raise UserInputError.from_catalog(
            "core.deploy.bad_name", hint_key="core.deploy.bad_name_hint", name=repr(name)
        )
    return name


def deploy_and_wait(
    backend: Backend,
    job: FineTuneJob,
    store: JobStore,
    *,
    name: str | None = None,
    sku: DeploymentSku | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    poll_s: float | None = None,
    timeout_s: float = TIMEOUT_S,
) -> Deployment:
    """Deploy ``job``'s model, wait until provisioning ends, record the name on the job.

    ``cancel`` (or Ctrl+C) stops the wait, not the provisioning: the provider
    cannot abort it, and running the same deployment again resumes the wait.

    Raises:
        JobError: the job has no fine-tuned model, provisioning failed or timed out.
        CancelledError: ``cancel`` was set.
        plus what ``Backend.deploy`` and ``Backend.deployment`` raise.
    """
    if job.status != "succeeded" or not job.fine_tuned_model:
        raise JobError.from_catalog(
            "core.deploy.no_model",
            hint_key="core.deploy.no_model_hint",
            job=job.id,
            status=job.status,
        )
    chosen = check_name(name or job.metadata.get(DEPLOYMENT_KEY) or default_name(job))
    deployment = backend.deploy(job, name=chosen, sku=sku)
    began = time.monotonic()
    while not deployment.is_terminal:
        if progress:
            progress(0, 0, Label("progress.deploying", name=chosen, state=deployment.state))
        if cancel is not None and cancel.is_set():
            raise CancelledError.from_catalog(
                "core.deploy.stopped",
                hint_key="core.deploy.wait_again",
                name=chosen,
                job=job.id,
            )
        if time.monotonic() - began > timeout_s:
            raise JobError.from_catalog(
                "core.deploy.timeout",
                hint_key="core.deploy.wait_again",
                name=chosen,
                job=job.id,
                state=deployment.state,
                minutes=f"{timeout_s / 60:.0f}",
            )
        _sleep(POLL_S if poll_s is None else poll_s, cancel)
        deployment = backend.deployment(chosen)
    if progress:
        progress(1, 1, Label("progress.deploying", name=chosen, state=deployment.state))
    if deployment.state != "succeeded":
        raise JobError.from_catalog(
            "core.deploy.failed" if deployment.error else "core.deploy.failed_silently",
            hint_key="core.deploy.failed_hint",
            name=chosen,
            state=deployment.state,
            error=deployment.error,
        )
    store.save_job(job.model_copy(update={"metadata": {**job.metadata, DEPLOYMENT_KEY: chosen}}))
    return deployment.model_copy(update={"job_id": job.id})


def _sleep(seconds: float, cancel: threading.Event | None) -> None:
    if cancel is None:
        time.sleep(seconds)
    else:
        cancel.wait(seconds)
