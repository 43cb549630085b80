"""Core texts follow `advisor --lang ja` (issue 14 item 4): errors raised in advisor/app,
bench verdicts, price-table notes, backend descriptions and unusable reasons.

Every check runs on the fake backend or on no backend at all; JSON output is compared
across languages because programs read it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.bilingual import JAPANESE, both, run
from tests.conftest import FIXTURES

# --- errors raised in advisor/app ------------------------------------------------------


def test_export_errors_are_japanese_message_and_hint(capsys, tmp_path) -> None:
    args = ("export", "m", "--format", "bogus", "--out", str(tmp_path / "x"))
    (code_en, err_en), (code_ja, err_ja) = both(capsys, *args)
    assert code_en == code_ja == 2
    assert err_en.strip() == (
        "error: 'bogus' is not an export format: use one of gguf, safetensors, ollama"
    )
    assert err_ja.strip() == (
        "エラー: 'bogus' はエクスポート形式ではありません。"
        "gguf, safetensors, ollama のいずれかを指定してください"
    )
    args = ("export", "ft:gpt-4o:org:s:id", "--format", "gguf", "--out", str(tmp_path / "o"))
    code, _, err = run(capsys, "--lang", "ja", *args)
    assert code == 2 and "OpenAI はファインチューニング済みモデルの重みを提供しません" in err
    assert "ローカルのファインチューニング（local:ft:...）" in err and "export a" not in err


def test_review_errors_are_japanese(capsys, tmp_path) -> None:
    drafts = tmp_path / "drafts.jsonl"
    drafts.write_bytes((FIXTURES / "review" / "drafts100.jsonl").read_bytes())
    (code_en, err_en), (code_ja, err_ja) = both(
        capsys, "data", "review", str(drafts), "--accept", "5-3"
    )
    assert code_en == code_ja == 2
    assert err_en.strip() == "error: the range 5-3 runs backwards: write it as 3-5"
    assert err_ja.strip() == "エラー: 範囲 5-3 が逆向きです。3-5 と書いてください"


def test_grow_errors_are_japanese(capsys, tmp_path) -> None:
    train = str(FIXTURES / "grow" / "train20.jsonl")
    args = ("data", "grow", train, "-o", str(tmp_path / "d.jsonl"), "-b", "fake", "-n", "0")
    (code_en, err_en), (code_ja, err_ja) = both(capsys, *args)
    assert code_en == code_ja == 2
    assert err_en.strip() == "error: --count 0 is out of range: give 1 to 100,000"
    assert err_ja.strip() == "エラー: --count 0 は範囲外です。1 から 100,000 までを指定してください"


def test_grow_data_file_errors_keep_the_file_in_japanese(capsys, tmp_path) -> None:
    empty = tmp_path / "train.jsonl"
    empty.write_text('{"messages": [{"role": "assistant", "content": "x"}]}\n', "utf-8")
    args = ("data", "grow", str(empty), "-o", str(tmp_path / "d.jsonl"), "-b", "fake")
    (code_en, err_en), (code_ja, err_ja) = both(capsys, *args)
    assert code_en == code_ja == 2
    assert "train.jsonl: has no chat examples with a user message: give an SFT file" in err_en
    assert "train.jsonl: ユーザーのメッセージを含むチャットの例がありません。" in err_ja
    assert '{"messages": [...]} の行からなる SFT ファイル' in err_ja


def test_arena_errors_are_japanese(capsys, tmp_path) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a question\n", encoding="utf-8")
    pairs = str(tmp_path / "pairs.jsonl")
    args = ("arena", str(prompts), "--a", "system_prompt", "--b", "bogus:x", "--pairs", pairs)
    (code_en, err_en), (code_ja, err_ja) = both(capsys, *args)
    assert code_en == code_ja == 2
    assert "unknown target part 'bogus:x' in 'bogus:x': use system_prompt, rag" in err_en
    assert "対戦相手 'bogus:x' の 'bogus:x' は不明な指定です。" in err_ja
    assert "を + でつないで指定してください（docs/arena.md）" in err_ja
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    code, _, err = run(
        capsys, "--lang", "ja", "arena", str(empty), "--a", "system_prompt", "--b", "rag",
        "--pairs", pairs,
    )  # fmt: skip
    assert code == 2
    assert (
        f"{empty}: ファイルにプロンプトがありません。1 行に 1 つのプロンプトを書いてください" in err
    )


def test_core_errors_the_use_cases_surface_are_japanese(capsys) -> None:
    (code_en, err_en), (code_ja, err_ja) = both(capsys, "chat", "hi", "-b", "nope")
    assert code_en == code_ja == 2
    assert err_en.startswith("error: unknown backend 'nope': choose one of: ")
    assert err_ja.startswith("エラー: 不明なバックエンド 'nope'。次のいずれかを選んでください: ")
    (code_en, err_en), (code_ja, err_ja) = both(capsys, "assistant", "show", "nobody")
    assert code_en == code_ja == 2
    assert err_en.strip() == "error: no assistant named nobody: see `advisor assistant list`"
    assert err_ja.strip() == (
        "エラー: nobody という名前のアシスタントはありません。"
        "`advisor assistant list` で確認してください"
    )


# --- bench verdict ---------------------------------------------------------------------


@pytest.fixture
def fake_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_CHROMA__EMBEDDING_BACKEND", "fake")
    from advisor.cli import context

    context.settings.cache_clear()


def test_bench_verdict_follows_the_switch_and_json_keeps_english(
    capsys, tmp_path, fake_embeddings
) -> None:
    from advisor.bench.report import load_results
    from advisor.bench.verdict_text import verdict_note, verdict_summary

    tiny = str(FIXTURES / "bench" / "tiny")
    common = ("bench", tiny, "--backend", "fake", "--routes", "system_prompt,rag")
    code, out, err = run(capsys, "--lang", "ja", *common, "--out", str(tmp_path / "ja"))
    assert code == 0, err
    results = load_results(tmp_path / "ja" / "results.json")
    summary, note = verdict_summary(results, "ja"), verdict_note(results, "ja")
    assert JAPANESE.search(summary) and JAPANESE.search(note)
    assert f"判定: {summary}" in out and f"アドバイザー: {note}" in out
    # The routes by their Japanese names, as the wizard and `assess` name them, not by id.
    assert "システムプロンプト" in summary + note and "system_prompt" not in summary + note
    assert not JAPANESE.search(results.verdict.summary + results.verdict.recommendation_note)
    assert f"- {summary}。" in (tmp_path / "ja" / "report.md").read_text("utf-8")
    assert "<div class='verdict" in (page := (tmp_path / "ja" / "report.html").read_text("utf-8"))
    assert " lang='ja'>" in page
    code, out, _ = run(capsys, *common, "--out", str(tmp_path / "en"), "--format", "json")
    english = load_results(tmp_path / "en" / "results.json")
    assert json.loads(out)["verdict"] == results.verdict.model_dump(mode="json")
    assert english.verdict == results.verdict  # the language never reaches results.json


# --- price-table notes and backends ----------------------------------------------------


def test_prices_show_notes_in_japanese_and_identical_json(capsys) -> None:
    code, out, _ = run(capsys, "--lang", "ja", "prices", "show")
    assert code == 0
    assert "自前のハードウェアで動作: トークンごとの料金はかかりません" in out
    assert "OpenAI のセルフサービスのファインチューニング（SFT、DPO、RFT） [openai]" in out
    assert "新規ジョブの受付終了 - どの組織も新しいファインチューニングのジョブ" in out
    assert "runs on own hardware" not in out and "no organisation" not in out
    code, out_en, _ = run(capsys, "prices", "show")
    assert "runs on own hardware: no per-token charge" in out_en
    assert "2027-01-06  no_new_jobs - no organisation can create" in out_en
    _, json_en, _ = run(capsys, "prices", "show", "--format", "json")
    _, json_ja, _ = run(capsys, "--lang", "ja", "prices", "show", "--format", "json")
    assert json_en == json_ja
    assert "_ja" not in json_en  # the Japanese fields stay out of JSON


def test_backends_list_descriptions_and_reasons_in_japanese(capsys, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("ADVISOR_OPENAI__BASE_URL", raising=False)
    from advisor.cli import context

    context.settings.cache_clear()
    code, out, _ = run(capsys, "--lang", "ja", "backends", "list")
    assert code == 0
    assert "台本どおりの決まった返答とハッシュによる埋め込み（テストと文書用）。" in out
    assert "openai   使用不可: OPENAI_API_KEY がありません: OPENAI_API_KEY を設定するか" in out
    assert "Deterministic" not in out and "set OPENAI_API_KEY" not in out
    _, out_en, _ = run(capsys, "backends", "list")
    assert "no OPENAI_API_KEY: set OPENAI_API_KEY or choose --backend local" in out_en
    assert "Deterministic scripted replies and hashed embeddings, for tests and docs." in out_en
    _, json_en, _ = run(capsys, "backends", "list", "--format", "json")
    _, json_ja, _ = run(capsys, "--lang", "ja", "backends", "list", "--format", "json")
    assert json_en == json_ja
    rows = {row["name"]: row for row in json.loads(json_en)["backends"]}
    assert rows["openai"]["reason"].startswith("no OPENAI_API_KEY")


def test_no_english_leaks_into_the_next_command(capsys, tmp_path) -> None:
    run(capsys, "--lang", "ja", "export", "m", "--format", "bogus", "--out", str(tmp_path))
    _, _, err = run(capsys, "export", "m", "--format", "bogus", "--out", str(tmp_path))
    assert err.startswith("error: 'bogus' is not an export format")


def test_the_path_is_kept_for_a_data_file_error(tmp_path: Path) -> None:
    from advisor.app.arena import read_prompts
    from advisor.errors import DataFileError

    bad = tmp_path / "p.jsonl"
    bad.write_text('{"prompt": "ok"}\n{oops\n', encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        read_prompts(bad)
    assert str(info.value).startswith(f"{bad}, line 2: not valid JSON (")
    assert info.value.localized("ja").startswith(f"{bad} の 2 行目: JSON として正しくありません（")


def test_a_backend_reason_inside_an_error_follows_the_language(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ADVISOR_OPENAI__BASE_URL", raising=False)
    from advisor.cli import context

    context.settings.cache_clear()
    train = str(FIXTURES / "grow" / "train20.jsonl")
    args = ("data", "grow", train, "-o", str(tmp_path / "d.jsonl"), "-b", "openai", "-n", "2")
    (code_en, err_en), (code_ja, err_ja) = both(capsys, *args)
    assert code_en == code_ja == 2
    assert err_en.strip() == (
        "error: the openai backend cannot be the teacher now: no OPENAI_API_KEY: "
        "set OPENAI_API_KEY or choose --backend local"
    )
    assert err_ja.strip() == (
        "エラー: openai バックエンドは今は教師モデルとして使えません: OPENAI_API_KEY がありません: "
        "OPENAI_API_KEY を設定するか --backend local を選んでください"
    )


def test_deploy_of_an_unknown_job_is_japanese(capsys) -> None:
    (code_en, err_en), (code_ja, err_ja) = both(capsys, "tune", "deploy", "ftjob-none")
    assert code_en == code_ja == 2
    assert re.fullmatch(r"error: no job 'ftjob-none' in .+: see `advisor jobs list`\n", err_en)
    assert re.fullmatch(
        r"エラー: .+ にジョブ 'ftjob-none' はありません。`advisor jobs list` で確認してください\n",
        err_ja,
    )


def test_a_deployment_name_error_is_japanese() -> None:
    from advisor.errors import UserInputError
    from backends.deployments import check_name

    with pytest.raises(UserInputError) as info:
        check_name("-bad")
    assert str(info.value) == (
        "'-bad' is not a valid deployment name: use 2 to 64 letters, digits, '-', '_' or '.', "
        "starting with a letter or digit"
    )
    assert info.value.localized("ja").startswith("'-bad' はデプロイ名として使えません。英数字")


def test_a_bench_route_error_is_japanese_with_its_reason(capsys) -> None:
    tiny = str(FIXTURES / "bench" / "tiny")
    args = ("bench", tiny, "--backend", "fake", "--routes", "sft+system_prompt", "--dry-run")
    (code_en, err_en), (code_ja, err_ja) = both(capsys, *args)
    assert code_en == code_ja == 2
    assert err_en.startswith(
        "error: route 'sft+system_prompt' is not valid: a tuned model answers with the system "
        "prompt anyway: use sft: use one of system_prompt, few_shot, rag,"
    )
    assert err_ja.startswith(
        "エラー: ルート 'sft+system_prompt' は正しくありません: 学習済みモデルはいずれにせよ"
        "システムプロンプト付きで答えます: sft を指定してください。system_prompt, few_shot"
    )
