"""Errors raised deeper in the core follow `advisor --lang ja` (issue 14 item 4):
knowledge bases and indexing, graders, scenarios, the Modelfile and GGUF writers.

The English sentence is the one the product always printed; the exit status is the
same in both languages; JSON keeps the English reasons.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.bilingual import both, run
from tests.conftest import FIXTURES

# --- knowledge bases -------------------------------------------------------------------


def test_a_missing_knowledge_base_is_japanese_message_and_hint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    (code_en, err_en), (code_ja, err_ja) = both(capsys, "rag", "query", "--kb", "nosuchkb", "q")
    assert code_en == code_ja == 2  # a mistyped --kb is bad input, as in `ask` (s11 audit)
    assert err_en.startswith("error: no knowledge base named nosuchkb at ")
    assert err_en.rstrip().endswith(": build it with `advisor rag index PATH --kb nosuchkb`")
    assert (
        err_ja.startswith("エラー: ")
        and " に nosuchkb という名前のナレッジベースはありません。" in err_ja
    )
    assert err_ja.rstrip().endswith("`advisor rag index PATH --kb nosuchkb` で作成してください")
    assert "build it" not in err_ja and "Traceback" not in err_ja


def test_index_input_errors_are_japanese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (code_en, err_en), (code_ja, err_ja) = both(
        capsys, "rag", "index", str(tmp_path / "nope"), "--kb", "shop"
    )
    assert code_en == code_ja == 2
    assert err_en.strip() == f"error: no such file or folder: {tmp_path / 'nope'}"
    assert err_ja.strip() == f"エラー: そのファイルやフォルダーはありません: {tmp_path / 'nope'}"
    (code_en, err_en), (code_ja, err_ja) = both(
        capsys, "rag", "index", str(tmp_path), "--kb", "Bad Name"
    )
    assert code_en == code_ja == 2
    assert err_en.strip() == (
        "error: invalid knowledge base name 'Bad Name': use 1-63 lowercase letters, digits, "
        "- or _; start and end with a letter or digit"
    )
    assert err_ja.strip() == (
        "エラー: ナレッジベース名 'Bad Name' は正しくありません。"
        "英小文字・数字・-・_ を 1〜63 文字で、先頭と末尾は英字か数字にしてください"
    )


def test_an_unreachable_chroma_server_is_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    url = "http://127.0.0.1:9"  # discard port: nothing listens there
    args = ("rag", "query", "--kb", "shop", "q", "--chroma-url", url)
    (code_en, err_en), (code_ja, err_ja) = both(capsys, *args)
    assert code_en == code_ja == 1
    assert err_en.strip() == (
        f"error: cannot reach the Chroma server at {url}: "
        "start it with `chroma run --path DIR --port P`, or fix --chroma-url"
    )
    assert err_ja.strip() == (
        f"エラー: {url} の Chroma サーバーに接続できません。"
        "`chroma run --path DIR --port P` で起動するか、--chroma-url を直してください"
    )


def test_skipped_files_are_explained_in_japanese_and_json_keeps_english(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes((FIXTURES / "rag" / "broken.pdf").read_bytes())
    (folder / "empty.md").write_text("   \n", encoding="utf-8")
    (folder / "manual.pdf").write_bytes((FIXTURES / "rag" / "manual.pdf").read_bytes())
    code, out, err = run(capsys, "--lang", "ja", "rag", "index", str(folder), "--kb", "shop")
    assert code == 0, err
    assert "読める PDF ではありません（" in out and "テキストが見つかりません" in out
    assert "2 ページ目: 読めません（" in out  # a part of a file: the rest is indexed
    assert "not a readable PDF" not in out and "no text found" not in out
    assert "page 2" not in out
    args = ("rag", "index", str(folder), "--kb", "shop2", "--format", "json")
    _, english, _ = run(capsys, *args)
    _, japanese, _ = run(capsys, "--lang", "ja", *args[:-4], "--kb", "shop3", "--format", "json")
    reasons = sorted(s["reason"] for s in json.loads(english)["skipped"])
    assert reasons[0] == "no text found" and reasons[1].startswith("not a readable PDF (")
    assert reasons[2].startswith("page 2: unreadable (")
    assert sorted(s["reason"] for s in json.loads(japanese)["skipped"]) == reasons
    assert {k for s in json.loads(japanese)["skipped"] for k in s} == {"path", "reason"}


# --- graders ---------------------------------------------------------------------------


def test_a_bad_grader_file_is_japanese_and_points_at_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "grader.json"
    path.write_text("[1]", encoding="utf-8")
    args = ("graders", "run", "-g", str(path), "-s", "42")
    (code_en, err_en), (code_ja, err_ja) = both(capsys, *args)
    assert code_en == code_ja == 2
    assert err_en.strip() == f"error: {path}: the grader file must hold one grader object"
    assert err_ja.strip() == (
        f"エラー: {path}: 採点器のファイルには採点器のオブジェクトを 1 つだけ書いてください"
    )


def test_a_bad_grader_definition_is_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("graders", "run", "-g", '{"type": "nope", "name": "x"}', "-s", "42")
    (code_en, err_en), (code_ja, err_ja) = both(capsys, *args)
    assert code_en == code_ja == 1  # a grader error, as before
    assert err_en.strip() == (
        "error: unknown grader type 'nope': use one of: string_check, text_similarity, regex, "
        "json_schema, python, score_model, multi"
    )
    assert err_ja.strip() == (
        "エラー: 不明な採点器の種類 'nope'。string_check, text_similarity, regex, "
        "json_schema, python, score_model, multi のいずれかを指定してください"
    )
    grader = '{"type": "regex", "name": "r", "pattern": "("}'
    code, _, err = run(capsys, "--lang", "ja", "graders", "run", "-g", grader, "-s", "42")
    assert code == 1 and err.startswith("エラー: 採点器 'r' のパターンが正しくありません（")
    assert err.rstrip().endswith("。正規表現（Python の構文）を直してください")


# --- scenarios -------------------------------------------------------------------------


def test_a_bad_scenario_is_japanese_with_its_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    toml = folder / "scenario.toml"
    toml.write_text('name = "bad"\ntitle = "x\n', encoding="utf-8")
    (code_en, err_en), (code_ja, err_ja) = both(capsys, "scenarios", "validate", str(folder))
    assert code_en == code_ja == 2
    assert err_en.startswith(f"error: {toml}, line 2: invalid TOML: ")
    assert err_en.rstrip().endswith(": fix the syntax there (strings need quotes, tables [name])")
    assert err_ja.startswith(f"エラー: {toml} の 2 行目: TOML として正しくありません: ")
    assert err_ja.rstrip().endswith(
        "。その箇所の構文を直してください（文字列は引用符で囲み、テーブルは [name] と書きます）"
    )


def test_an_unknown_scenario_is_japanese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ("scenarios", "show", "nosuch", "--dir", str(tmp_path))
    (code_en, err_en), (code_ja, err_ja) = both(capsys, *args)
    assert code_en == code_ja == 2
    assert err_en.strip() == (
        "error: no scenario named or found at 'nosuch': use a scenario folder or one of: none"
    )
    assert err_ja.strip() == (
        "エラー: シナリオ 'nosuch' が見つかりません（名前にもパスにも当たりません）。"
        "シナリオのフォルダーか、次のいずれかを指定してください: なし"
    )


def test_the_scenario_checks_speak_japanese_and_json_keeps_english(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "scenario.toml").write_text(
        'name = "tiny"\ntitle = "Tiny"\ndescription = "Too small."\nkind = "style"\n'
        'system_prompt = "Be brief."\n[training]\nsft = "train.jsonl"\n'
        '[test]\nfile = "test.jsonl"\n',
        encoding="utf-8",
    )
    rows = [{"id": "a", "prompt": "Hi"}, {"id": "a", "prompt": "Hello"}]
    (folder / "test.jsonl").write_text(
        "".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8"
    )
    code, out, _ = run(capsys, "--lang", "ja", "scenarios", "validate", str(folder))
    assert code == 1
    assert "テストプロンプトが 2 件です。ベンチマークには 30 件以上必要です" in out
    assert "テスト ID 'a' が重複しています" in out and "テストセットに採点器がありません" in out
    assert "[answers] がありません。" in out and "sft の学習ファイルが見つかりません" in out
    assert "test prompts" not in out and "repeats" not in out
    args = ("scenarios", "validate", str(folder), "--format", "json")
    _, english, _ = run(capsys, *args)
    _, japanese, _ = run(capsys, "--lang", "ja", *args)
    assert json.loads(english) == json.loads(japanese)
    messages = {p["message"] for p in json.loads(english)["scenarios"][0]["problems"]}
    assert {
        "2 test prompts; a benchmark needs at least 30",
        "test id 'a' repeats",
        "the test set has no graders",
        "no [answers]: the report cannot compare with the advisor",
        "sft training file not found",
    } <= messages


def test_a_problem_quoting_another_error_quotes_it_in_japanese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "scenario.toml").write_text(
        'name = "tiny"\ntitle = "Tiny"\ndescription = "Too small."\nkind = "style"\n'
        'system_prompt = "Be brief."\n[training]\nsft = "train.jsonl"\n'
        '[test]\nfile = "test.jsonl"\n',
        encoding="utf-8",
    )
    test = folder / "test.jsonl"
    test.write_text('{"id": "a", "prompt": "Hi"}\n[1]\n', encoding="utf-8")
    args = ("scenarios", "validate", str(folder), "--format", "json")
    _, english, _ = run(capsys, *args)
    found = json.loads(english)["scenarios"][0]["problems"]
    quoted = next(p for p in found if p["code"] == "invalid_test_item")
    assert quoted["message"] == f"{test}, line 2: each line must be a JSON object"  # as before
    code, out, _ = run(capsys, "--lang", "ja", "scenarios", "validate", str(folder))
    assert code == 1
    assert f"{test} の 2 行目: 各行は JSON オブジェクトにしてください [invalid_test_item]" in out
