"""The azure backend end to end against a Prism mock of Azure OpenAI's REST API.

``tests/fixtures/azure/openai_subset.yaml`` describes the calls the product
makes on Azure (data plane: files, fine-tuning jobs, chat and embeddings on a
deployment; control plane: the ARM deployment PUT and GET).  Prism serves it on
loopback, answers 422 to a request that breaks it and 401 to one without its
credentials, so ``tune create`` -> ``tune deploy`` -> ``bench --backend azure``
running to the end means every request matched.  Prism's answers are the
file's static examples: the tests check the calls and that the runs finish,
not the quality of the answers.  Skips, like test_prism_contract.py, when node
or Prism is missing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import FIXTURES
from tests.integration.prism import running_prism

pytestmark = pytest.mark.integration

SPEC = FIXTURES / "azure" / "openai_subset.yaml"
TRAIN = FIXTURES / "openai" / "train_sft.jsonl"
TINY = FIXTURES / "bench" / "tiny"
BASE = "gpt-4.1-mini-2025-04-14"
KEY = "azure-prism-dummy-key-0000"
TOKEN = "arm-prism-dummy-token-0000"
ARM = (
    "/subscriptions/sub-0/resourceGroups/rg-advisor/providers/"
    "Microsoft.CognitiveServices/accounts/advisor-openai/deployments/"
)
_REQUEST = re.compile(r"\[HTTP SERVER\] (\w+) (\S+) .*Request received")


class Mock:
    """A running Prism mock: its URL and the requests it received."""

    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log
        self.mark = 0

    def since_mark(self) -> list[str]:
        """``METHOD /path`` of the requests since the last call."""
        lines = self.log.read_text(errors="replace").splitlines()
        seen, self.mark = lines[self.mark :], len(lines)
        return [f"{m[1].upper()} {m[2]}" for line in seen if (m := _REQUEST.search(line))]


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mock]:
    log = tmp_path_factory.mktemp("prism-azure") / "prism.log"
    with running_prism(SPEC, log) as url:
        mock = Mock(url, log)
        mock.since_mark()
        yield mock


def _advisor(mock: Mock, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AZURE_OPENAI_API_KEY": KEY,
        "AZURE_OPENAI_ENDPOINT": mock.url,
        "ADVISOR_AZURE__MAX_RETRIES": "0",
        "ADVISOR_AZURE__SUBSCRIPTION_ID": "sub-0",
        "ADVISOR_AZURE__RESOURCE_GROUP": "rg-advisor",
        "ADVISOR_AZURE__ACCOUNT_NAME": "advisor-openai",
        "ADVISOR_AZURE__ARM_ENDPOINT": mock.url,
        "ADVISOR_AZURE__ARM_TOKEN": TOKEN,
        "ADVISOR_DATA_DIR": str(data_dir),
        "ADVISOR_CHROMA__EMBEDDING_BACKEND": "fake",
    }
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=data_dir,
    )


def test_the_mock_rejects_a_deployment_that_breaks_the_specification(mock: Mock) -> None:
    # Without this, a mock that accepted anything would make the tests below pass.
    url = f"{mock.url}{ARM}ft-x?api-version=2024-10-01"
    body = {"sku": {"name": "DeveloperTier"}, "properties": {"model": {"name": "m"}}}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.put(url, json=body, headers=headers).status_code == 422  # no format
    assert httpx.put(url, json=body).status_code == 401  # no token
    mock.since_mark()


def test_create_deploy_and_bench_on_azure(mock: Mock, tmp_path: Path) -> None:
    created = _advisor(
        mock, tmp_path, "tune", "create", "--backend", "azure", "--method", "sft",
        "--train", str(TRAIN), "--model", BASE, "--yes", "--format", "json",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    job = json.loads(created.stdout)
    assert job["backend"] == "azure" and job["status"] == "succeeded"
    assert {"POST /openai/files", "POST /openai/fine_tuning/jobs"} <= set(mock.since_mark())

    deployed = _advisor(
        mock, tmp_path, "tune", "deploy", job["id"], "--name", "ft-prism", "--sku", "developer",
        "--format", "json",
    )  # fmt: skip
    assert deployed.returncode == 0, deployed.stderr
    deployment = json.loads(deployed.stdout)
    assert deployment["state"] == "succeeded" and deployment["job_id"] == job["id"]
    assert mock.since_mark()[-2:] == [f"PUT {ARM}ft-prism", f"GET {ARM}ft-prism"]
    shown = _advisor(mock, tmp_path, "jobs", "show", job["id"], "--format", "json")
    assert json.loads(shown.stdout)["metadata"]["deployment"] == "ft-prism"
    shown = _advisor(mock, tmp_path, "jobs", "show", job["id"])
    assert "deployed as ft-prism" in shown.stdout

    out = tmp_path / "bench"
    bench = _advisor(
        mock, tmp_path, "bench", str(TINY), "--backend", "azure", "--routes", "system_prompt,sft",
        "--model", BASE, "--repeats", "1", "--max-examples", "2", "--out", str(out),
        "--format", "json",
    )  # fmt: skip
    assert bench.returncode == 0, bench.stderr
    results = json.loads((out / "results.json").read_text())
    assert all(route["status"] == "ok" for route in results["routes"].values())
    calls = mock.since_mark()
    # The bench trains its own job (same mock id), deploys it and answers through the deployment.
    assert "POST /openai/fine_tuning/jobs" in calls
    [put] = [call for call in calls if call.startswith(f"PUT {ARM}")]
    name = put.rsplit("/", 1)[1]
    assert f"POST /openai/deployments/{name}/chat/completions" in calls
    assert f"POST /openai/deployments/{BASE}/chat/completions" in calls  # the baseline
    assert KEY not in bench.stdout + bench.stderr and TOKEN not in bench.stdout + bench.stderr


def test_deploy_refusal_is_one_sentence(mock: Mock, tmp_path: Path) -> None:
    """A deployment name the service would refuse never reaches it."""
    done = _advisor(mock, tmp_path, "tune", "deploy", "no-such-job", "--name", "x")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error:")
