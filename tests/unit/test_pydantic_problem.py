"""pydantic's error entries said in each language (advisor.errors.pydantic_problem).

English keeps pydantic's own words (the product's English did not change); Japanese
says what the value should be in Japanese, never pydantic's English, for each common
error type, and a generic Japanese sentence for any other.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from advisor.errors import DataFileError, pydantic_problem, validated


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = 0
    ratio: float = 0.0
    name: str = ""
    flag: bool = False
    tags: list[str] = Field(default_factory=list)
    table: dict[str, Any] = Field(default_factory=dict)
    language: Literal["en", "ja"] = "en"
    colour: Colour = Colour.RED
    positive: int = Field(default=1, gt=0)
    at_least: int = Field(default=1, ge=1)
    below: int = Field(default=1, lt=10)
    at_most: int = Field(default=1, le=9)
    required: str
    checked: str = ""

    @field_validator("checked")
    @classmethod
    def _not_odd(cls, value: str) -> str:
        if value == "odd":
            raise ValueError("odd is refused")
        return value


def _first(data: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate(data)
    return dict(caught.value.errors()[0])


# (data, pydantic's type, its English (unchanged), the Japanese)
CASES = [
    ({}, "missing", "Field required", "必須の項目がありません。追加してください"),
    (
        {"required": "", "colr": 1},
        "extra_forbidden",
        "Extra inputs are not permitted",
        "使えない項目です。名前の綴りを確かめるか、項目を削除してください",
    ),
    (
        {"required": "", "count": "many"},
        "int_parsing",
        "Input should be a valid integer, unable to parse string as an integer",
        "整数を指定してください",
    ),
    (
        {"required": "", "count": 1.5},
        "int_from_float",
        "Input should be a valid integer, got a number with a fractional part",
        "整数を指定してください",
    ),
    (
        {"required": "", "ratio": "half"},
        "float_parsing",
        "Input should be a valid number, unable to parse string as a number",
        "数値を指定してください",
    ),
    (
        {"required": "", "name": 3},
        "string_type",
        "Input should be a valid string",
        '文字列（"…"）を指定してください',
    ),
    (
        {"required": "", "flag": "perhaps"},
        "bool_parsing",
        "Input should be a valid boolean, unable to interpret input",
        "true か false を指定してください",
    ),
    (
        {"required": "", "tags": "a"},
        "list_type",
        "Input should be a valid list",
        "リスト（[…]）を指定してください",
    ),
    (
        {"required": "", "table": [1]},
        "dict_type",
        "Input should be a valid dictionary",
        "JSON のオブジェクト（名前と値の組）を指定してください",
    ),
    (
        [1],
        "model_type",
        "Input should be a valid dictionary or instance of Form",
        "JSON のオブジェクト（名前と値の組）を指定してください",
    ),
    (
        {"required": "", "language": "fr"},
        "literal_error",
        "Input should be 'en' or 'ja'",
        "'en'、'ja' のどれかを指定してください",
    ),
    (
        {"required": "", "colour": "green"},
        "enum",
        "Input should be 'red' or 'blue'",
        "'red'、'blue' のどれかを指定してください",
    ),
    (
        {"required": "", "positive": 0},
        "greater_than",
        "Input should be greater than 0",
        "0 より大きい値を指定してください",
    ),
    (
        {"required": "", "at_least": 0},
        "greater_than_equal",
        "Input should be greater than or equal to 1",
        "1 以上の値を指定してください",
    ),
    (
        {"required": "", "below": 10},
        "less_than",
        "Input should be less than 10",
        "10 より小さい値を指定してください",
    ),
    (
        {"required": "", "at_most": 10},
        "less_than_equal",
        "Input should be less than or equal to 9",
        "9 以下の値を指定してください",
    ),
    (
        {"required": "", "checked": "odd"},
        "value_error",
        "Value error, odd is refused",
        "この値は形式に合いません",
    ),
]


@pytest.mark.parametrize(("data", "kind", "english", "japanese"), CASES, ids=[c[1] for c in CASES])
def test_each_error_type_is_said_in_both_languages(
    data: Any, kind: str, english: str, japanese: str
) -> None:
    error = _first(data)
    assert error["type"] == kind
    problem = pydantic_problem(error)
    assert (problem.localized("en"), problem.localized("ja")) == (english, japanese)


def test_a_long_list_of_choices_is_listed_with_japanese_commas() -> None:
    error = {"type": "literal_error", "msg": "…", "ctx": {"expected": "'a', 'b' or 'c'"}}
    assert pydantic_problem(error).localized("ja") == "'a'、'b'、'c' のどれかを指定してください"


def test_invalid_json_keeps_its_place_in_japanese() -> None:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate_json('{\n  "count":\n  oops\n}')
    problem = pydantic_problem(caught.value.errors()[0])
    assert problem.localized("en").startswith("Invalid JSON: expected value at line 3")
    assert problem.localized("ja") == "3 行 3 列目：JSON の書き方に誤りがあります"
    placeless = pydantic_problem({"type": "json_invalid", "msg": "Invalid JSON", "ctx": {}})
    assert placeless.localized("ja") == "JSON の書き方に誤りがあります"


def test_an_unknown_type_is_a_japanese_sentence_not_pydantic_english() -> None:
    error = {"type": "someday_new", "msg": "Input should be something new"}
    problem = pydantic_problem(error)
    assert problem.localized("en") == "Input should be something new"
    assert problem.localized("ja") == "この値は形式に合いません"


def test_a_shipped_table_says_its_problem_in_japanese_too() -> None:
    # The same words for the criteria catalog and the lifecycle table (errors.validated).
    with pytest.raises(DataFileError) as caught:
        validated(Form, {"count": 1}, what="core.table.lifecycle", path="lifecycle.yaml")
    assert str(caught.value) == (
        "lifecycle.yaml: invalid lifecycle table at required: Field required"
    )
    assert caught.value.localized("ja") == (
        "lifecycle.yaml: ライフサイクル表が正しくありません（required: 必須の項目がありません。"
        "追加してください）"
    )
