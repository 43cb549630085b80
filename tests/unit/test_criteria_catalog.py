"""The catalog: the agreed ids exist, every text is bilingual, broken data fails loudly."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest
import yaml

from advisor.criteria import load_catalog
from advisor.criteria.catalog import Text, parse_catalog, question_views
from advisor.errors import DataFileError

# The stable public interface from the issue: id -> answer type (choices where given).
ISSUE_QUESTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "fixed_style": ("yes_no", ()),
    "minimize_variance": ("yes_no", ()),
    "strict_format": ("yes_no", ()),
    "proprietary_rules": ("yes_no", ()),
    "long_term_stability": ("yes_no", ()),
    "simple_rules_only": ("yes_no", ()),
    "knowledge_volume": ("choice", ("none", "small", "large")),
    "knowledge_changes": ("choice", ("rarely", "monthly", "daily")),
    "needs_citations": ("yes_no", ()),
    "example_count": ("count", ()),
    "has_preference_pairs": ("yes_no", ()),
    "has_grader": ("yes_no", ()),
    "quick_prototype": ("yes_no", ()),
    "budget": ("choice", ("minimal", "moderate", "flexible")),
    "data_privacy": ("choice", ("cloud_ok", "local_only")),
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _raw() -> dict[str, Any]:
    text = resources.files("advisor.criteria").joinpath("catalog.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def _texts(value: Any) -> list[Text]:
    """Every Text anywhere inside a model."""
    if isinstance(value, Text):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    if hasattr(value, "__pydantic_fields__"):
        return [t for name in type(value).model_fields for t in _texts(getattr(value, name))]
    return []


def test_issue_question_ids_and_types_are_present() -> None:
    catalog = load_catalog()
    for qid, (kind, choices) in ISSUE_QUESTIONS.items():
        question = catalog.question(qid)
        assert question.type == kind, qid
        assert tuple(question.choice_values()) == choices, qid


def test_route_ids_are_the_agreed_six() -> None:
    assert load_catalog().route_ids() == [
        "system_prompt",
        "rag",
        "custom_assistant",
        "sft",
        "dpo",
        "rft",
    ]


def test_the_five_fine_tuning_criteria() -> None:
    assert load_catalog().fine_tuning_criteria() == [
        "fixed_style",
        "minimize_variance",
        "strict_format",
        "proprietary_rules",
        "long_term_stability",
    ]


def test_every_text_has_both_languages_and_the_japanese_is_japanese() -> None:
    texts = _texts(load_catalog())
    assert len(texts) > 200
    for text in texts:
        assert text.en.strip() and text.ja.strip()
        assert JAPANESE.search(text.ja), text.ja
        assert text.en != text.ja


def test_every_question_and_criterion_has_source_help_and_default() -> None:
    catalog = load_catalog()
    for question in catalog.questions:
        assert catalog.source(question.source).text.en
        assert question.help.en and question.help.ja
    for crit in catalog.criteria:
        assert catalog.source(crit.source).text.en
        assert len(crit.rationale.en) > 40, f"{crit.id}: explain the weight"
    for rule in (*catalog.gates, *catalog.combinations, *catalog.warnings, *catalog.extra_steps):
        assert catalog.source(rule.source)


def test_every_route_has_next_steps() -> None:
    for route in load_catalog().routes:
        assert len(route.next_steps) >= 3


def test_question_views_follow_the_language() -> None:
    en = question_views("en")
    ja = question_views("ja")
    assert [v.id for v in en] == [v.id for v in ja] == load_catalog().question_ids()
    assert all(JAPANESE.search(v.text) for v in ja)
    assert not any(JAPANESE.search(v.text) for v in en)


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda d: d["criteria"][1]["when"].update(question="no_such_question"), "no_such"),
        (lambda d: d["criteria"][1]["effects"].update(gpt5=1), "gpt5"),
        (lambda d: d["criteria"][1].update(source="nowhere"), "nowhere"),
        (lambda d: d["gates"][0].update(routes=["sft", "lora"]), "lora"),
        (lambda d: d["questions"][0]["text"].pop("ja"), "ja"),
        (lambda d: d["questions"][7].update(default="enormous"), "enormous"),
        (lambda d: d["criteria"][1]["when"].update({"is": "maybe"}), "maybe"),
        (lambda d: d["messages"].pop("summary"), "summary"),
    ],
)
def test_broken_catalog_is_a_data_file_error(mutate: Any, words: str) -> None:
    data = _raw()
    mutate(data)
    with pytest.raises(DataFileError) as info:
        parse_catalog(data)
    assert "catalog" in str(info.value)
    assert info.value.exit_code == 2
    assert words in str(info.value)


def test_scoring_rules_may_not_read_the_result() -> None:
    data = _raw()
    data["criteria"][1]["when"] = {"primary_in": ["sft"]}
    with pytest.raises(DataFileError, match="cannot depend on the result"):
        parse_catalog(data)
