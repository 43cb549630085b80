"""`advisor data convert` speaks Japanese with --lang ja: why a record was skipped and why
the command refused, while its JSON and English stay as they were."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.bilingual import both, run


def _alpaca(tmp_path: Path) -> Path:
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"instruction": "q", "output": "a"}\n[1]\n{"instruction": "q"}\n'
        '{"instruction": "q", "output": "a", "history": [["", "a"]]}\n',
        encoding="utf-8",
    )
    return src


def test_skipped_records_say_why_in_japanese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = _alpaca(tmp_path)
    args = ("data", "convert", str(src), "--from", "alpaca", "--to", "sft")
    code, english, _ = run(capsys, *args, "-o", str(tmp_path / "en.jsonl"))
    ja_code, japanese, _ = run(capsys, "--lang", "ja", *args, "-o", str(tmp_path / "ja.jsonl"))
    assert code == ja_code == 0
    assert f"skipped {src}:2: not an object" in english
    assert f"skipped {src}:3: empty or missing output" in english
    assert f"skipped {src}:4: empty or missing history question" in english
    assert f"スキップ {src}:2: オブジェクトではありません" in japanese
    assert f"スキップ {src}:3: 「output」が空か、ありません" in japanese
    assert f"スキップ {src}:4: 「history の質問」が空か、ありません" in japanese
    assert "missing" not in japanese and "not an object" not in japanese


def test_the_json_report_keeps_english_reasons(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = _alpaca(tmp_path)
    args = ("data", "convert", str(src), "--from", "alpaca", "--to", "sft", "--format", "json")
    _, english, _ = run(capsys, *args, "-o", str(tmp_path / "o.jsonl"))
    _, japanese, _ = run(capsys, "--lang", "ja", *args, "-o", str(tmp_path / "o.jsonl"))
    assert japanese == english
    assert json.loads(english)["skipped"] == [
        {"line": 2, "reason": "not an object"},
        {"line": 3, "reason": "empty or missing output"},
        {"line": 4, "reason": "empty or missing history question"},
    ]


def test_a_missing_input_is_refused_in_both_languages(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.jsonl"
    args = ("data", "convert", str(missing), "--from", "alpaca", "--to", "sft")
    (code, english), (ja_code, japanese) = both(capsys, *args, "-o", str(tmp_path / "o.jsonl"))
    assert code == ja_code == 2
    assert english.strip() == f"error: {missing}: no such file: check the path and try again"
    assert japanese.strip() == (
        f"エラー: {missing}: そのファイルはありません。パスを確認して、もう一度お試しください"
    )
