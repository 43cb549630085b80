"""The checks behind :func:`advisor.bench.scenario.validate_scenario`.

Each check appends :class:`Problem` objects instead of raising, so one run
shows everything that is wrong.  Checks that need another area of the product
(the data toolkit, the graders, the advisor catalog) use it when it is
installed and fall back to structural checks otherwise.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

from advisor.bench.scenario import (
    KNOWLEDGE_SUFFIXES,
    MIN_TEST_PROMPTS,
    MIN_TRAINING_EXAMPLES,
    Problem,
    Scenario,
    TestItem,
    _read_jsonl,
    normalize_prompt,
)
from advisor.errors import AdvisorError, DataFileError
from advisor.ids import METHODS

ITEM_FIELD = re.compile(r"\{\{\s*item\.([A-Za-z_][\w]*)")
REQUIRED_GRADER_KEYS: dict[str, tuple[str, ...]] = {
    "string_check": ("input", "reference", "operation"),
    "text_similarity": ("input", "reference", "evaluation_metric"),
    "python": ("source",),
    "score_model": ("model", "input"),
    "multi": ("graders", "calculate_output"),
    "regex": ("input", "pattern"),
    "json_schema": ("input", "schema"),
}


def _optional(module: str, attribute: str) -> Any:
    """``module.attribute`` when that part of the product exists yet, else None."""
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError):
        return None


def check_scenario(scenario: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    training_prompts = _check_training(scenario, problems)
    items = _check_test(scenario, problems)
    _check_overlap(scenario, items, training_prompts, problems)
    _check_graders(scenario, items, problems)
    _check_knowledge(scenario, problems)
    _check_answers(scenario, problems)
    return problems


# --- training files ------------------------------------------------------------------


def _check_training(scenario: Scenario, problems: list[Problem]) -> dict[str, tuple[str, int]]:
    """Validates each training file; returns normalized user prompt -> (file, line)."""
    prompts: dict[str, tuple[str, int]] = {}
    _rft_grader(scenario, problems)
    grader_path = scenario.training.rft_grader
    if grader_path is not None and not grader_path.is_file():
        grader_path = None
    for method in METHODS:
        path = scenario.training.file(method)
        if path is None:
            continue
        if not path.is_file():
            problems.append(
                Problem(
                    code="missing_file", message=f"{method} training file not found", path=str(path)
                )
            )
            continue
        count = _validate_training_file(path, method, grader_path, problems)
        if method == "sft" and count < MIN_TRAINING_EXAMPLES:
            problems.append(
                Problem(
                    code="too_few_examples",
                    message=f"{count} SFT examples; a benchmark needs at least "
                    f"{MIN_TRAINING_EXAMPLES}",
                    path=str(path),
                )
            )
        try:
            for line, record in _read_jsonl(path):
                for text in _user_texts(record):
                    prompts.setdefault(normalize_prompt(text), (str(path), line))
        except DataFileError:
            pass  # already reported by the file validation
    return prompts


def _validate_training_file(
    path: Path, method: str, grader: Path | None, problems: list[Problem]
) -> int:
    validate_file = _optional("advisor.data.validate", "validate_file")
    if validate_file is not None:
        try:
            report = validate_file(path, method, grader=grader if method == "rft" else None)
        except AdvisorError as exc:
            problems.append(Problem(code="invalid_training_file", message=str(exc), path=str(path)))
            return 0
        for severity, issues in (("error", report.errors), ("warning", report.warnings)):
            problems.extend(
                Problem(
                    severity=severity,
                    code=issue.code,
                    message=issue.message,
                    text=getattr(issue, "text", None),
                    path=str(path),
                    line=issue.line,
                )
                for issue in issues
            )
        return int(report.examples)
    return _structural_training_check(path, method, problems)


def _structural_training_check(path: Path, method: str, problems: list[Problem]) -> int:
    """Minimal shape checks used until the data toolkit is installed."""
    count = 0
    try:
        for line, record in _read_jsonl(path):
            count += 1
            messages = (
                record.get("messages")
                if method != "dpo"
                else (
                    record.get("input", {}).get("messages")
                    if isinstance(record.get("input"), dict)
                    else None
                )
            )
            if not isinstance(messages, list) or not messages:
                problems.append(
                    Problem(
                        code="no_messages", message="no messages list", path=str(path), line=line
                    )
                )
                continue
            if method == "sft" and messages[-1].get("role") != "assistant":
                problems.append(
                    Problem(
                        code="no_assistant",
                        message="the last message must be the assistant's answer",
                        path=str(path),
                        line=line,
                    )
                )
            if method == "dpo" and not (
                record.get("preferred_output") and record.get("non_preferred_output")
            ):
                problems.append(
                    Problem(
                        code="no_pair",
                        message="needs preferred_output and non_preferred_output",
                        path=str(path),
                        line=line,
                    )
                )
    except DataFileError as exc:
        problems.append(
            Problem(code="invalid_json", message=exc.message, path=str(path), line=exc.line)
        )
    return count


def _user_texts(record: dict[str, Any]) -> list[str]:
    messages = record.get("messages")
    if messages is None and isinstance(record.get("input"), dict):
        messages = record["input"].get("messages")
    if not isinstance(messages, list):
        return []
    return [
        str(m.get("content", ""))
        for m in messages
        if isinstance(m, dict) and m.get("role") == "user"
    ]


def _rft_grader(scenario: Scenario, problems: list[Problem]) -> Any:
    path = scenario.training.rft_grader
    if path is None:
        return None
    if not path.is_file():
        problems.append(
            Problem(code="missing_file", message="rft_grader not found", path=str(path))
        )
        return None
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(
                code="invalid_json",
                message=f"invalid JSON: {exc.msg}",
                path=str(path),
                line=exc.lineno,
            )
        )
        return None
    return _load_grader(spec, str(path), problems)


# --- test set ------------------------------------------------------------------------


def _check_test(scenario: Scenario, problems: list[Problem]) -> list[TestItem]:
    path = scenario.test.file
    if not path.is_file():
        problems.append(Problem(code="missing_file", message="test file not found", path=str(path)))
        return []
    try:
        items = scenario.test_items()
    except DataFileError as exc:
        problems.append(
            Problem(code="invalid_test_item", message=exc.message, path=str(path), line=exc.line)
        )
        return []
    if len(items) < MIN_TEST_PROMPTS:
        problems.append(
            Problem(
                code="too_few_test_prompts",
                message=f"{len(items)} test prompts; a benchmark needs at least {MIN_TEST_PROMPTS}",
                path=str(path),
            )
        )
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            problems.append(
                Problem(code="duplicate_id", message=f"test id {item.id!r} repeats", path=str(path))
            )
        seen.add(item.id)
    if scenario.test.paraphrases is not None:
        try:
            for test_id in scenario.paraphrases():
                if test_id not in seen:
                    problems.append(
                        Problem(
                            code="unknown_paraphrase_id",
                            message=f"paraphrases for unknown test id {test_id!r}",
                            path=str(scenario.test.paraphrases),
                        )
                    )
        except DataFileError as exc:
            problems.append(
                Problem(
                    code="invalid_paraphrases", message=exc.message, path=exc.path, line=exc.line
                )
            )
    return items


def _check_overlap(
    scenario: Scenario,
    items: list[TestItem],
    training: dict[str, tuple[str, int]],
    problems: list[Problem],
) -> None:
    """Held-out means held out: no test prompt (or paraphrase) may be a training prompt."""
    candidates = [(item.id, item.prompt) for item in items]
    try:
        for test_id, texts in scenario.paraphrases().items():
            candidates += [(f"{test_id} (paraphrase)", text) for text in texts]
    except DataFileError:
        pass  # reported by _check_test
    for test_id, prompt in candidates:
        hit = training.get(normalize_prompt(prompt))
        if hit is not None:
            problems.append(
                Problem(
                    code="test_in_training",
                    message=f"test prompt {test_id} also appears in training",
                    path=hit[0],
                    line=hit[1],
                )
            )


# --- graders -------------------------------------------------------------------------


def _load_grader(spec: dict[str, Any], where: str, problems: list[Problem]) -> Any:
    load_grader = _optional("advisor.graders", "load_grader")
    if load_grader is None:
        _structural_grader_check(spec, where, problems)
        return None
    try:
        return load_grader(spec)
    except (AdvisorError, ValueError, TypeError, KeyError) as exc:
        problems.append(
            Problem(
                code="invalid_grader", message=f"grader {spec.get('name')!r}: {exc}", path=where
            )
        )
        return None


def _structural_grader_check(spec: dict[str, Any], where: str, problems: list[Problem]) -> None:
    kind = spec.get("type")
    required = REQUIRED_GRADER_KEYS.get(str(kind))
    if required is None:
        problems.append(
            Problem(code="invalid_grader", message=f"unknown grader type {kind!r}", path=where)
        )
        return
    missing = [key for key in required if key not in spec]
    if missing:
        problems.append(
            Problem(
                code="invalid_grader",
                message=f"grader {spec.get('name')!r} ({kind}) lacks {', '.join(missing)}",
                path=where,
            )
        )
    if kind == "python":
        try:
            compile(str(spec.get("source", "")), f"<grader {spec.get('name')}>", "exec")
        except SyntaxError as exc:
            problems.append(
                Problem(code="invalid_grader", message=f"python grader: {exc.msg}", path=where)
            )
    if kind == "multi":
        for sub in (spec.get("graders") or {}).values():
            if isinstance(sub, dict):
                _structural_grader_check(sub, where, problems)


def _check_graders(scenario: Scenario, items: list[TestItem], problems: list[Problem]) -> None:
    where = str(scenario.root / "scenario.toml")
    if not scenario.test.graders:
        problems.append(
            Problem(code="no_graders", message="the test set has no graders", path=where)
        )
        return
    sample_cls = _optional("advisor.graders", "Sample")
    for spec in scenario.test.graders:
        definition = spec.definition()
        grader = _load_grader(definition, where, problems)
        fields = set(ITEM_FIELD.findall(json.dumps(definition)))
        for item in items:
            missing = fields - set(item.fields())
            if missing:
                problems.append(
                    Problem(
                        code="missing_item_field",
                        message=f"test item {item.id} lacks {', '.join(sorted(missing))} "
                        f"used by grader {spec.name!r}",
                        path=str(scenario.test.file),
                    )
                )
                break
        if grader is None or sample_cls is None:
            continue
        # A reference answer that fails its own grader means the grader or the data is wrong.
        for item in items:
            if item.reference is None:
                continue
            try:
                result = grader.grade(_sample(sample_cls, item.reference), item.fields())
            except AdvisorError as exc:
                problems.append(
                    Problem(
                        code="grader_failed",
                        message=f"grader {spec.name!r} on {item.id}: {exc}",
                        path=where,
                    )
                )
                break
            if not result.passed:
                problems.append(
                    Problem(
                        code="reference_fails_grader",
                        message=f"the reference of {item.id} fails grader {spec.name!r}",
                        path=str(scenario.test.file),
                    )
                )


def _sample(sample_cls: Any, text: str) -> Any:
    try:
        parsed: Any = json.loads(text)
    except json.JSONDecodeError:
        parsed = None
    return sample_cls(output_text=text, output_json=parsed)


# --- knowledge and answers -----------------------------------------------------------


def _check_knowledge(scenario: Scenario, problems: list[Problem]) -> None:
    if scenario.knowledge is None:
        if scenario.kind == "knowledge":
            problems.append(
                Problem(
                    severity="warning",
                    code="no_knowledge",
                    message="a knowledge scenario without [knowledge] documents cannot bench RAG",
                    path=str(scenario.root / "scenario.toml"),
                )
            )
        return
    folder = scenario.knowledge.documents
    if not folder.is_dir():
        problems.append(
            Problem(code="missing_file", message="knowledge folder not found", path=str(folder))
        )
    elif not scenario.knowledge_files():
        problems.append(
            Problem(
                code="empty_knowledge",
                message=f"no {'/'.join(KNOWLEDGE_SUFFIXES)} documents in the knowledge folder",
                path=str(folder),
            )
        )


def _check_answers(scenario: Scenario, problems: list[Problem]) -> None:
    where = str(scenario.root / "scenario.toml")
    if not scenario.answers:
        problems.append(
            Problem(
                severity="warning",
                code="no_answers",
                message="no [answers]: the report cannot compare with the advisor",
                path=where,
            )
        )
        return
    load_catalog = _optional("advisor.criteria", "load_catalog")
    coerce = _optional("advisor.criteria.answers", "coerce_answer")
    if load_catalog is None or coerce is None:
        return
    catalog = load_catalog()
    known = set(catalog.question_ids())
    for key, value in scenario.answers.items():
        if key not in known:
            problems.append(
                Problem(
                    code="unknown_answer",
                    message=f"[answers] {key} is not an advisor question",
                    path=where,
                )
            )
            continue
        try:
            coerce(catalog.question(key), value)
        except AdvisorError as exc:
            problems.append(Problem(code="invalid_answer", message=f"[answers] {exc}", path=where))
    _check_recommendation(scenario, where, problems)


def _check_recommendation(scenario: Scenario, where: str, problems: list[Problem]) -> None:
    """Warn when the advisor, given the scenario's answers, recommends another route."""
    assess = _optional("advisor.criteria", "assess")
    answers_cls = _optional("advisor.criteria", "Answers")
    if scenario.expected_route is None or assess is None or answers_cls is None:
        return
    try:
        primary = assess(answers_cls(scenario.answers)).recommendation.primary
    except (AdvisorError, ValueError):
        return  # invalid answers are reported above
    if primary != scenario.expected_route:
        problems.append(
            Problem(
                severity="warning",
                code="advisor_disagrees",
                message=f"the advisor recommends {primary} for these answers, "
                f"but the scenario expects {scenario.expected_route}",
                path=where,
            )
        )
