"""A Japanese-speaking new user's first hour (issue 19): what a terminal shows in
``ADVISOR_LANG=ja`` stays Japanese, the lines found English by the s11 audit."""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli.terminal import on_a_terminal
from tests.conftest import REPO


def _japanese_terminal(**extra: str) -> dict[str, str]:
    return {**os.environ, "ADVISOR_LANG": "ja", "COLUMNS": "200", "TERM": "xterm", **extra}


def test_rag_index_draws_its_progress_in_japanese(isolated_state: Path) -> None:
    env = _japanese_terminal(ADVISOR_CHROMA__EMBEDDING_BACKEND="fake")
    knowledge = str(REPO / "scenarios" / "product-manual" / "knowledge")
    seen = on_a_terminal("rag", "index", knowledge, "--kb", "manual", env=env)
    assert "インデックス作成中" in seen
    assert "残り" in seen  # the ETA column's word too
    assert "indexing" not in seen
    assert " eta " not in seen


def test_rag_index_of_a_mistyped_path_shows_its_error_without_a_bar(
    isolated_state: Path, tmp_path: Path
) -> None:
    # The bar was drawn on entering, then erased by the error half a second later.
    env = _japanese_terminal(ADVISOR_CHROMA__EMBEDDING_BACKEND="fake")
    seen = on_a_terminal(
        "rag", "index", str(tmp_path / "nosuch"), "--kb", "m", env=env, exit_code=2
    )
    assert "インデックス作成中" not in seen and "\x1b[?25l" not in seen  # no bar, cursor kept
    assert "nosuch" in seen


def test_assess_evidence_says_how_it_measured_in_japanese(capsys) -> None:
    from tests.cli.bilingual import run

    code, out, err = run(capsys, "--lang", "ja", "assess", "--evidence", "ja-support")
    assert code == 0, err
    table = out[out.index("ファイルとの照合") :]
    assert "例 150 件を読込、不正 0 件、クレンジングで削除 13 件" in table
    assert "好みのペアのファイルなし" in table
    # The questions' short names and the answers as the interview words them; cells aligned.
    assert "自動採点          いいえ  いいえ  採点者のファイルなし" in table
    assert "参照する知識の量  なし    なし    文書 0 件" in table
    assert "理想的な例の数: 回答は「150」ですが、ファイルでは「137」です" in table
    assert "examples read" not in table and "the answer says" not in table
    assert "has_grader" not in table and "False" not in table
    code, out, _ = run(capsys, "assess", "--evidence", "ja-support")
    assert "150 examples read, 0 invalid, 13 removed by cleansing" in out
    # English words them as its brief above does ("Automatic grader: no"), not True / False.
    assert "Automatic grader     no      no        no grader file" in out
    assert "Ideal examples: the answer says 150, the files show 137 (150 examples read" in out


def test_data_stats_says_its_bases_in_japanese(capsys) -> None:
    from tests.cli.bilingual import run

    train = str(REPO / "scenarios" / "brand-voice" / "train_sft.jsonl")
    args = ("data", "stats", train, "--method", "sft")
    model = ("--model", "gpt-4.1-mini-2025-04-14")
    code, out, err = run(capsys, "--lang", "ja", *args, *model)
    assert code == 0, err
    assert "学習トークン数 x 100万トークンあたり $5.0。出典: OpenAI API の料金ページ" in out
    assert "（未較正: 参考値（" in out  # a fresh data dir has no calibration
    assert "このマシンで測るには `advisor tune calibrate` を実行してください" in out
    for english in ("training tokens x", "uncalibrated", "tiktoken's data is not cached"):
        assert english not in out
    code, out, _ = run(capsys, "--lang", "ja", *args, "--model", "nosuch-model")
    assert "価格表に nosuch-model の価格がありません。" in out
    assert "nosuch-model での推定費用: —（" in out  # no price: the dash, not "n/a"
    code, out, _ = run(capsys, *args, *model)
    assert "training tokens x $5.0/1M tokens; source: " in out  # English as before
    assert "(uncalibrated: reference figure (" in out


