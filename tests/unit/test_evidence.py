"""Advice checked against the files (issue 13): planted contradictions are found."""

from __future__ import annotations

import pytest

from advisor.criteria import assess, load_answers
from advisor.evidence import answer_text, gather, question_text
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


@pytest.mark.parametrize(
    ("question", "value", "en", "ja"),
    [
        ("has_grader", True, "yes", "はい"),
        ("has_grader", False, "no", "いいえ"),
        ("knowledge_volume", "small", "small (a few documents)", "少ない（文書数件）"),
        ("knowledge_changes", "daily", "daily", "毎日"),
        ("knowledge_volume", "vast", "vast", "vast"),  # not a choice: as written
        ("example_count", 1200, "1200", "1200"),
        ("example_count", None, "-", "-"),  # not stated
        ("no_such_question", 7, "7", "7"),
    ],
)
def test_an_answer_is_worded_as_the_interview_words_it(question, value, en, ja) -> None:
    assert answer_text(question, value, "en") == en
    assert answer_text(question, value, "ja") == ja


def test_a_question_is_named_by_its_short_label() -> None:
    assert question_text("has_grader", "en") == "Automatic grader"
    assert question_text("has_grader", "ja") == "自動採点"
    assert question_text("no_such_question", "ja") == "no_such_question"


def test_findings_and_warnings_are_worded_and_the_json_keeps_its_values() -> None:
    found = gather(PLANTED, _stated())
    grader = next(f for f in found.findings if f.question == "has_grader")
    said = (grader.question_in("ja"), grader.stated_in("ja"), grader.measured_in("ja"))
    assert said == ("自動採点", "はい", "いいえ")
    assert (grader.stated_in("en"), grader.measured_in("en")) == ("yes", "no")
    volume = next(f for f in found.findings if f.question == "knowledge_volume")
    assert volume.stated_in("ja") == "多い（大量の文書）"
    ja = found.warnings_in("ja")
    assert any(
        w.startswith("自動採点: 回答は「はい」ですが、ファイルでは「いいえ」です") for w in ja
    )
    assert not [w for w in ja if "True" in w or "False" in w or "has_grader" in w]
    en = found.warnings_in("en")
    assert any(w.startswith("Automatic grader: the answer says yes, the files show no") for w in en)
    # The JSON is a contract: ids and Python values, as it always printed them.
    assert any(
        w.startswith("has_grader: the answer says True, the files show False")
        for w in found.warnings
    )
    assert any("'large', the files show 'small'" in w for w in found.warnings)
    dumped = found.model_dump(mode="json")["findings"]
    assert {"question": "has_grader", "stated": True, "measured": False} in [
        {k: row[k] for k in ("question", "stated", "measured")} for row in dumped
    ]
