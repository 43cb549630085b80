"""The errors of reading and writing data files, `advisor data convert` and the price
table come from the catalog: the English the product always printed, Japanese on request,
and a data file's error still points at its file (and line) in both languages."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from advisor.data import convert, io, prices, streams, tabular
from advisor.errors import AdvisorError, DataFileError, UserInputError


def test_a_missing_input_is_named_in_both_languages(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(DataFileError) as caught:
        streams.check_input(missing)
    assert str(caught.value) == f"{missing}: no such file: check the path and try again"
    assert caught.value.localized("ja") == (
        f"{missing}: そのファイルはありません。パスを確認して、もう一度お試しください"
    )
    assert (caught.value.path, caught.value.exit_code) == (str(missing), 2)


def test_a_folder_given_as_input_is_refused_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as caught:
        streams.check_input(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path}: this is a folder, not a file: give the path of one data file"
    )
    assert caught.value.localized("ja") == (
        f"{tmp_path}: これはファイルではなくフォルダーです。"
        "データファイル 1 つのパスを指定してください"
    )


def test_bad_json_keeps_its_file_and_line_and_the_parser_s_words(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text('{"a": 1}\n{bad\n', encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        list(io.read_jsonl(path))
    problem = "unexpected character, expected a string key"  # orjson's, never translated
    assert str(caught.value) == (
        f"{path}, line 2: invalid JSON ({problem}): "
        "run `advisor data validate` to see every problem"
    )
    assert caught.value.localized("ja") == (
        f"{path} の 2 行目: JSON として正しくありません（{problem}）。"
        "`advisor data validate` を実行すると、すべての問題を確認できます"
    )
    assert (caught.value.path, caught.value.line) == (str(path), 2)


def test_an_output_that_is_the_input_is_refused_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    with pytest.raises(UserInputError) as caught:
        streams.refuse_overwrite([path], [path])
    assert str(caught.value) == (
        f"{path} is the input file and would be overwritten: choose another output path"
    )
    assert caught.value.localized("ja") == (
        f"{path} は入力ファイルなので、上書きされてしまいます。別の出力先を指定してください"
    )


def test_a_full_disk_keeps_the_system_s_reason_in_japanese(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with pytest.raises(UserInputError) as caught, streams.atomic_output(target):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert str(caught.value) == (
        f"cannot write {target} (No space left on device); the previous file is unchanged: "
        "free some disk space or choose another output path"
    )
    assert caught.value.localized("ja") == (
        f"{target} を書き込めません（No space left on device）。元のファイルはそのままです。"
        "ディスクの空きを増やすか、別の出力先を指定してください"
    )


def test_convert_names_its_formats_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(UserInputError) as caught:
        convert.convert_file(tmp_path / "in.jsonl", "foo", "sft", tmp_path / "out.jsonl")
    formats = ", ".join(convert.SOURCES)
    assert str(caught.value) == f"unknown source format 'foo': use one of {formats}"
    assert caught.value.localized("ja") == (
        f"不明な変換元の形式 'foo'。{formats} のいずれかを指定してください"
    )


def test_a_missing_column_lists_the_columns_in_both_languages() -> None:
    with pytest.raises(UserInputError) as caught:
        tabular.ColumnMapping(prompt="Q").resolve(["question", "回答"])
    assert str(caught.value) == "no column named 'Q': the columns are: question, 回答"
    assert caught.value.localized("ja") == (
        "'Q' という名前の列はありません。列は次のとおりです: question, 回答"
    )


def test_a_bad_price_table_says_where_in_both_languages() -> None:
    with pytest.raises(DataFileError) as caught:
        prices.parse_prices([1], path="p.yaml")
    pydantic_says = "Input should be a valid dictionary or instance of PriceTable"
    assert str(caught.value) == f"p.yaml: invalid price table at top level: {pydantic_says}"
    assert caught.value.localized("ja") == (
        "p.yaml: 価格表が正しくありません"
        "（最上位: JSON のオブジェクト（名前と値の組）を指定してください）"
    )


def test_a_price_table_that_is_not_yaml_points_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text("a: [1,\nb: c\n  - d: e: f\n", encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        prices.refresh_table(path)
    assert str(caught.value) == f"{path}, line 3: invalid YAML"
    assert caught.value.localized("ja") == f"{path} の 3 行目: YAML として正しくありません"


def test_an_unknown_encoding_is_checked_after_the_file_and_speaks_japanese(
    tmp_path: Path,
) -> None:
    with pytest.raises(AdvisorError) as caught:
        list(io.iter_lines(tmp_path / "missing.jsonl", "nope"))
    assert caught.value.key == "core.streams.no_such_file"
    (tmp_path / "a.jsonl").write_text("{}\n", encoding="utf-8")
    with pytest.raises(AdvisorError) as caught:
        list(io.iter_lines(tmp_path / "a.jsonl", "nope"))
    assert caught.value.key == "core.io.unknown_encoding"
    assert caught.value.localized("ja").endswith(
        "不明な文字コード 'nope'。utf-8、cp932、utf-16 のいずれかを試してください"
    )