def test_tune_create_says_the_backends_notes_in_japanese(capsys, monkeypatch) -> None:
    from advisor.cli.tune import _show_preview
    from advisor.settings import load_settings
    from backends.fake_jobs import FakeFineTuning
    from backends.jobs import JobPreview, JobRequest
    from backends.local.service import LocalFineTuning

    # The preview tune create shows before asking (on a terminal only).
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    train = str(REPO / "scenarios" / "brand-voice" / "train_sft.jsonl")
    request = JobRequest(method="sft", training_file=train)
    fake = FakeFineTuning(load_settings()).preview(request)
    assert fake is not None and fake.notes == ["Simulated: the fake backend trains nothing."]
    _show_preview(fake)
    err = capsys.readouterr().err
    assert "シミュレーションです。fake バックエンドは何も学習しません。" in err
    assert "Simulated" not in err
    # The local backend's notes: the JSON's English as before, said in Japanese.
    local = LocalFineTuning(load_settings()).preview(request)
    assert local is not None
    model = load_settings().local.model
    assert local.notes[0] == (
        f"Trains a LoRA adapter of {model} on this machine; no data leaves it."
    )
    assert local.notes[1].startswith("Time estimate: uncalibrated: reference figure (")
    assert local.notes[1].endswith("run `advisor tune calibrate` to measure this machine.")
    assert local.notes_in("en") == local.notes
    ja = local.notes_in("ja")
    assert ja[0].startswith(f"このマシンで {model} の LoRA")
    assert ja[1].startswith("所要時間の見積もり: 未較正: 参考値（")
    assert ja[1].endswith("このマシンで測るには `advisor tune calibrate` を実行してください。")
    # A note without a sentence (another backend's) is said as written.
    other = JobPreview(examples=1, notes=["a note of another release"])
    assert other.notes_in("ja") == ["a note of another release"]


def test_a_folder_where_a_file_belongs_is_said_in_japanese_words(capsys, tmp_path) -> None:
    from tests.cli.bilingual import run

    code, _, err = run(capsys, "--lang", "ja", "assess", "--answers", str(tmp_path))
    assert code == 2
    assert f"ファイル '{tmp_path}' はフォルダーです。" in err  # was "file '...' はディレクトリです"
    code, _, err = run(capsys, "assess", "--answers", str(tmp_path))
    assert f"'{tmp_path}' is a directory." in err


def test_a_knowledge_base_of_another_embedder_is_configuration_exit_2(capsys, monkeypatch) -> None:
    from advisor.cli import context
    from tests.cli.bilingual import run

    manual = str(REPO / "scenarios" / "product-manual" / "knowledge" / "05-error-codes.md")
    monkeypatch.setenv("ADVISOR_CHROMA__EMBEDDING_BACKEND", "fake")
    context.settings.cache_clear()
    assert run(capsys, "rag", "index", manual, "--kb", "k")[0] == 0
    monkeypatch.setenv("ADVISOR_CHROMA__EMBEDDING_MODEL", "other")
    context.settings.cache_clear()
    try:
        code, _, err = run(capsys, "--lang", "ja", "rag", "query", "E03", "--kb", "k")
    finally:
        context.settings.cache_clear()
    assert code == 2  # exit 1 before: "bad input or configuration" is 2 (README)
    assert "でインデックスされています" in err and "--rebuild" in err


def test_an_empty_answers_file_says_the_scores_rest_on_the_defaults(capsys, tmp_path) -> None:
    from tests.cli.bilingual import run

    empty = tmp_path / "answers.yaml"
    empty.write_text("", encoding="utf-8")
    code, out, err = run(capsys, "assess", "--answers", str(empty), "--lang", "ja")
    assert code == 0 and out  # still scored, as before
    assert f"注意: {empty} には回答がひとつもないため、すべて既定値で採点しています。" in err
    code, _, err = run(capsys, "assess", "--answers", str(empty), "--format", "json")
    assert "answers none of the questions" in err  # stderr: stdout stays JSON
    filled = str(REPO / "examples" / "answers" / "knowledge_heavy.yaml")
    assert "answers none" not in run(capsys, "assess", "--answers", filled)[2]


def test_prices_show_words_the_lifecycle_sources_in_japanese(capsys) -> None:
    from tests.cli.bilingual import run

    code, out, err = run(capsys, "--lang", "ja", "prices", "show")
    assert code == 0, err
    assert "出典: issue 16 の記載による（OpenAI の提供終了の告知。ここでは未確認）" in out
    assert "deprecations（2026-05-07 の告知）" in out
    assert "as stated in issue 16" not in out and "notice of" not in out
    code, out, _ = run(capsys, "prices", "show")
    assert "source: as stated in issue 16 (OpenAI deprecation notice; not verified here)" in out


def test_indexing_a_folder_without_documents_says_the_kb_is_empty(
    capsys, monkeypatch, tmp_path
) -> None:
    from advisor.cli import context
    from tests.cli.bilingual import run

    monkeypatch.setenv("ADVISOR_CHROMA__EMBEDDING_BACKEND", "fake")
    context.settings.cache_clear()
    try:
        code, _, err = run(capsys, "--lang", "ja", "rag", "index", str(tmp_path), "--kb", "e")
        assert code == 0  # indexing an emptied folder still clears its knowledge base
        assert f"注意: {tmp_path} にインデックスするファイルが見つからないため" in err
        (tmp_path / "a.md").write_text("# A\n\nSome text.\n", encoding="utf-8")
        code, _, err = run(capsys, "rag", "index", str(tmp_path), "--kb", "e")
        assert code == 0 and "found no file" not in err
    finally:
        context.settings.cache_clear()


