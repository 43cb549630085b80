"""The combined routes for real: the embedded model, real Chroma, real jobs (tiny and slow)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from advisor.bench.prepare import TrainingSettings
from advisor.bench.runner import BenchOptions, run_bench
from advisor.bench.scenario import load_scenario
from advisor.registry import get_backend
from advisor.settings import Settings
from backends.jobs import PARENT_JOB_KEY
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow


def _tiny_with_dpo(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "bench" / "tiny", folder)
    pairs = [
        {
            "input": {"messages": [{"role": "user", "content": f"Can I return item {i}?"}]},
            "preferred_output": [{"role": "assistant", "content": "Yes, refund in 30 days."}],
            "non_preferred_output": [{"role": "assistant", "content": "No."}],
        }
        for i in range(10)  # the minimum a fine-tuning job accepts
    ]
    (folder / "train_dpo.jsonl").write_text("\n".join(json.dumps(p) for p in pairs) + "\n")
    toml = (folder / "scenario.toml").read_text()
    sft = 'sft = "train_sft.jsonl"'
    (folder / "scenario.toml").write_text(toml.replace(sft, sft + '\ndpo = "train_dpo.jsonl"'))
    return folder


def test_sft_rag_few_shot_and_a_chain_on_the_local_backend(
    settings: Settings, tmp_path: Path
) -> None:
    scenario = load_scenario(_tiny_with_dpo(tmp_path))
    backend = get_backend("local", settings)
    options = BenchOptions(
        routes=["few_shot", "sft+rag", "sft>dpo"],
        repeats=1,
        max_examples=3,
        max_tokens=12,
        # Two optimizer steps on short sequences: proves the path, not the quality.
        training=TrainingSettings(
            n_epochs=1, batch_size=2, extra={"max_length": 64, "max_steps": 2}
        ),
    )
    results = run_bench(scenario, backend, settings, options)
    for name in ("few_shot", "sft+rag", "sft>dpo"):
        route = results.routes[name]
        assert route.status == "ok", (name, route.error)
        assert route.metrics is not None and route.metrics.n_samples == 3
        assert all(s.completion_tokens > 0 for s in route.samples)
    few = results.routes["few_shot"]
    assert few.model == backend.default_model and few.preparation.details["few_shot"] > 0
    combined = results.routes["sft+rag"]
    assert combined.model.startswith("local:ft:") and combined.preparation.job_id
    assert any(s.sources for s in combined.samples)
    # The DPO job continued from the bench's SFT adapter, and answers as its own model.
    chain = results.routes["sft>dpo"]
    assert chain.preparation.details[PARENT_JOB_KEY] == combined.preparation.job_id
    assert chain.model.startswith("local:ft:") and chain.model != combined.model
