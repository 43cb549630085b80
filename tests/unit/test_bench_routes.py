"""Every route the advisor can recommend is a bench route: ids, combinations, the fake backend."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from advisor.bench.prepare_routes import few_shot_examples, minimal_prompt
from advisor.bench.report import render_markdown
from advisor.bench.routespec import (
    ROUTE_IDS,
    RouteSpec,
    advisor_route_ids,
    combination_spec,
    parse_route,
    parse_routes,
)
from advisor.bench.runner import BenchOptions, run_bench
from advisor.bench.scenario import Scenario, load_scenario
from advisor.errors import UserInputError
from advisor.settings import Settings
from backends.fake import FakeBackend
from backends.job_store import JobStore
from backends.jobs import PARENT_JOB_KEY, JobRequest
from tests.conftest import FIXTURES

TINY = FIXTURES / "bench" / "tiny"


def _with_dpo(tmp_path: Path) -> Scenario:
    """The tiny scenario plus DPO preference pairs, so chains can run."""
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    pairs = [
        {
            "input": {"messages": [{"role": "user", "content": f"Can I return item {i}?"}]},
            "preferred_output": [{"role": "assistant", "content": "Yes, refund in 30 days."}],
            "non_preferred_output": [{"role": "assistant", "content": "No."}],
        }
        for i in range(6)
    ]
    (folder / "train_dpo.jsonl").write_text("\n".join(json.dumps(p) for p in pairs) + "\n")
    toml = (folder / "scenario.toml").read_text()
    sft = 'sft = "train_sft.jsonl"'
    toml = toml.replace(sft, sft + '\ndpo = "train_dpo.jsonl"')
    (folder / "scenario.toml").write_text(toml)
    return load_scenario(folder)


# --- ids ------------------------------------------------------------------------------------


def test_every_documented_id_parses_to_itself() -> None:
    for route in ROUTE_IDS:
        assert parse_route(route).id == route


def test_parts_are_typed_and_combinations_canonical() -> None:
    assert parse_route("sft>dpo") == RouteSpec(training=("sft", "dpo"))
    assert parse_route("sft>dpo").parent == RouteSpec(training=("sft",))
    assert parse_route("rag+sft").id == "sft+rag"
    assert parse_route(" sft + rag ") == RouteSpec(training=("sft",), inference="rag")
    assert parse_route("sft_short").inference == "short"
    assert parse_route("sft>rft+custom_assistant").id == "sft>rft+custom_assistant"
    assert parse_routes("all") is None and parse_routes(None) is None and parse_routes(" ") is None
    assert parse_routes("advisor") == "advisor"
    specs = parse_routes("sft, sft ,rag+sft")
    assert isinstance(specs, list) and [s.id for s in specs] == ["sft", "sft+rag"]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("nope", "unknown route 'nope'"),
        ("sft+nope", "unknown route 'nope' in 'sft+nope'"),
        ("rag+custom_assistant", "two inference routes"),
        ("sft+dpo", "two trained models"),
        ("dpo>sft", "only sft>dpo and sft>rft"),
        ("sft+system_prompt", "use sft"),
        ("sft_short+rag", "minimal prompt"),
        ("sft++rag", "empty part"),
    ],
)
def test_bad_ids_say_why_and_list_the_valid_ones(value: str, words: str) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_route(value)
    assert words in caught.value.message
    assert caught.value.exit_code == 2
    assert "sft+rag" in (caught.value.hint or "") and "advisor" in (caught.value.hint or "")


def test_advisor_combinations_map_to_bench_routes() -> None:
    assert combination_spec(["sft", "rag"]) == parse_route("sft+rag")
    assert combination_spec(["rag", "sft", "system_prompt"]) == parse_route("sft+rag")
    assert combination_spec(["sft", "custom_assistant"]) == parse_route("sft+custom_assistant")
    assert combination_spec(["dpo", "sft"]) == parse_route("sft>dpo")
    assert combination_spec(["sft", "system_prompt"]) == parse_route("sft")
    assert combination_spec(["system_prompt"]) is None
    assert advisor_route_ids("sft", ["sft", "rag"], "rag") == [
        "sft",
        "sft+rag",
        "rag",
        "system_prompt",
    ]
    assert advisor_route_ids("system_prompt", ["system_prompt"], None) == ["system_prompt"]


# --- few-shot and the minimal prompt ------------------------------------------------------------


def test_few_shot_never_shows_a_test_prompt(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    leak = {
        "messages": [
            {"role": "user", "content": "  can i get a REFUND for boots!! "},  # t1, normalised
            {"role": "assistant", "content": "Leaked answer."},
        ]
    }
    # First in the file: the even spread always picks the first example.
    train = folder / "train_sft.jsonl"
    train.write_text(json.dumps(leak) + "\n" + train.read_text())
    scenario = load_scenario(folder)
    backend = FakeBackend(settings)
    examples = few_shot_examples(scenario, backend, "fake-model", 64)
    assert examples and all(e.assistant != "Leaked answer." for e in examples)
    assert len(examples) == 8  # FEW_SHOT_MAX: the tiny examples all fit 1,024 tokens
    # A tight window: k shrinks until the examples fit a quarter of it.
    few = few_shot_examples(scenario, backend, "fake-model", 900)
    assert 0 < len(few) < len(examples)


def test_minimal_prompt_is_the_first_sentence() -> None:
    assert minimal_prompt("You are terse. Always cite. Never guess.") == "You are terse."
    ja = "あなたはサポート担当です。"
    assert minimal_prompt(ja + "丁寧に答える。") == ja
    assert minimal_prompt("Answer in one sentence.") == ""  # nothing shorter says anything


# --- every new route on the fake backend ----------------------------------------------------------


def test_new_routes_run_on_the_fake_backend(settings: Settings, tmp_path: Path) -> None:
    scenario = _with_dpo(tmp_path)
    routes = ["sft", "few_shot", "sft+rag", "sft_short", "custom_assistant", "sft>dpo", "sft>rft"]
    options = BenchOptions(routes=routes, repeats=1)
    results = run_bench(scenario, FakeBackend(settings), settings, options)
    assert list(results.routes) == routes
    for name in routes[:-1]:
        assert results.routes[name].status == "ok", (name, results.routes[name].error)
    assert results.routes["sft>rft"].status == "skipped"  # no rft file in the fixture
    sft = results.routes["sft"]
    # The tuned model answers with retrieval: same model id as sft, sources shown.
    combined = results.routes["sft+rag"]
    assert combined.model == sft.model and combined.preparation.job_id == sft.preparation.job_id
    assert any(s.sources for s in combined.samples)
    # The minimal prompt costs fewer prompt tokens than the full one.
    short, full = results.routes["sft_short"].metrics, sft.metrics
    assert short is not None and full is not None
    assert short.prompt_tokens_per_request < full.prompt_tokens_per_request
    report = render_markdown(results)  # side by side in the report's notes
    assert "minimal prompt: sft_short uses" in report and "for sft (" in report
    few = results.routes["few_shot"]
    assert few.preparation.details["few_shot"] > 0 and few.model == "fake-model"
    assert results.routes["few_shot"].metrics.prompt_tokens_per_request > (  # type: ignore[union-attr]
        results.routes["sft"].metrics.prompt_tokens_per_request  # type: ignore[union-attr]
    )
    assistant = results.routes["custom_assistant"]
    assert assistant.preparation.details["knowledge_files"] == 1
    assert any(s.sources for s in assistant.samples)
    # The chain continues from the bench's own SFT job, which is reused, not retrained.
    chain = results.routes["sft>dpo"]
    assert chain.preparation.details[PARENT_JOB_KEY] == sft.preparation.job_id
    jobs = JobStore(settings.jobs_db).list_jobs(limit=50)
    assert sorted(j.method for j in jobs) == ["dpo", "sft"]
    child = next(j for j in jobs if j.method == "dpo")
    assert child.metadata[PARENT_JOB_KEY] == sft.preparation.job_id


def test_advisor_routes_run_recommendation_and_baseline(settings: Settings) -> None:
    scenario = load_scenario(TINY)
    results = run_bench(
        scenario, FakeBackend(settings), settings, BenchOptions(routes=["advisor"], repeats=1)
    )
    assert list(results.routes) == ["system_prompt", "custom_assistant"]
    assert results.verdict.recommended == "system_prompt"


def test_fake_backend_refuses_a_parent_without_a_model(settings: Settings) -> None:
    service = FakeBackend(settings).fine_tuning()
    request = JobRequest(method="sft", training_file=str(TINY / "train_sft.jsonl"))
    failing = service.create(request.model_copy(update={"suffix": "fail"}))
    child = request.model_copy(update={"method": "dpo", "metadata": {PARENT_JOB_KEY: failing.id}})
    with pytest.raises(UserInputError, match="no fine-tuned model"):
        service.create(child)
