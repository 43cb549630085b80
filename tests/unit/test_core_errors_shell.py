"""The shells' and the criteria's errors (answers files, the CLI's own files, the wizard's
session and results) keep the English they always printed and read whole in Japanese."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.criteria.answers import Answers, load_answers
from advisor.errors import AdvisorError, DataFileError, UserInputError


def _raised(call: object, *args: object) -> AdvisorError:
    assert callable(call)
    with pytest.raises(AdvisorError) as caught:
        call(*args)
    return caught.value


@pytest.mark.parametrize(
    ("data", "english", "japanese"),
    [
        (
            {"nope": True},
            "unknown question id 'nope': run `advisor questions` for the list of ids",
            "不明な質問 ID 'nope'。`advisor questions` で ID の一覧を確認してください",
        ),
        (
            {"fixed_style": 3},
            "answer 'fixed_style' must be yes/no (true or false), got 3",
            "回答 'fixed_style' は yes/no（true または false）"
            "でなければなりません（指定された値: 3）",
        ),
        (
            {"example_count": -1},
            "answer 'example_count' must be a whole number of 0 or more, got -1",
            "回答 'example_count' は 0 以上の整数でなければなりません（指定された値: -1）",
        ),
        (
            {"domain_specificity": 6},
            "answer 'domain_specificity' must be a whole number from 1 to 5, got 6",
            "回答 'domain_specificity' は 1 から 5 までの整数"
            "でなければなりません（指定された値: 6）",
        ),
        (
            [1],
            "answers must be a mapping of question id to value, got list",
            "回答は質問 ID と値の対応表（mapping）でなければなりません（list が渡されました）",
        ),
    ],
)
def test_answers_keep_their_english_and_speak_japanese(
    data: object, english: str, japanese: str
) -> None:
    error = _raised(Answers.model_validate, data)
    assert isinstance(error, UserInputError) and error.exit_code == 2
    assert (str(error), error.localized("ja")) == (english, japanese)


def test_a_wrong_answer_in_a_file_keeps_its_line_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("fixed_style: yes\nbudget: lavish\n", encoding="utf-8")
    error = _raised(load_answers, path)
    assert isinstance(error, DataFileError) and error.line == 2
    assert str(error) == (
        f"{path}, line 2: answer 'budget' must be one of minimal, moderate, flexible, got 'lavish'"
    )
    assert error.localized("ja") == (
        f"{path} の 2 行目: 回答 'budget' は minimal, moderate, flexible のいずれか"
        "でなければなりません（指定された値: 'lavish'）"
    )


@pytest.mark.parametrize(
    ("name", "content", "english", "japanese"),
    [
        (
            "a.yaml",
            None,
            ": answers file not found: check the path, or start one with "
            "`advisor questions --template > answers.yaml`",
            ": 回答ファイルが見つかりません。パスを確認するか、"
            "`advisor questions --template > answers.yaml` でひな形を作ってください",
        ),
        (
            "a.txt",
            "x",
            ": unsupported answers file type '.txt': use .yaml, .yml, .json or .toml",
            ": 回答ファイルの形式 '.txt' には対応していません。"
            ".yaml、.yml、.json、.toml のいずれかを使ってください",
        ),
        (
            "a.json",
            '{\n "x": 1,\n oops}',
            ", line 3: invalid JSON: Expecting property name enclosed in double quotes",
            " の 3 行目: JSON として正しくありません: "
            "Expecting property name enclosed in double quotes",
        ),
        (
            "a.yaml",
            "- 1\n",
            ": an answers file must hold a mapping of question id to value: "
            "write one `question_id: value` per line",
            ": 回答ファイルには質問 ID と値の対応表（mapping）を書く必要があります。"
            "1 行に 1 つずつ `question_id: value` の形で書いてください",
        ),
    ],
)
def test_answers_files_keep_their_english_and_speak_japanese(
    tmp_path: Path, name: str, content: str | None, english: str, japanese: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    error = _raised(load_answers, path)
    assert (str(error), error.localized("ja")) == (f"{path}{english}", f"{path}{japanese}")


def test_a_shift_jis_answers_file_asks_for_utf8_in_japanese(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("fixed_style: はい\n".encode("cp932"))
    error = _raised(load_answers, path)
    assert str(error) == f"{path}: the answers file is not UTF-8 text: save it as UTF-8"
    assert error.localized("ja") == (
        f"{path}: 回答ファイルが UTF-8 のテキストではありません。UTF-8 で保存し直してください"
    )


def test_rag_eval_questions_keep_their_english_and_speak_japanese(tmp_path: Path) -> None:
    from advisor.cli.rag import load_questions

    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "a", "source": "b"}\n{"question": 1}\n', encoding="utf-8")
    error = _raised(load_questions, path)
    assert str(error) == (
        f"{path}, line 2: each line needs a question and a source: "
        'write {"question": "...", "source": "file.md"}'
    )
    assert error.localized("ja") == (
        f"{path} の 2 行目: 各行に question と source が必要です。"
        '{"question": "...", "source": "file.md"} の形で書いてください'
    )
    missing = _raised(load_questions, tmp_path / "none.jsonl")
    assert (
        str(missing)
        == f"{tmp_path / 'none.jsonl'}: cannot read the questions (No such file or directory)"
    )
    assert missing.localized("ja") == (
        f"{tmp_path / 'none.jsonl'}: 質問ファイルを読めません（No such file or directory）"
    )


def test_prices_refresh_of_a_missing_table_speaks_japanese(tmp_path: Path) -> None:
    from advisor.cli.cost import prices_refresh

    path = tmp_path / "prices.yaml"
    error = _raised(prices_refresh, path)
    assert str(error) == f"{path}: file not found: give the path of a YAML table"
    assert error.localized("ja") == (
        f"{path}: ファイルが見つかりません。YAML の表のパスを指定してください"
    )


def test_the_wizard_session_that_cannot_be_written_speaks_japanese(tmp_path: Path) -> None:
    from advisor.tui.session import Session

    (tmp_path / "file").write_text("", encoding="utf-8")
    path = tmp_path / "file" / "session.json"  # its folder is a file: cannot be made
    error = _raised(Session().save, path)
    assert str(error) == (
        f"{path}: cannot write the session (File exists): choose a folder you can write to"
    )
    assert error.localized("ja") == (
        f"{path}: セッションを書き込めません（File exists）。"
        "書き込みできるフォルダーを選んでください"
    )
