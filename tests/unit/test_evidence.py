"""Advice checked against the files (issue 13): planted contradictions are found."""

from __future__ import annotations

from advisor.criteria import assess, load_answers
from advisor.evidence import gather
from tests.conftest import FIXTURES

PLANTED = FIXTURES / "evidence/planted"


def _stated() -> dict[str, object]:
    return dict(load_answers(PLANTED / "answers.yaml").root)


def test_example_count_after_validation_and_cleansing() -> None:
    found = gather(PLANTED, _stated())
    # 15 lines: 12 good, an exact duplicate, one without an answer, one broken.
    assert found.examples_read == 15
    assert found.examples_invalid == 2
    assert found.examples_removed_by_cleaning == 1
    assert found.example_count == 12
    assert found.language == "en"


def test_every_planted_contradiction_is_side_by_side() -> None:
    found = gather(PLANTED, _stated())
    rows = {f.question: (f.stated, f.measured, f.contradicts) for f in found.findings}
    assert rows["example_count"] == (200, 12, True)
    assert rows["has_preference_pairs"] == (False, True, True)
    assert rows["has_grader"] == (True, False, True)  # it rejects every reference answer
    assert rows["knowledge_volume"] == ("large", "small", True)
    assert found.grader_reference_pass_rate == 0.0
    assert found.knowledge_files == 2 and 0 < found.knowledge_tokens < 100
    assert sum("the measured value is used" in w for w in found.warnings) == 4
    assert any("the grader fails 100%" in w for w in found.warnings)


def test_the_measured_values_change_the_recommendation() -> None:
    stated = _stated()
    found = gather(PLANTED, stated)
    as_stated = assess(stated)
    as_measured = assess({**stated, **found.measured_answers()})
    assert as_stated.route("rft").eligible and not as_measured.route("rft").eligible
    assert as_measured.route("dpo").eligible and not as_stated.route("dpo").eligible
    assert as_measured.answers["example_count"] == 12


def test_a_scenario_without_contradictions_confirms_its_answers() -> None:
    found = gather("invoice-total")
    assert not [f for f in found.findings if f.contradicts]
    assert found.example_count == 150 and found.preference_pairs == 120
    assert found.grader_reference_pass_rate == 1.0


def test_a_shipped_scenario_with_a_cleansing_discrepancy() -> None:
    found = gather("ja-support")
    row = next(f for f in found.findings if f.question == "example_count")
    assert row.contradicts and row.stated == 150 and row.measured < 150
    assert found.language == "ja"
