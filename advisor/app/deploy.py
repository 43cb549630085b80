"""Deploy a finished fine-tuning job's model so that it can answer (Azure OpenAI).

One use case for ``advisor tune deploy`` and the wizard: look the job up,
refresh it from its backend, check that the backend deploys fine-tuned models,
then :func:`backends.deployments.deploy_and_wait` (which records the deployment
on the job, so that ``advisor bench --backend azure`` answers with it).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from advisor.app.backends import BackendSource, registry_source
from advisor.errors import CapabilityError
from advisor.ids import Progress

if TYPE_CHECKING:
    from advisor.settings import Settings
    from backends.deployments import Deployment, DeploymentSku


def deploy_job(
    settings: Settings,
    job_id: str,
    *,
    name: str | None = None,
    sku: DeploymentSku | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    backends: BackendSource | None = None,
) -> Deployment:
    """Deploy job ``job_id``'s fine-tuned model and wait until it is provisioned.

    Raises:
        JobNotFoundError: no such job.
        CapabilityError: the job's backend serves fine-tuned models without deployments.
        JobError: the job has not succeeded, or provisioning failed.
        CancelledError: ``cancel`` was set while waiting.
        plus what ``Backend.deploy`` raises (settings, credentials, refusals).
    """
    from backends.deployments import deploy_and_wait
    from backends.job_store import JobStore

    store = JobStore(settings.jobs_db)
    stored = store.get_job(job_id)
    backend = (backends or registry_source(settings))(stored.backend)
    if not backend.capabilities.supports_deployment:
        model = stored.fine_tuned_model
        raise CapabilityError.from_catalog(
            "core.deploy.not_needed",
            hint_key="core.deploy.chat_with" if model else "core.deploy.chat_with_it",
            backend=backend.name,
            model=model,
        )
    job = backend.fine_tuning().retrieve(job_id)
    return deploy_and_wait(
        backend, job, store, name=name, sku=sku, progress=progress, cancel=cancel
    )
