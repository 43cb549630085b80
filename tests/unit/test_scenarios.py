"""Scenario format: the shipped scenarios, the loader's errors and the validator's checks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from advisor.bench.scenario import (
    Problem,
    Scenario,
    list_scenarios,
    load_scenario,
    normalize_prompt,
    validate_scenario,
)
from advisor.errors import DataFileError, UserInputError
from advisor.graders import Sample, load_grader
from tests.conftest import REPO

SHIPPED = ["brand-voice", "house-rules", "invoice-total", "ja-support", "product-manual",
           "ticket-triage"]  # fmt: skip


@cache
def _problems(name: str) -> tuple[Problem, ...]:
    return tuple(validate_scenario(load_scenario(REPO / "scenarios" / name)))


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / "scenarios" / name
    shutil.copytree(REPO / "scenarios" / name, target)
    return target


def _codes(problems: list[Problem] | tuple[Problem, ...]) -> set[str]:
    return {p.code for p in problems}


# --- the shipped scenarios -------------------------------------------------------------


def test_the_six_scenarios_are_shipped() -> None:
    names = [p.name for p in list_scenarios(REPO / "scenarios")]
    assert names == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_validates_without_problems(name: str) -> None:
    assert [str(p) for p in _problems(name)] == []


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_sizes(name: str) -> None:
    scenario = load_scenario(name)
    training = scenario.training.sft.read_text(encoding="utf-8").splitlines()
    assert len(training) >= 100
    items = scenario.test_items()
    assert len(items) >= 30
    assert len({i.id for i in items}) == len(items)
    assert all(i.reference for i in items)
    assert scenario.test.graders
    # Every SFT example carries the scenario's system prompt, so the fine-tuned route
    # is judged under the same prompt as the system-prompt route.
    first = json.loads(training[0])["messages"]
    assert first[0] == {"role": "system", "content": scenario.system_prompt}


def test_product_manual_is_long_and_split_into_chapters() -> None:
    scenario = load_scenario("product-manual")
    files = scenario.knowledge_files()
    assert len(files) >= 5
    words = sum(len(f.read_text(encoding="utf-8").split()) for f in files)
    assert words >= 15_000
    names = {f.name for f in files}
    assert {item.fields()["source"] for item in scenario.test_items()} <= names


def test_product_manual_answers_are_in_their_source_chapter() -> None:
    """Each question is answerable from the chapter it names, so RAG can win honestly."""
    import re

    scenario = load_scenario("product-manual")
    assert scenario.knowledge is not None
    for item in scenario.test_items():
        fields = item.fields()
        text = (scenario.knowledge.documents / fields["source"]).read_text(encoding="utf-8")
        assert fields["key_fact"] in text, item.id
        assert re.search(fields["key_pattern"], text), item.id
        assert re.search(fields["key_pattern"], item.reference or ""), item.id


def test_invoice_total_has_dpo_rft_and_grader() -> None:
    scenario = load_scenario("invoice-total")
    assert scenario.training.dpo is not None and scenario.training.rft is not None
    pair = json.loads(scenario.training.dpo.read_text(encoding="utf-8").splitlines()[0])
    preferred = pair["preferred_output"][0]["content"]
    verbose = pair["non_preferred_output"][0]["content"]
    assert len(verbose) > 3 * len(preferred)
    assert scenario.training.rft_grader is not None
    spec = json.loads(scenario.training.rft_grader.read_text(encoding="utf-8"))
    grader = load_grader(spec)
    assert grader.grade(Sample.from_text("1234.56"), {"total": "1234.56"}).passed
    assert grader.grade(
        Sample.from_text("The amount due is $1,234.56."), {"total": "1234.56"}
    ).passed
    assert not grader.grade(Sample.from_text("1243.56"), {"total": "1234.56"}).passed
    assert not grader.grade(Sample.from_text("I cannot tell."), {"total": "1234.56"}).passed


@pytest.mark.parametrize("name", SHIPPED)
def test_graders_reject_an_off_task_answer(name: str) -> None:
    """Graders that pass everything would make the benchmark meaningless."""
    scenario = load_scenario(name)
    graders = [load_grader(g.definition()) for g in scenario.test.graders]
    item = scenario.test_items()[0]
    results = [
        g.grade(Sample.from_text("Sure, I can help with that."), item.fields()) for g in graders
    ]
    assert not all(r.passed for r in results)


def test_house_rules_forbidden_words_grader() -> None:
    spec = next(
        g for g in load_scenario("house-rules").test.graders if g.name == "no_forbidden_words"
    )
    grader = load_grader(spec.definition())
    assert grader.grade(Sample.from_text("Members can call the Care Line."), {}).passed
    assert not grader.grade(Sample.from_text("Dear Customer, call us."), {}).passed
    assert not grader.grade(Sample.from_text("Our clients love it."), {}).passed


def test_ticket_schema_rejects_extra_keys_and_bad_enums() -> None:
    spec = next(g for g in load_scenario("ticket-triage").test.graders if g.type == "json_schema")
    grader = load_grader(spec.definition())
    good = {"category": "bug", "priority": "high", "product": "api", "summary": "API down.",
            "needs_human": True}  # fmt: skip
    assert grader.grade(Sample.from_text(json.dumps(good)), {}).passed
    assert not grader.grade(Sample.from_text(json.dumps({**good, "note": "x"})), {}).passed
    assert not grader.grade(Sample.from_text(json.dumps({**good, "priority": "p1"})), {}).passed
    assert not grader.grade(Sample.from_text("category: bug"), {}).passed


@pytest.mark.parametrize("name", SHIPPED)
def test_advisor_recommends_what_the_scenario_shows(name: str) -> None:
    from advisor.criteria import Answers, assess

    scenario = load_scenario(name)
    assert assess(Answers(scenario.answers)).recommendation.primary == scenario.expected_route


def test_generators_reproduce_the_committed_files(tmp_path: Path) -> None:
    env = {**os.environ, "SCENARIOS_OUT": str(tmp_path)}
    script = REPO / "scenarios" / "_generators" / "generate_all.py"
    subprocess.run([sys.executable, str(script)], env=env, check=True, capture_output=True)
    generated = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(generated) > 20
    for path in generated:
        committed = REPO / "scenarios" / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale"


# --- loading -------------------------------------------------------------------------


def test_load_by_name_folder_or_file_resolves_paths(tmp_path: Path) -> None:
    by_name = load_scenario("brand-voice")
    by_folder = load_scenario(REPO / "scenarios" / "brand-voice")
    by_file = load_scenario(str(REPO / "scenarios" / "brand-voice" / "scenario.toml"))
    assert by_name == by_folder == by_file
    assert by_name.training.sft.is_absolute() and by_name.training.sft.is_file()
    assert by_name.root == (REPO / "scenarios" / "brand-voice").resolve()


def test_a_local_scenarios_folder_is_searched_first(tmp_path: Path) -> None:
    copy = _copy("brand-voice", tmp_path)  # tmp_path is the working directory
    assert load_scenario("brand-voice").root == copy.resolve()


def test_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(UserInputError, match="brand-voice"):
        load_scenario("no-such-scenario")


def test_bad_toml_reports_the_line(tmp_path: Path) -> None:
    folder = _copy("brand-voice", tmp_path)
    toml = folder / "scenario.toml"
    lines = toml.read_text(encoding="utf-8").splitlines()
    lines[2] = "language = en"  # unquoted string on line 3
    toml.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_scenario(folder)
    assert info.value.line == 3
    assert "line 3" in str(info.value) and "scenario.toml" in str(info.value)


def test_invalid_field_reports_field_and_line(tmp_path: Path) -> None:
    folder = _copy("brand-voice", tmp_path)
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8").replace('kind = "style"', 'kind = "poetry"')
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match="kind") as info:
        load_scenario(folder)
    assert info.value.line == text.splitlines().index('kind = "poetry"') + 1


def test_unknown_route_is_rejected(tmp_path: Path) -> None:
    folder = _copy("brand-voice", tmp_path)
    toml = folder / "scenario.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'expected_route = "sft"', 'expected_route = "lora"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="expected_route"):
        load_scenario(folder)


# --- validation ----------------------------------------------------------------------


def test_planted_overlap_is_caught(tmp_path: Path) -> None:
    folder = _copy("brand-voice", tmp_path)
    scenario = load_scenario(folder)
    prompt = scenario.test_items()[4].prompt
    reply = "Hey there, trailblazer! Sure.\n\nTrail on,\nThe Larkspur Crew"
    planted = {"messages": [
        {"role": "system", "content": scenario.system_prompt},
        {"role": "user", "content": "  " + prompt.upper().rstrip("?.!") + " !! "},
        {"role": "assistant", "content": reply},
    ]}  # fmt: skip
    with scenario.training.sft.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(planted) + "\n")
    problems = validate_scenario(scenario)
    overlap = [p for p in problems if p.code == "test_in_training"]
    assert len(overlap) == 1
    assert scenario.test_items()[4].id in overlap[0].message
    assert overlap[0].line == 151 and overlap[0].path == str(scenario.training.sft)


def test_paraphrase_overlap_is_caught(tmp_path: Path) -> None:
    folder = _copy("house-rules", tmp_path)
    scenario = load_scenario(folder)
    training_prompt = json.loads(scenario.training.sft.read_text().splitlines()[0])["messages"][1]
    assert scenario.test.paraphrases is not None
    with scenario.test.paraphrases.open("a", encoding="utf-8") as handle:
        row = {"id": "hr-001", "paraphrases": [training_prompt["content"]]}
        handle.write(json.dumps(row) + "\n")
    assert "test_in_training" in _codes(validate_scenario(scenario))


def _tiny(tmp_path: Path, *, train: int, test: int, grader_field: str = "signoff") -> Scenario:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "scenario.toml").write_text(
        f"""name = "tiny"
