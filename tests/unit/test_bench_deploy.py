"""Bench on a backend that deploys fine-tuned models (Azure's way), without the network."""

from __future__ import annotations

from typing import Any, ClassVar

import backends.deployments as deployments
from advisor.bench.runner import BenchOptions, run_bench
from advisor.bench.scenario import load_scenario
from advisor.settings import Settings
from backends.deployments import DEPLOYMENT_KEY, Deployment
from backends.job_store import JobStore
from backends.jobs import FineTuneJob
from tests.unit.test_bench_runner import TINY, InstantTuning, RemoteFake


class Deploying(RemoteFake):
    """Answers only through deployments; has no embedding model configured."""

    capabilities = RemoteFake.capabilities.model_copy(update={"supports_deployment": True})
    deployed: ClassVar[list[str]] = []
    states: ClassVar[dict[str, list[str]]] = {}

    @property
    def default_embedding_model(self) -> str | None:
        return None

    def served_model(self, job: FineTuneJob) -> str | None:
        return job.metadata.get(DEPLOYMENT_KEY)

    def deploy(self, job: FineTuneJob, *, name: str, sku: Any = None) -> Deployment:
        Deploying.deployed.append(name)
        Deploying.states[name] = ["creating", "succeeded"]
        return self.deployment(name)

    def deployment(self, name: str) -> Deployment:
        state = Deploying.states[name].pop(0)
        return Deployment(
            name=name, backend=self.name, model="ft", sku="DeveloperTier", state=state
        )


def test_the_bench_deploys_once_and_answers_through_the_deployment(
    settings: Settings, monkeypatch: Any
) -> None:
    monkeypatch.setattr(deployments, "POLL_S", 0.0)
    monkeypatch.setattr(InstantTuning, "created", 0)  # a class-wide count: this test's own
    scenario = load_scenario(TINY)
    backend = Deploying(settings)
    options = BenchOptions(routes=["system_prompt", "sft"], repeats=1)
    results = run_bench(scenario, backend, settings, options)
    sft = results.routes["sft"]
    assert sft.status == "ok", sft.error
    [name] = Deploying.deployed
    assert sft.model == name and sft.preparation.details["deployment"] == name
    assert sft.preparation.model and sft.preparation.model.startswith("ft:fake-model")
    stored = JobStore(settings.jobs_db).get_job(str(sft.preparation.job_id))
    assert stored.metadata[DEPLOYMENT_KEY] == name
    # No embedding deployment: similarity is skipped with a note, the bench still runs.
    assert any("no embedding model" in note for note in results.notes)

    again = run_bench(scenario, backend, settings, options)
    assert again.routes["sft"].model == name and Deploying.deployed == [name]
    assert InstantTuning.created == 1
