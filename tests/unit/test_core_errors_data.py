"""The data commands' errors (review, clean, split, stats, validate) come from the catalog:
the English is the sentence they always printed, and they read in Japanese too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.data.review import ReviewQueue
from advisor.errors import AdvisorError, DataFileError, UserInputError


def example(i: int) -> dict[str, object]:
    return {
        "messages": [
            {"role": "user", "content": f"Question {i}?"},
            {"role": "assistant", "content": f"Answer {i}."},
        ]
    }


def write(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines),
        encoding="utf-8",
    )
    return path


def both(caught: pytest.ExceptionInfo[AdvisorError]) -> tuple[str, str]:
    assert caught.value.exit_code == 2
    return str(caught.value), caught.value.localized("ja")


def test_a_line_outside_the_file_is_refused_in_both_languages(tmp_path: Path) -> None:
    path = write(tmp_path / "f.jsonl", [example(1), example(2)])
    with pytest.raises(UserInputError) as caught:
        ReviewQueue(path).reject([9])
    assert both(caught) == (
        f"line 9 is not in {path} (it has 2 lines): give line numbers from 1 to 2",
        f"{path} に 9 行目はありません（2 行です）。1 から 2 までの行番号を指定してください",
    )


def test_a_refused_accept_quotes_the_finding_in_the_readers_language(tmp_path: Path) -> None:
    path = write(tmp_path / "f.jsonl", [example(1), "{oops"])
    with pytest.raises(UserInputError) as caught:
        ReviewQueue(path).accept([2])
    english, japanese = both(caught)
    assert english == (
        "line 2 cannot be accepted: invalid JSON; edit the line or reject it [invalid_json]: "
        "fix it with --edit 2 --json '...' or reject it with --reject 2"
    )
    # The finding itself is a texts.yaml sentence: it follows the language, the code does not.
    assert japanese == (
        "2 行目は承認できません: JSON として読めません。行を直すか不採用にしてください "
        "[invalid_json]。--edit 2 --json '...' で編集するか、--reject 2 で却下してください"
    )


def test_an_invalid_edit_keeps_its_english_and_speaks_japanese(tmp_path: Path) -> None:
    queue = ReviewQueue(write(tmp_path / "f.jsonl", [example(1)]))
    with pytest.raises(UserInputError) as caught:
        queue.edit(1, {"messages": []})
    assert both(caught) == (
        'the edit of line 1 is not a valid sft example: "messages" must be a non-empty array '
        "[missing_messages]: correct the JSON and edit again",
        "1 行目の編集内容は sft の例として正しくありません: "
        '"messages" は空でない配列でなければなりません [missing_messages]。'
        "JSON を直して、もう一度編集してください",
    )
    with pytest.raises(UserInputError) as caught:
        queue.edit(1, [1])
    english, japanese = both(caught)  # the hint's JSON braces survive the catalog's format
    assert english == (
        "the edit of line 1 must be a JSON object: "
        "give the whole corrected example, e.g. '{\"messages\": [...]}'"
    )
    assert japanese.endswith("（例: '{\"messages\": [...]}'）")


def test_a_changed_line_points_at_the_file_and_line_in_both_languages(tmp_path: Path) -> None:
    path = write(tmp_path / "g.jsonl", [example(1), example(2)])
    ReviewQueue(path).accept([2])
    write(path, [example(1), example(9)])
    with pytest.raises(DataFileError) as caught:
        ReviewQueue(path)
    assert (caught.value.path, caught.value.line) == (str(path), 2)
    assert both(caught) == (
        f"{path}, line 2: this line changed since it was reviewed, so the review log no longer "
        "matches the file: undo with --undo, or move g.review.jsonl away to start over",
        f"{path} の 2 行目: この行はレビューの後に変更されたため、レビューログがファイルと"
        "一致しなくなりました。--undo で取り消すか、g.review.jsonl を別の場所に移して"
        "やり直してください",
    )


def test_nothing_to_undo_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(UserInputError) as caught:
        ReviewQueue(write(tmp_path / "f.jsonl", [example(1)])).undo()
    assert both(caught) == (
        "there is nothing to undo since the last save: "
        "saved changes are final; edit or reject the lines again instead",
        "前回の保存以降、取り消せる変更はありません。保存した変更は確定しています。"
        "代わりにその行をもう一度編集するか却下してください",
    )


def test_split_errors_keep_their_english_and_speak_japanese(tmp_path: Path) -> None:
    from advisor.data.split import split_file

    good = write(tmp_path / "ok.jsonl", [example(1), example(2)])
    with pytest.raises(UserInputError) as caught:
        split_file(good, tmp_path / "out", validation=1.5)
    assert both(caught) == (
        "--validation must be between 0 and 1, e.g. 0.1",
        "--validation は 0 より大きく 1 より小さい値にしてください（例: 0.1）",
    )
    bad = write(tmp_path / "bad.jsonl", [example(1), "{oops"])
    with pytest.raises(DataFileError) as caught:
        split_file(bad, tmp_path / "out")
    assert both(caught) == (
        f"{bad}, line 2: invalid JSON: run `advisor data validate` and fix it first",
        f"{bad} の 2 行目: JSON として正しくありません。"
        "先に `advisor data validate` を実行して直してください",
    )
    same = write(tmp_path / "same.jsonl", [example(1), example(1)])
    with pytest.raises(DataFileError) as caught:
        split_file(same, tmp_path / "out")
    assert both(caught) == (
        f"{same}: a split needs at least 2 different examples, found 1",
        f"{same}: 分割には異なる例が 2 件以上必要ですが、1 件しかありません",
    )


def test_an_unknown_method_or_rule_is_refused_in_both_languages(tmp_path: Path) -> None:
    from advisor.data.clean.registry import check_names, names
    from advisor.data.validate import validate_file

    with pytest.raises(UserInputError) as caught:
        validate_file(write(tmp_path / "f.jsonl", [example(1)]), "xyz")
    assert both(caught) == (
        "unknown method 'xyz': use sft, dpo or rft",
        "不明な手法 'xyz'。sft、dpo、rft のいずれかを指定してください",
    )
    with pytest.raises(UserInputError) as caught:
        check_names(["nope"])
    known = ", ".join(sorted(names()))
    assert both(caught) == (
        f"there is no cleaning rule named 'nope': use one of {known}",
        f"'nope' という名前のクリーニングルールはありません。{known} のいずれかを指定してください",
    )


def test_a_broken_grader_file_quotes_the_parser_untranslated(tmp_path: Path) -> None:
    from advisor.data.clean.protect import from_files
    from advisor.data.grader_refs import grader_item_keys

    grader = tmp_path / "g.yaml"
    grader.write_text("type: regex\nname: r\npattern: '('\n", encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        from_files([grader])
    assert both(caught) == (
        f"{grader}: grader 'r' has an invalid pattern "
        "(missing ), unterminated subpattern at position 0)",
        f"{grader}: 採点器 'r' のパターンが正しくありません"
        "（missing ), unterminated subpattern at position 0）",
    )
    broken = tmp_path / "g.json"
    broken.write_text("{oops", encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        grader_item_keys(broken)
    problem = "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    assert both(caught) == (
        f"{broken}: the grader file is not valid JSON or YAML ({problem})",
        f"{broken}: 採点器のファイルが JSON としても YAML としても正しくありません（{problem}）",
    )
