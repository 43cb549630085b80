"""A short real bench on the local backend: the embedded model, real Chroma, a real job."""

from __future__ import annotations

import pytest

from advisor.bench.prepare import TrainingSettings
from advisor.bench.report import load_results, write_reports
from advisor.bench.runner import BenchOptions, run_bench
from advisor.bench.scenario import load_scenario
from advisor.registry import get_backend
from advisor.settings import Settings
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow


def test_local_bench_two_prompts_three_routes(settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(FIXTURES / "bench" / "tiny")
    backend = get_backend("local", settings)
    options = BenchOptions(
        routes=["system_prompt", "rag", "sft"],
        repeats=2,
        max_examples=2,
        max_tokens=12,
        # Two optimizer steps on short sequences: proves the job path, not the quality.
        training=TrainingSettings(
            n_epochs=1, batch_size=2, extra={"max_length": 64, "max_steps": 2}
        ),
    )
    stages: list[str] = []

    def progress(done: int, total: int, label: str) -> None:
        stages.append(label)

    results = run_bench(scenario, backend, settings, options, progress=progress)
    for name in ("system_prompt", "rag", "sft"):
        route = results.routes[name]
        assert route.status == "ok", route.error
        assert route.metrics is not None and route.metrics.n_samples == 4
        assert all(s.completion_tokens > 0 for s in route.samples)
        # Greedy decoding: repeats of a prompt agree.
        assert route.metrics.consistency.exact_agreement == 1.0
        assert route.metrics.cost_per_1k_usd == 0.0
    assert results.routes["rag"].preparation.kind == "index"
    assert any(s.sources for s in results.routes["rag"].samples)
    sft = results.routes["sft"]
    assert sft.model.startswith("local:ft:") and sft.preparation.job_id
    # Trained by this run (started before the first answer, so on a quiet machine the two
    # steps end before the sft route's turn and no "sft: training" stage need appear).
    assert not sft.preparation.reused and "sft: preparing" in stages

    # The same bench again: the job is reused and every answer comes from the cache.
    again = run_bench(scenario, backend, settings, options)
    assert again.routes["sft"].preparation.reused
    assert again.routes["sft"].preparation.job_id == sft.preparation.job_id
    assert again.cache.misses == 0
    paths = write_reports(again, tmp_path / "out")
    assert load_results(paths["json"]).routes["sft"].metrics is not None
