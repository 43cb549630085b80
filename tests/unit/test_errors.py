from __future__ import annotations

from advisor.errors import (
    AdvisorError,
    BackendConnectionError,
    BackendNotFoundError,
    CapabilityError,
    DataFileError,
    UserInputError,
)


def test_hint_is_part_of_the_one_sentence():
    error = BackendNotFoundError("unknown backend 'x'", hint="choose one of: fake, local")
    assert str(error) == "unknown backend 'x': choose one of: fake, local"


def test_data_file_error_names_file_and_line():
    error = DataFileError("invalid JSON", path="train.jsonl", line=7, hint="fix the quote")
    assert str(error) == "train.jsonl, line 7: invalid JSON: fix the quote"
    assert error.line == 7


def test_exit_codes_separate_bad_input_from_failures():
    assert UserInputError("x").exit_code == 2
    assert BackendNotFoundError("x").exit_code == 2
    assert CapabilityError("x").exit_code == 2
    assert BackendConnectionError("x").exit_code == 1
    assert AdvisorError("x").exit_code == 1
