"""The checks behind :func:`advisor.bench.scenario.validate_scenario`.

Each check appends :class:`Problem` objects instead of raising, so one run
shows everything that is wrong.  Checks that need another area of the product
(the data toolkit, the graders, the advisor catalog) use it when it is
installed and fall back to structural checks otherwise.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from advisor import messages
from advisor.bench.scenario import (
    MIN_TEST_PROMPTS,
    MIN_TRAINING_EXAMPLES,
    Problem,
    QuotedMessage,
    Scenario,
    TestItem,
    _read_jsonl,
    normalize_prompt,
)
from advisor.bench.scenario_context import check_answers, check_knowledge, optional
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


def check_scenario(scenario: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    training_prompts = _check_training(scenario, problems)
    items = _check_test(scenario, problems)
    _check_overlap(scenario, items, training_prompts, problems)
    _check_graders(scenario, items, problems)
    check_knowledge(scenario, problems)
    check_answers(scenario, problems)
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
            missing = "core.scenario_check.training_missing"
            problems.append(Problem.of("missing_file", missing, path=str(path), method=method))
            continue
        count = _validate_training_file(path, method, grader_path, problems)
        if method == "sft" and count < MIN_TRAINING_EXAMPLES:
            problems.append(
                Problem.of(
                    "too_few_examples",
                    "core.scenario_check.too_few_examples",
                    path=str(path),
                    count=count,
                    minimum=MIN_TRAINING_EXAMPLES,
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
    validate_file = optional("advisor.data.validate", "validate_file")
    if validate_file is not None:
        try:
            report = validate_file(path, method, grader=grader if method == "rft" else None)
        except AdvisorError as exc:
            quoted = "core.scenario_check.quoted"
            problems.append(Problem.of("invalid_training_file", quoted, path=str(path), error=exc))
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
                no_list = "core.scenario_check.no_messages"
                problems.append(Problem.of("no_messages", no_list, path=str(path), line=line))
                continue
            if method == "sft" and messages[-1].get("role") != "assistant":
                no_answer = "core.scenario_check.no_assistant"
                problems.append(Problem.of("no_assistant", no_answer, path=str(path), line=line))
            if method == "dpo" and not (
                record.get("preferred_output") and record.get("non_preferred_output")
            ):
                problems.append(
                    Problem.of("no_pair", "core.scenario_check.no_pair", path=str(path), line=line)
                )
    except DataFileError as exc:
        problems.append(
            Problem.of(
                "invalid_json",
                "core.scenario_check.quoted",
                path=str(path),
                line=exc.line,
                error=QuotedMessage(exc),
            )
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
            Problem.of("missing_file", "core.scenario_check.rft_grader_missing", path=str(path))
        )
        return None
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        problems.append(
            Problem.of(
                "invalid_json",
                "core.scenario_check.bad_json",
                path=str(path),
                line=exc.lineno,
                error=exc.msg,
            )
        )
        return None
    return _load_grader(spec, str(path), problems)


# --- test set ------------------------------------------------------------------------


def _check_test(scenario: Scenario, problems: list[Problem]) -> list[TestItem]:
    path = scenario.test.file
    if not path.is_file():
        problems.append(
            Problem.of("missing_file", "core.scenario_check.test_missing", path=str(path))
        )
        return []
    try:
        items = scenario.test_items()
    except DataFileError as exc:
        problems.append(
            Problem.of(
                "invalid_test_item",
                "core.scenario_check.quoted",
                path=str(path),
                line=exc.line,
                error=QuotedMessage(exc),
            )
        )
        return []
    if len(items) < MIN_TEST_PROMPTS:
        problems.append(
            Problem.of(
                "too_few_test_prompts",
                "core.scenario_check.too_few_prompts",
                path=str(path),
                count=len(items),
                minimum=MIN_TEST_PROMPTS,
            )
        )
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            problems.append(
                Problem.of(
                    "duplicate_id",
                    "core.scenario_check.duplicate_id",
                    path=str(path),
                    id=repr(item.id),
                )
            )
        seen.add(item.id)
    if scenario.test.paraphrases is not None:
        try:
            for test_id in scenario.paraphrases():
                if test_id not in seen:
                    problems.append(
                        Problem.of(
                            "unknown_paraphrase_id",
                            "core.scenario_check.unknown_paraphrase_id",
                            path=str(scenario.test.paraphrases),
                            id=repr(test_id),
                        )
                    )
        except DataFileError as exc:
            problems.append(
                Problem.of(
                    "invalid_paraphrases",
                    "core.scenario_check.quoted",
                    path=exc.path,
                    line=exc.line,
                    error=QuotedMessage(exc),
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
    candidates: list[tuple[str | messages.Localized, str]] = [
        (item.id, item.prompt) for item in items
    ]
    try:
        for paraphrased, texts in scenario.paraphrases().items():
            shown = messages.Localized("core.scenario_check.paraphrase_of", {"id": paraphrased})
            candidates += [(shown, text) for text in texts]
    except DataFileError:
        pass  # reported by _check_test
    for test_id, prompt in candidates:
        hit = training.get(normalize_prompt(prompt))
        if hit is not None:
            problems.append(
                Problem.of(
                    "test_in_training",
                    "core.scenario_check.test_in_training",
                    path=hit[0],
                    line=hit[1],
                    id=test_id,
                )
            )


# --- graders -------------------------------------------------------------------------


def _load_grader(spec: dict[str, Any], where: str, problems: list[Problem]) -> Any:
    load_grader = optional("advisor.graders", "load_grader")
    if load_grader is None:
        _structural_grader_check(spec, where, problems)
        return None
    try:
        return load_grader(spec)
    except (AdvisorError, ValueError, TypeError, KeyError) as exc:
        problems.append(
            Problem.of(
                "invalid_grader",
                "core.scenario_check.invalid_grader",
                path=where,
                name=repr(spec.get("name")),
                error=exc,
            )
        )
        return None


def _structural_grader_check(spec: dict[str, Any], where: str, problems: list[Problem]) -> None:
    kind = spec.get("type")
    required = REQUIRED_GRADER_KEYS.get(str(kind))
    if required is None:
        problems.append(
            Problem.of(
                "invalid_grader",
                "core.scenario_check.unknown_grader_type",
                path=where,
                kind=repr(kind),
            )
        )
        return
    missing = [key for key in required if key not in spec]
    if missing:
        problems.append(
            Problem.of(
                "invalid_grader",
                "core.scenario_check.grader_lacks",
                path=where,
                name=repr(spec.get("name")),
                kind=kind,
                missing=", ".join(missing),
            )
        )
    if kind == "python":
        try:
            compile(str(spec.get("source", "")), f"<grader {spec.get('name')}>", "exec")
        except SyntaxError as exc:
            problems.append(
                Problem.of(
                    "invalid_grader", "core.scenario_check.python_syntax", path=where, error=exc.msg
                )
            )
    if kind == "multi":
        for sub in (spec.get("graders") or {}).values():
            if isinstance(sub, dict):
                _structural_grader_check(sub, where, problems)


def _check_graders(scenario: Scenario, items: list[TestItem], problems: list[Problem]) -> None:
    where = str(scenario.root / "scenario.toml")
    if not scenario.test.graders:
        problems.append(Problem.of("no_graders", "core.scenario_check.no_graders", path=where))
        return
    sample_cls = optional("advisor.graders", "Sample")
    for spec in scenario.test.graders:
        definition = spec.definition()
        grader = _load_grader(definition, where, problems)
        fields = set(ITEM_FIELD.findall(json.dumps(definition)))
        for item in items:
            missing = fields - set(item.fields())
            if missing:
                problems.append(
                    Problem.of(
                        "missing_item_field",
                        "core.scenario_check.item_lacks_field",
                        path=str(scenario.test.file),
                        id=item.id,
                        fields=", ".join(sorted(missing)),
                        name=repr(spec.name),
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
                    Problem.of(
                        "grader_failed",
                        "core.scenario_check.grader_failed",
                        path=where,
                        name=repr(spec.name),
                        id=item.id,
                        error=exc,
                    )
                )
                break
            if not result.passed:
                problems.append(
                    Problem.of(
                        "reference_fails_grader",
                        "core.scenario_check.reference_fails",
                        path=str(scenario.test.file),
                        id=item.id,
                        name=repr(spec.name),
                    )
                )


def _sample(sample_cls: Any, text: str) -> Any:
    try:
        parsed: Any = json.loads(text)
    except json.JSONDecodeError:
        parsed = None
    return sample_cls(output_text=text, output_json=parsed)
