"""``advisor bench`` end to end on the fake backend with a tiny scenario."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from advisor.bench.report import load_results
from advisor.cli.app import main
from backends.fake import FakeBackend
from tests.conftest import FIXTURES

TINY = FIXTURES / "bench" / "tiny"
Bench = Callable[..., tuple[int, str, str]]


@pytest.fixture(autouse=True)
def fake_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    # The RAG index embeds with the fake backend too: no model load in CLI tests.
    monkeypatch.setenv("ADVISOR_CHROMA__EMBEDDING_BACKEND", "fake")
    from advisor.cli import context

    context.settings.cache_clear()


@pytest.fixture
def bench(capsys: pytest.CaptureFixture[str]) -> Bench:
    """Run ``advisor bench`` through main(): (exit code, stdout, stderr)."""

    def run(*args: str, scenario: Path = TINY) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_info:
            main(["bench", str(scenario), "--backend", "fake", *args])
        out, err = capsys.readouterr()
        return int(exit_info.value.code or 0), out, err

    return run


def test_full_bench_writes_three_reports(bench: Bench, tmp_path: Path) -> None:
    out = tmp_path / "out"
    FakeBackend.queue_replies("<script>alert('refund')</script>")
    code, stdout, _ = bench(
        "--routes", "system_prompt,rag,sft", "--repeats", "2", "--out", str(out)
    )
    assert code == 0, stdout
    for name in ("results.json", "report.md", "report.html", "results.schema.json"):
        assert (out / name).is_file()
    results = load_results(out / "results.json")
    assert list(results.routes) == ["system_prompt", "rag", "sft"]
    prompt_route = results.routes["system_prompt"]
    assert prompt_route.status == "ok" and prompt_route.metrics is not None
    # Echo replies: prompts t1 and t3 mention a refund, t2 and t4 do not.
    assert len(prompt_route.samples) == 8
    assert prompt_route.metrics.n_prompts == 4
    assert 0.25 <= prompt_route.metrics.pass_rate <= 0.75
    assert prompt_route.metrics.consistency.paraphrase_similarity is not None
    assert results.routes["rag"].status == "ok"
    assert results.routes["rag"].preparation.kind == "index"
    rag_metrics = results.routes["rag"].metrics
    assert rag_metrics is not None and rag_metrics.retrieval_hit_rate == 1.0  # one document
    assert prompt_route.metrics.retrieval_hit_rate is None  # nothing retrieved
    sft = results.routes["sft"]
    assert sft.status == "ok", sft.error
    assert sft.preparation.kind == "fine_tune" and sft.preparation.job_id
    assert sft.model != prompt_route.model  # answered by the fine-tuned model id
    assert "system_prompt vs rag" in (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "verdict:" in stdout and "report.html" in stdout


def test_rerun_hits_the_cache_and_no_cache_draws_fresh(bench: Bench, tmp_path: Path) -> None:
    args = ("--routes", "system_prompt", "--repeats", "2", "--format", "json")
    code, _, _ = bench(*args, "--out", str(tmp_path / "a"))
    assert code == 0
    first = load_results(tmp_path / "a" / "results.json")
    # 4 prompts x 2 repeats + 2 paraphrases of t1
    assert (first.cache.hits, first.cache.misses) == (0, 10)
    bench(*args, "--out", str(tmp_path / "b"))
    second = load_results(tmp_path / "b" / "results.json")
    assert (second.cache.hits, second.cache.misses) == (10, 0)
    assert all(s.cached for s in second.routes["system_prompt"].samples)
    bench(*args, "--out", str(tmp_path / "c"), "--no-cache")
    third = load_results(tmp_path / "c" / "results.json")
    assert third.cache.hits == 0


def test_json_output_is_only_json_and_fail_under_exits_1(bench: Bench, tmp_path: Path) -> None:
    code, stdout, _ = bench(
        "--routes", "system_prompt", "--repeats", "1", "--format", "json",
        "--out", str(tmp_path), "--fail-under", "0.9",
    )  # fmt: skip
    summary = json.loads(stdout)
    assert code == 1
    assert summary["failed_threshold"] is True
    assert summary["verdict"]["chosen"] == "system_prompt"
    assert summary["routes"]["system_prompt"]["metrics"]["pass_rate"] == 0.5
    code, stdout, _ = bench(
        "--routes", "system_prompt", "--format", "json", "--out", str(tmp_path),
        "--fail-under", "50",
    )  # fmt: skip
    assert code == 0 and json.loads(stdout)["failed_threshold"] is False


def test_max_examples_and_bad_input(bench: Bench, tmp_path: Path) -> None:
    code, _, _ = bench("--max-examples", "2", "--repeats", "1", "--out", str(tmp_path))
    assert code == 0
    results = load_results(tmp_path / "results.json")
    assert len(results.prompts) == 2
    # No --routes and no routes in the scenario: the advisor's routes and the baseline.
    assert list(results.routes) == ["system_prompt", "custom_assistant"]
    code, _, err = bench("--routes", "nope")
    assert code == 2
    assert err.startswith("error: unknown route 'nope'")
    code, _, err = bench(scenario=tmp_path / "missing")
    assert code == 2 and "no scenario" in err


def test_routes_are_parsed_once_with_one_clear_error(bench: Bench, tmp_path: Path) -> None:
    code, stdout, err = bench("--routes", "sft+rag,dpo>sft", "--out", str(tmp_path))
    assert code == 2 and stdout == ""
    assert err.startswith("error: route 'dpo>sft' is not valid: only sft>dpo and sft>rft")
    assert err.count("\n") == 1 and "sft_short" in err and "advisor" in err
    assert not (tmp_path / "results.json").exists()


def test_routes_advisor_runs_recommendation_and_baseline(bench: Bench, tmp_path: Path) -> None:
    code, stdout, _ = bench("--routes", "advisor", "--repeats", "1", "--out", str(tmp_path))
    assert code == 0, stdout
    results = load_results(tmp_path / "results.json")
    # tiny's answers: system prompt first, custom assistant as runner-up.
    assert list(results.routes) == ["system_prompt", "custom_assistant"]
    assert results.plan is not None and results.plan.routes[0].route == "system_prompt"
    assert stdout.startswith("plan: 4 test prompts x 1 repeats")


def test_dry_run_prints_the_plan_and_stops(bench: Bench, tmp_path: Path) -> None:
    args = ("--routes", "sft,sft+rag,few_shot", "--repeats", "3", "--out", str(tmp_path))
    code, stdout, _ = bench(*args, "--dry-run", "--format", "json")
    assert code == 0
    plan = json.loads(stdout)["plan"]
    assert [r["route"] for r in plan["routes"]] == ["sft", "sft+rag", "few_shot"]
    assert plan["n_prompts"] == 4 and plan["repeats"] == 3
    assert 0 < plan["detectable_difference_repeats"] < plan["detectable_difference"] <= 1
    assert not tmp_path.exists() or not any(tmp_path.iterdir())
    code, stdout, _ = bench(*args, "--dry-run")
    assert code == 0 and "smallest detectable pass-rate difference" in stdout
    assert "sft+rag: prepare" in stdout


def test_routes_advisor_needs_answers(bench: Bench, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    toml = (folder / "scenario.toml").read_text()
    toml = toml.replace("[answers]\nfixed_style = true\nstrict_format = false\n", "")
    (folder / "scenario.toml").write_text(toml)
    code, stdout, err = bench("--routes", "advisor", "--dry-run", scenario=folder)
    assert code == 2 and stdout == ""
    assert err.startswith("error: scenario tiny has no answers for the advisor")
