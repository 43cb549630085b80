"""string_check, regex, json_schema graders and the template renderer."""

from __future__ import annotations

import pytest

from advisor.errors import GraderError
from advisor.graders import Sample, load_grader, render


def grade(spec: dict, text: str, item: dict | None = None):
    return load_grader(spec).grade(Sample.from_text(text), item or {})


@pytest.mark.parametrize(
    ("operation", "text", "reference", "expected"),
    [
        ("eq", "Paris", "Paris", 1.0),
        ("eq", "paris", "Paris", 0.0),
        ("ne", "Rome", "Paris", 1.0),
        ("like", "It is Paris.", "Paris", 1.0),
        ("like", "It is paris.", "Paris", 0.0),
        ("ilike", "It is PARIS.", "paris", 1.0),
    ],
)
def test_string_check_operations(operation: str, text: str, reference: str, expected: float):
    spec = {
        "type": "string_check",
        "name": "s",
        "input": "{{ sample.output_text }}",
        "reference": "{{ item.answer }}",
        "operation": operation,
    }
    result = grade(spec, text, {"answer": reference})
    assert result.score == expected
    assert result.passed is (expected == 1.0)


def test_render_fills_sample_and_item_paths_and_writes_json_for_non_strings():
    sample = Sample.from_text('{"label": "spam", "n": 2}')
    item = {"meta": {"tags": ["a", "b"]}, "id": 7}
    text = "{{sample.output_json.label}}|{{ item.meta.tags.1 }}|{{ item.id }}|{{ item.meta }}"
    assert render(text, sample, item) == 'spam|b|7|{"tags": ["a", "b"]}'


def test_render_names_a_missing_field():
    with pytest.raises(GraderError, match=r"item\.answer"):
        render("{{ item.answer }}", Sample(output_text="x"), {})


def test_regex_search_fullmatch_and_ignore_case():
    assert grade({"type": "regex", "pattern": r"CATEGORY: [A-Z]+"}, "ok CATEGORY: LOGIN").passed
    full = {"type": "regex", "pattern": r"CATEGORY: [A-Z]+", "mode": "fullmatch"}
    assert not grade(full, "ok CATEGORY: LOGIN").passed
    assert grade({**full, "ignore_case": True}, "category: login").passed


def test_regex_rejects_an_invalid_pattern_at_load_time():
    with pytest.raises(GraderError, match="invalid pattern"):
        load_grader({"type": "regex", "pattern": "(unclosed"})


def test_json_schema_accepts_valid_json_even_in_a_code_fence_and_explains_failures():
    spec = {
        "type": "json_schema",
        "name": "shape",
        "schema": {
            "type": "object",
            "required": ["label"],
            "properties": {"label": {"enum": ["spam", "ham"]}},
        },
    }
    assert grade(spec, '{"label": "spam"}').score == 1.0
    assert grade(spec, '```json\n{"label": "ham"}\n```').score == 1.0
    wrong = grade(spec, '{"label": "eggs"}')
    assert wrong.score == 0.0 and "label" in wrong.details["error"]
    assert "not JSON" in grade(spec, "label: spam").details["error"]


def test_json_schema_rejects_an_invalid_schema():
    with pytest.raises(GraderError, match="invalid JSON Schema"):
        load_grader({"type": "json_schema", "schema": {"type": "no-such-type"}})


def test_pass_threshold_overrides_the_default():
    spec = {"type": "string_check", "reference": "x", "operation": "eq", "pass_threshold": 0.0}
    assert grade(spec, "y").passed  # score 0 reaches a threshold of 0


def test_unknown_type_and_bad_fields_are_grader_errors():
    with pytest.raises(GraderError, match="unknown grader type"):
        load_grader({"type": "label_model"})
    with pytest.raises(GraderError, match="operation"):
        load_grader({"type": "string_check", "reference": "x", "operation": "contains"})


def test_regex_pattern_from_the_item_honours_ignore_case():
    spec = {"type": "regex", "pattern": "{{ item.fact }}", "ignore_case": True}
    assert grade(spec, "The torque is 12 NM.", {"fact": r"12 nm"}).passed
    assert not grade(
        {**spec, "ignore_case": False}, "The torque is 12 NM.", {"fact": "12 nm"}
    ).passed


def test_an_invalid_pattern_from_the_item_scores_zero_with_the_reason():
    result = grade({"type": "regex", "pattern": "{{ item.fact }}"}, "text", {"fact": "(unclosed"})
    assert result.score == 0.0 and "invalid pattern" in result.details["error"]
