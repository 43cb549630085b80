"""Validation: every stable code at its exact planted line, encodings, grader references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.data.grader_refs import grader_item_keys, python_item_keys, spec_item_keys
from advisor.data.validate import validate_file
from advisor.errors import DataFileError, UserInputError
from tests.conftest import FIXTURES

DATA = FIXTURES / "data"


def where(report, code: str) -> list[int | None]:
    return [i.line for i in report.errors + report.warnings if i.code == code]


def test_every_sft_code_at_its_planted_line():
    report = validate_file(DATA / "sft_planted.jsonl", "sft")
    assert not report.ok
    assert report.examples == 29  # 30 lines, one blank
    expected_errors = [
        (3, "invalid_json"),
        (5, "not_object"),
        (7, "missing_messages"),
        (9, "invalid_role"),
        (11, "missing_content"),
        (13, "invalid_weight"),
        (15, "no_assistant_message"),
        (21, "encoding_error"),
        (23, "unknown_key"),
        (25, "invalid_tool_call"),
        (27, "invalid_tools"),
    ]
    assert [(e.line, e.code) for e in report.errors] == expected_errors
    assert where(report, "blank_line") == [17]
    assert where(report, "duplicate_example") == [19]
    assert "line 2" in next(w.message for w in report.warnings if w.code == "duplicate_example")
    assert where(report, "few_examples") == [None]


def test_trl_form_gets_a_conversion_hint():
    report = validate_file(DATA / "sft_planted.jsonl", "sft")
    message = next(e.message for e in report.errors if e.line == 7)
    assert "advisor data convert --from trl" in message


def test_dpo_codes():
    report = validate_file(DATA / "dpo_planted.jsonl", "dpo")
    assert [(e.line, e.code) for e in report.errors] == [
        (2, "dpo_missing_field"),
        (4, "dpo_invalid_output"),
        (6, "dpo_invalid_output"),
        (8, "missing_messages"),
        (10, "missing_content"),
    ]


def test_rft_with_template_and_python_grader():
    plain = validate_file(DATA / "rft_planted.jsonl", "rft")
    assert [(e.line, e.code) for e in plain.errors] == [(11, "rft_invalid_prompt")]
    graded = validate_file(DATA / "rft_planted.jsonl", "rft", grader=DATA / "grader_multi.json")
    assert [(e.line, e.code) for e in graded.errors] == [
        (5, "rft_missing_reference"),
        (9, "rft_missing_reference"),
        (11, "rft_invalid_prompt"),
    ]
    assert "item.reference_answer" in graded.errors[0].message
    assert "item.unit" in graded.errors[1].message


def test_rft_without_reference_fields_warns(tmp_path: Path):
    path = tmp_path / "rft.jsonl"
    line = {"messages": [{"role": "user", "content": "2+2?"}]}
    path.write_text("\n".join(json.dumps(line | {"n": i}) for i in range(12)))
    assert validate_file(path, "rft").ok
    bare = tmp_path / "bare.jsonl"
    bare.write_text("\n".join(json.dumps(line) for _ in range(12)))
    report = validate_file(bare, "rft")
    assert "rft_no_reference" in [w.code for w in report.warnings]


def test_too_few_examples_has_no_line():
    report = validate_file(DATA / "too_few.jsonl", "sft")
    assert [(e.line, e.code) for e in report.errors] == [(None, "too_few_examples")]


def test_too_long_counts_tokens():
    assert validate_file(DATA / "sft_long.jsonl", "sft").ok
    report = validate_file(DATA / "sft_long.jsonl", "sft", max_tokens=100)
    assert [(e.line, e.code) for e in report.errors] == [(6, "too_long")]
    assert "tokens" in report.errors[0].message


def test_missing_system_message_is_one_warning(tmp_path: Path):
    path = tmp_path / "nosys.jsonl"
    rows = [
        {"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": "a"}]}
        for i in range(12)
    ]
    rows[0]["messages"].insert(0, {"role": "system", "content": "s"})
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    report = validate_file(path, "sft")
    assert report.ok
    assert where(report, "missing_system_message") == [2]
    assert "11 of 12" in next(w.message for w in report.warnings if w.line == 2)


def test_valid_tool_calls_weights_and_content_parts():
    report = validate_file(DATA / "sft_valid_tools.jsonl", "sft")
    assert report.ok and report.errors == []
    assert [w.code for w in report.warnings] == ["few_examples"]


@pytest.mark.parametrize("name", ["ja_sjis.jsonl", "ja_utf16.jsonl"])
def test_foreign_encodings_are_named_in_one_error(name: str):
    report = validate_file(DATA / name, "sft")
    assert [(e.line, e.code) for e in report.errors] == [(1, "encoding_error")]
    assert ("Shift_JIS" if "sjis" in name else "UTF-16") in report.errors[0].message
    assert "--encoding" in report.errors[0].message


@pytest.mark.parametrize(
    ("name", "encoding"), [("ja_sjis.jsonl", "cp932"), ("ja_utf16.jsonl", "utf-16")]
)
def test_foreign_encodings_read_with_encoding(name: str, encoding: str):
    report = validate_file(DATA / name, "sft", encoding=encoding)
    assert report.ok and report.examples == 12


def test_utf8_bom_and_crlf_read_as_usual():
    report = validate_file(DATA / "ja_utf8_bom_crlf.jsonl", "sft")
    assert report.ok and report.examples == 12 and not where(report, "blank_line")


def test_missing_file_and_bad_method(tmp_path: Path):
    with pytest.raises(DataFileError):
        validate_file(tmp_path / "absent.jsonl", "sft")
    with pytest.raises(UserInputError):
        validate_file(DATA / "too_few.jsonl", "ppo")


def test_fast_path_and_checks_agree_on_the_fixtures():
    from advisor.data.checks import check_record
    from advisor.data.fastpath import accept_sft

    for line in (DATA / "sft_planted.jsonl").read_bytes().splitlines():
        if accept_sft(line):
            found = check_record(json.loads(line), "sft")
            assert not found.errors and not found.warnings


# --- grader references --------------------------------------------------------------


def test_template_keys_nested_and_bracketed():
    spec = {
        "type": "score_model",
        "input": [{"role": "user", "content": "Ref: {{item.answer.value}} {{ item['topic'] }}"}],
        "reference": "{{ sample.output_text }}",
    }
    assert spec_item_keys(spec) == {"answer", "topic"}


def test_python_source_keys():
    source = (
        "def grade(sample, item):\n"
        "    a = item['x']\n    b = item.get('y', 0)\n    c = item.z\n    item.keys()\n"
        "    return 1.0\n"
    )
    assert python_item_keys(source) == {"x", "y", "z"}
    assert python_item_keys("def grade(sample, item:\n  item['x'] + item.get('y')") == {"x", "y"}


def test_grader_file_kinds(tmp_path: Path):
    assert grader_item_keys(DATA / "grader_string_check.json") == {"reference_answer"}
    assert grader_item_keys(DATA / "grader_multi.json") == {"reference_answer", "unit"}
    py = tmp_path / "grader.py"
    py.write_text("def grade(sample, item):\n    return float(item['gold'] == 1)\n")
    assert grader_item_keys(py) == {"gold"}
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(DataFileError):
        grader_item_keys(bad)
