"""Japanese output of chat, assistant, scenarios, backends, config, graders and demo (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backends.fake import FakeBackend
from tests.cli.bilingual import run

STRING_CHECK = json.dumps(
    {
        "type": "string_check",
        "name": "exact",
        "input": "{{sample.output_text}}",
        "reference": "{{item.answer}}",
        "operation": "eq",
    }
)


def ja(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run(capsys, "--lang", "ja", *args)


def test_chat_errors_are_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = ja(capsys, "chat", "--backend", "openai", "hi")
    assert code == 2 and err.startswith("エラー: ")


def test_assistant_in_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ja(capsys, "assistant", "create", "desk", "-i", "Be brief.", "-b", "fake")
    assert code == 0, err
    assert out.startswith("アシスタント desk を ") and out.rstrip().endswith("に保存しました")
    _, out, _ = ja(capsys, "assistant", "list")
    assert out.strip() == "desk: ナレッジのパス 0 件、fake/既定のモデル"
    code, _, err = ja(capsys, "assistant", "chat", "desk", "--format", "json")
    assert code == 2
    assert err.strip() == (
        "エラー: --format json には --message が必要です。対話形式のチャットはテキスト出力のみです"
    )
    _, out, _ = ja(capsys, "assistant", "delete", "desk")
    assert out.strip() == "アシスタント desk を削除しました"
    _, out, _ = ja(capsys, "assistant", "list")
    assert out.startswith("アシスタントはまだありません。")


def test_scenarios_in_japanese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, out, _ = ja(capsys, "scenarios", "list")
    head = out.splitlines()[0]
    assert head.startswith("名前") and head.endswith("タイトル") and "NAME" not in head
    _, out, _ = ja(capsys, "scenarios", "show", "brand-voice")
    assert "学習データ:" in out and "\nテスト: " in out and "training:" not in out
    _, out, _ = ja(capsys, "scenarios", "validate", "brand-voice")
    assert out.startswith("brand-voice: 合格（エラー 0 件、警告 ")
    code, _, err = ja(capsys, "scenarios", "validate", "--dir", str(tmp_path))
    assert code == 2
    assert err.strip() == "エラー: シナリオが見つかりません。シナリオのフォルダーを指定してください"


def test_scenarios_json_does_not_change_with_the_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, english, _ = run(capsys, "scenarios", "show", "brand-voice", "--format", "json")
    _, japanese, _ = ja(capsys, "scenarios", "show", "brand-voice", "--format", "json")
    assert json.loads(english) == json.loads(japanese)


def test_backends_and_warm_in_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = ja(capsys, "backends", "list")
    assert "fake     使用可能" in out and "既定のモデル: " in out and "usable" not in out
    assert "openai   使用不可: " in out
    _, out, _ = ja(capsys, "backends", "warm", "status")
    assert out.startswith("常駐ローカルモデルは動いていません。")
    assert "local.warm が false です。" in out
    _, out, _ = ja(capsys, "backends", "warm", "stop")
    assert out.strip() == "常駐ローカルモデルは動いていませんでした"


def test_config_show_says_which_language_the_session_speaks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The setting lines are names and values, data that no language changes; a session
    # switched by ADVISOR_LANG says so, or `language = en` would read as the switch failing.
    _, english, _ = run(capsys, "config", "show")
    _, japanese, _ = ja(capsys, "config", "show")
    assert "language = en" in japanese and japanese.startswith(english)
    extra = japanese[len(english) :].strip()
    assert extra.startswith("このセッションの言語は ja です") and "\n" not in extra
    assert "セッション" not in english and "This session" not in english
    code, as_json, _ = ja(capsys, "config", "show", "--format", "json")
    assert code == 0 and "セッション" not in as_json and '"language": "en"' in as_json


def test_graders_in_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("graders", "run", "-g", STRING_CHECK, "-s", "42", "-i", '{"answer": "42"}')
    code, out, _ = ja(capsys, *args)
    assert code == 0 and out.startswith("exact（string_check）: スコア 1、合格")
    code, out, _ = ja(
        capsys, "graders", "run", "-g", STRING_CHECK, "-s", "41", "-i", '{"answer": "42"}'
    )
    assert code == 1 and out.startswith("exact（string_check）: スコア 0、不合格")
    code, _, err = ja(capsys, "graders", "run", "-g", STRING_CHECK, "-s", "a", "-i", "[1]")
    assert code == 2 and err.startswith("エラー: --item は JSON オブジェクトで指定してください")
    code, _, err = ja(capsys, "graders", "run", "-g", "missing.json", "-s", "a")
    assert code == 2
    assert err.strip() == (
        "エラー: 採点器のファイル missing.json が見つかりません。"
        "ファイルか JSON を直接指定してください"
    )


def test_demo_in_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    FakeBackend.queue_replies("スタイルを揃えるためです。")
    code, out, err = ja(capsys, "demo", "--backend", "fake")
    assert code == 0, err
    assert out.startswith("サンプルのユースケース: ")
    assert "ご自分のケースで試すには: " in out and "に質問します: 二文で答えてください" in out
    assert "is recommended" not in out and "トークン、" in err
