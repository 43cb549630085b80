"""Answers: loading YAML, JSON and TOML, and one clear error per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.criteria import Answers, load_answers
from advisor.errors import DataFileError, UserInputError
from tests.conftest import FIXTURES, REPO

CRIT = FIXTURES / "criteria"


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "examples/answers").iterdir()))
def test_every_example_file_loads(name: str) -> None:
    answers = load_answers(REPO / "examples/answers" / name)
    assert answers.root, "an example that answers nothing teaches nothing"


def test_yaml_yes_no_and_numbers_are_typed() -> None:
    answers = load_answers(REPO / "examples/answers/all_fine_tuning.yaml")
    assert answers.root["fixed_style"] is True
    assert answers.root["example_count"] == 500


def test_strings_are_coerced_where_unambiguous() -> None:
    answers = load_answers(CRIT / "strings.json")
    assert answers.root == {
        "fixed_style": True,
        "strict_format": False,
        "example_count": 250,
        "domain_specificity": 4,
    }


def test_japanese_yes_is_accepted() -> None:
    answers = load_answers(REPO / "examples/answers/japanese_brand_voice.yaml")
    assert answers.root["fixed_style"] is True


def test_answers_table_of_a_scenario_file_is_used() -> None:
    answers = load_answers(CRIT / "scenario_like.toml")
    assert answers.root == {"fixed_style": True, "example_count": 120}


def test_unanswered_questions_take_defaults() -> None:
    resolved = Answers({"fixed_style": True}).resolved()
    assert resolved["fixed_style"] is True
    assert resolved["example_count"] == 0
    assert resolved["knowledge_volume"] == "none"
    assert resolved["budget"] == "moderate"


def test_empty_file_means_all_defaults(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing answered yet\n", encoding="utf-8")
    assert load_answers(path).root == {}


def test_null_value_means_unanswered(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("fixed_style:\nbudget: minimal\n", encoding="utf-8")
    assert load_answers(path).root == {"budget": "minimal"}


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("unknown_id.yaml", 3, ["fancy_option", "unknown question id"]),
        ("unknown_id.toml", 2, ["budgett", "unknown question id"]),
        ("wrong_type.yaml", 2, ["example_count", "whole number", "lots"]),
        ("wrong_choice.json", 3, ["knowledge_volume", "none, small, large", "huge"]),
    ],
)
def test_bad_answers_name_the_id_the_type_and_the_line(
    name: str, line: int, words: list[str]
) -> None:
    with pytest.raises(DataFileError) as info:
        load_answers(CRIT / name)
    error = info.value
    assert error.line == line
    assert error.exit_code == 2
    message = str(error)
    assert f"line {line}" in message
    for word in words:
        assert word in message


def test_unknown_id_hint_points_to_the_questions_command() -> None:
    with pytest.raises(DataFileError, match="advisor questions"):
        load_answers(CRIT / "unknown_id.yaml")


def test_yaml_syntax_error_has_a_line() -> None:
    with pytest.raises(DataFileError, match="invalid YAML") as info:
        load_answers(CRIT / "broken.yaml")
    assert info.value.line is not None


def test_json_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{\n  "fixed_style": true,\n}\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="invalid JSON") as info:
        load_answers(path)
    assert info.value.line == 3


def test_top_level_list_is_rejected() -> None:
    with pytest.raises(DataFileError, match="mapping of question id to value"):
        load_answers(CRIT / "list.yaml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="not found"):
        load_answers(tmp_path / "nope.yaml")


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "answers.ini"
    path.write_text("fixed_style=yes\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"\.yaml, \.yml, \.json or \.toml"):
        load_answers(path)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"nope": True}, ["nope", "unknown question id"]),
        ({"fixed_style": 3}, ["fixed_style", "yes/no"]),
        ({"example_count": True}, ["example_count", "whole number"]),
        ({"example_count": -1}, ["example_count", "0 or more"]),
        ({"domain_specificity": 6}, ["domain_specificity", "from 1 to 5"]),
        ({"budget": "lavish"}, ["budget", "minimal, moderate, flexible"]),
    ],
)
def test_model_validation_raises_one_user_error(data: dict[str, object], words: list[str]) -> None:
    with pytest.raises(UserInputError) as info:
        Answers.model_validate(data)
    for word in words:
        assert word in str(info.value)


def test_utf8_with_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b"\xef\xbb\xbf" + '{"fixed_style": "はい"}'.encode())
    assert load_answers(path).root == {"fixed_style": True}


def test_shift_jis_file_asks_for_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("# 回答\nfixed_style: はい\n".encode("cp932"))
    with pytest.raises(DataFileError, match="save it as UTF-8"):
        load_answers(path)


def test_directory_is_not_an_answers_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot read"):
        load_answers(tmp_path)