title = "Tiny"
description = "A scenario too small to bench."
kind = "style"
system_prompt = "Be brief."
[training]
sft = "train.jsonl"
dpo = "missing.jsonl"
[test]
file = "test.jsonl"
[[test.graders]]
type = "string_check"
name = "signoff"
aspect = "style"
input = "{{{{ sample.output_text }}}}"
reference = "{{{{ item.{grader_field} }}}}"
operation = "like"
[knowledge]
documents = "docs"
""",
        encoding="utf-8",
    )
    with (folder / "train.jsonl").open("w") as handle:
        for i in range(train):
            messages = [{"role": "user", "content": f"question {i}"},
                        {"role": "assistant", "content": f"answer {i} -- Bye"}]  # fmt: skip
            handle.write(json.dumps({"messages": messages}) + "\n")
    with (folder / "test.jsonl").open("w") as handle:
        for i in range(test):
            item = {"id": f"t{i}", "prompt": f"held out {i}", "reference": "x -- Bye",
                    "signoff": "Bye"}  # fmt: skip
            handle.write(json.dumps(item) + "\n")
    return load_scenario(folder)


def test_small_scenario_reports_every_problem(tmp_path: Path) -> None:
    problems = validate_scenario(_tiny(tmp_path, train=5, test=3, grader_field="closing"))
    codes = _codes(problems)
    assert {"too_few_examples", "too_few_test_prompts", "missing_file",
            "missing_item_field", "no_answers"} <= codes  # fmt: skip
    missing = [p for p in problems if p.code == "missing_file"]
    assert {Path(p.path or "").name for p in missing} == {"missing.jsonl", "docs"}
    assert any(p.severity == "warning" for p in problems)


def test_reference_failing_its_grader_is_reported(tmp_path: Path) -> None:
    scenario = _tiny(tmp_path, train=100, test=30)
    lines = scenario.test.file.read_text().splitlines()
    broken = json.loads(lines[0]) | {"reference": "no sign-off here"}
    scenario.test.file.write_text("\n".join([json.dumps(broken), *lines[1:]]) + "\n")
    problems = validate_scenario(scenario)
    assert [p.message for p in problems if p.code == "reference_fails_grader"] == [
        "the reference of t0 fails grader 'signoff'"
    ]


def test_invalid_answers_are_reported(tmp_path: Path) -> None:
    folder = _copy("brand-voice", tmp_path)
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('budget = "moderate"', 'budget = "lavish"').replace(
        "fixed_style = true", "fixed_style = true\nfavourite_colour = 3"
    )
    toml.write_text(text, encoding="utf-8")
    codes = _codes(validate_scenario(load_scenario(folder)))
    assert {"invalid_answer", "unknown_answer"} <= codes


def test_normalize_prompt_ignores_case_spacing_and_punctuation() -> None:
    assert normalize_prompt("  Where is   my ORDER?! ") == normalize_prompt("where is my order")
    assert normalize_prompt("ＡＢＣ　です。") == normalize_prompt("abc です")
    assert normalize_prompt("order 12") != normalize_prompt("order 13")
