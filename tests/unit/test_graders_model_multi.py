"""score_model (judge through a chat backend) and multi (safe formula)."""

from __future__ import annotations

import pytest

from advisor.errors import GraderError
from advisor.graders import Sample, load_grader
from advisor.graders.multi import Formula
from advisor.graders.score_model import parse_score
from backends.fake import FakeBackend

JUDGE = {
    "type": "score_model",
    "name": "judge",
    "model": "fake-model",
    "input": [
        {"role": "system", "content": "Rate the answer from 0 to 10."},
        {"role": "user", "content": "Q: {{ item.question }}\nA: {{ sample.output_text }}"},
    ],
    "range": [0, 10],
    "pass_threshold": 7,
}


@pytest.mark.parametrize(
    ("text", "low", "high", "expected"),
    [
        ("8", 0, 10, 8.0),
        ('{"score": 0.9, "reason": "good"}', 0, 1, 0.9),
        ("Score: 7/10", 0, 1, 0.7),
        ("I would give it 8 out of 10.", 0, 10, 8.0),
        ("rating = 4", 1, 5, 4.0),
        ("42", 0, 10, 10.0),  # clamped
        ("no number here", 0, 1, None),
    ],
)
def test_parse_score_is_forgiving(text: str, low: float, high: float, expected: float | None):
    assert parse_score(text, low, high) == expected


def test_score_model_asks_the_judge_with_rendered_templates(settings):
    backend = FakeBackend(settings)
    FakeBackend.queue_replies("Score: 9/10", "3")
    grader = load_grader(JUDGE, backend=backend)
    good = grader.grade(Sample(output_text="Paris"), {"question": "Capital of France?"})
    bad = grader.grade(Sample(output_text="Lyon"), {"question": "Capital of France?"})
    assert (good.score, good.passed) == (9.0, True)
    assert (bad.score, bad.passed) == (3.0, False)


def test_score_model_without_a_score_fails_softly(settings):
    FakeBackend.queue_replies("I cannot judge this.")
    result = load_grader(JUDGE, backend=FakeBackend(settings)).grade(
        Sample(output_text="x"), {"question": "q"}
    )
    assert result.score == 0 and not result.passed
    assert "no score" in result.details["error"]


def test_score_model_finds_its_backend_from_the_spec(settings):
    FakeBackend.queue_replies("10")
    grader = load_grader({**JUDGE, "backend": "fake"}, settings=settings)
    assert grader.grade(Sample(output_text="x"), {"question": "q"}).score == 10.0


def test_multi_combines_sub_graders_by_formula():
    spec = {
        "type": "multi",
        "name": "combo",
        "graders": {
            "exact": {"type": "string_check", "reference": "{{ item.answer }}", "operation": "eq"},
            "shape": {"type": "regex", "pattern": r"^\d+$"},
        },
        "calculate_output": "0.75 * exact + 0.25 * shape",
        "pass_threshold": 0.5,
    }
    grader = load_grader(spec)
    assert grader.grade(Sample(output_text="42"), {"answer": "42"}).score == 1.0
    partial = grader.grade(Sample(output_text="41"), {"answer": "42"})
    assert partial.score == 0.25 and not partial.passed
    assert partial.details["graders"]["shape"]["score"] == 1.0


def test_formula_supports_functions_comparisons_and_conditionals():
    formula = Formula("min(a, b) + (1 if a > 0.5 else 0) + clip(b * 10, 0, 2)", {"a", "b"})
    assert formula.evaluate({"a": 0.8, "b": 0.3}) == pytest.approx(0.3 + 1 + 2)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "a.__class__",
        "open('x')",
        "[a for a in (1,)]",
        "a[0]",
        "lambda: 1",
        "unknown + 1",
        "'text'",
        "min(a, key=b)",
    ],
)
def test_formula_rejects_anything_but_arithmetic(text: str):
    with pytest.raises(GraderError):
        Formula(text, {"a", "b"})


def test_formula_refuses_huge_powers_and_reports_division_by_zero():
    with pytest.raises(GraderError):
        Formula("10 ** 10 ** 10", set()).evaluate({})
    with pytest.raises(GraderError, match="failed"):
        Formula("a / b", {"a", "b"}).evaluate({"a": 1, "b": 0})