def test_the_crossover_line_separates_its_clauses_as_each_language_does(capsys) -> None:
    from tests.cli.bilingual import run

    results = str(REPO / "tests/fixtures/bench/examples/bench-brand-voice/results.json")
    args = ("cost", "--results", results, "--volume", "10000", "--model", "gpt-4.1-mini")
    code, out, _ = run(capsys, *args, "--lang", "ja")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("  sft vs system_prompt: "))
    assert "; " not in line and "。正答あたりで比べると：" in line
    code, out, _ = run(capsys, *args)
    line = next(x for x in out.splitlines() if x.startswith("  sft vs system_prompt: "))
    assert "; per correct answer: " in line  # English as before


def test_data_stats_of_an_empty_file_says_why_its_figures_are_zero(capsys, tmp_path: Path) -> None:
    from tests.cli.bilingual import run

    empty = tmp_path / "train.jsonl"
    empty.write_text("", encoding="utf-8")
    code, out, err = run(capsys, "--lang", "ja", "data", "stats", str(empty), "--method", "sft")
    assert code == 0 and out.strip(), err  # the figures are still printed, on stdout
    assert "例が 1 件もない" in err and f"advisor data validate {empty}" in err
    code, _, err = run(capsys, "data", "stats", str(empty), "--method", "sft", "--format", "json")
    assert code == 0 and err == ""  # JSON: the figures speak for themselves


def test_evidence_of_one_data_file_says_to_give_its_folder(capsys, tmp_path) -> None:
    # A .jsonl was read as a scenario and said to be "not valid TOML".
    from tests.cli.bilingual import run

    data = tmp_path / "train.jsonl"
    data.write_text('{"messages": []}\n', encoding="utf-8")
    code, _, err = run(capsys, "--lang", "ja", "assess", "--evidence", str(data))
    assert code == 2
    assert "はファイルです" in err and str(tmp_path) in err
    assert "TOML" not in err


def test_ask_says_its_preparation_warnings_in_japanese(capsys, monkeypatch, tmp_path) -> None:
    # "警告: .../empty.md: no text found": the words of the index, in English.
    import json
    import shutil

    from advisor.cli import context
    from backends.fake import FakeBackend
    from tests.cli.bilingual import JAPANESE, run
    from tests.conftest import FIXTURES

    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "rag" / "docs", docs)
    (docs / "empty.md").write_text("", encoding="utf-8")
    monkeypatch.setenv("ADVISOR_CHROMA__EMBEDDING_BACKEND", "fake")
    context.settings.cache_clear()
    ask = ("ask", "--route", "custom_assistant", "--assistant", "shop", "Return window?")
    try:
        create = ("assistant", "create", "shop", "-i", "Be brief.", "--knowledge", str(docs))
        assert run(capsys, *create, "--backend", "fake")[0] == 0
        monkeypatch.setenv("ADVISOR_LANG", "ja")
        FakeBackend.queue_replies("45 days [1].")
        code, out, err = run(capsys, *ask)
        assert code == 0 and out.startswith("45 days [1]."), err
        warned = [line for line in err.splitlines() if line.startswith("警告: ")]
        assert warned == [f"警告: {docs / 'empty.md'}：テキストが見つかりません"], err
        assert "no text" not in err and not JAPANESE.search(err.replace(warned[0], ""))
        # The JSON keeps the English words, whatever the language.
        FakeBackend.queue_replies("45 days [1].")
        code, out, _ = run(capsys, *ask, "--format", "json")
        assert json.loads(out)["warnings"] == [f"{docs / 'empty.md'}: no text found"]
        # The assistant's own chat, asked once from the command line, says them too.
        FakeBackend.queue_replies("45 days [1].")
        code, out, err = run(capsys, "assistant", "chat", "shop", "--message", "Return window?")
        assert code == 0 and out.startswith("45 days [1]."), err
        assert [line for line in err.splitlines() if line.startswith("警告: ")] == warned, err
        monkeypatch.setenv("ADVISOR_LANG", "en")
        FakeBackend.queue_replies("45 days [1].")
        assert f"warning: {docs / 'empty.md'}: no text found" in run(capsys, *ask)[2]
    finally:
        context.settings.cache_clear()
