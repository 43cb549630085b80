"""``advisor questions`` and ``advisor assess`` through the real entry point."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli.bilingual import run
from tests.conftest import FIXTURES, REPO

EXAMPLES = REPO / "examples/answers"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_questions_text_lists_every_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "questions")
    assert code == 0
    for qid in ("fixed_style", "knowledge_volume", "example_count", "data_privacy"):
        assert re.search(rf"^{qid}\s", out, re.MULTILINE)
    assert "none, small, large" in out


def test_questions_json_in_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "questions", "--lang", "ja", "--format", "json")
    assert code == 0
    data = json.loads(out)
    first = data[0]
    assert first["id"] == "fixed_style"
    assert first["type"] == "yes_no"
    assert first["default"] is False
    assert JAPANESE.search(first["text"]) and JAPANESE.search(first["help"])
    volume = next(q for q in data if q["id"] == "knowledge_volume")
    assert [c["value"] for c in volume["choices"]] == ["none", "small", "large"]


def _check_shape(data: dict[str, Any]) -> None:
    """The stable JSON shape of the issue (extra keys allowed)."""
    assert {"routes", "recommendation", "flips", "warnings"} <= set(data)
    scores = [r["score"] for r in data["routes"]]
    assert scores == sorted(scores, reverse=True)
    for route in data["routes"]:
        assert {"route", "score", "eligible", "reasons"} <= set(route)
        assert isinstance(route["score"], int | float)
        assert isinstance(route["eligible"], bool)
        for reason in route["reasons"]:
            assert {"criterion", "contribution", "text"} <= set(reason)
            assert isinstance(reason["contribution"], int | float)
    rec = data["recommendation"]
    assert {"primary", "combination", "confidence", "next_steps"} <= set(rec)
    assert isinstance(rec["confidence"], int | float)
    assert all(isinstance(s, str) for s in rec["next_steps"])
    for flip in data["flips"]:
        assert {"question", "answer", "new_primary"} <= set(flip)
    assert all(isinstance(w, str) for w in data["warnings"])


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.iterdir()))
def test_assess_json_shape_for_every_example(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, err = run(capsys, "assess", "--answers", str(EXAMPLES / name), "--format", "json")
    assert code == 0, err
    _check_shape(json.loads(out))


def test_assess_json_canonical_profile(capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLES / "all_fine_tuning.yaml"
    _, out, _ = run(capsys, "assess", "-a", str(path), "-f", "json")
    data = json.loads(out)
    assert data["recommendation"]["primary"] == "sft"
    assert data["routes"][0]["route"] == "sft"


def test_assess_text_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "assess", "--answers", str(EXAMPLES / "knowledge_heavy.yaml"))
    assert code == 0
    assert out.startswith("Recommendation: RAG (retrieval)")
    assert "knowledge_large:" in out


def test_assess_markdown_in_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "assess",
        "--answers",
        str(EXAMPLES / "japanese_brand_voice.yaml"),
        "--format",
        "md",
        "--lang",
        "ja",
    )
    assert code == 0
    assert out.startswith("# 手法の推奨: ファインチューニング：SFT")
    assert "## 次のステップ" in out and "## 推奨が変わる条件" in out
    assert "Recommendation" not in out and "Next steps" not in out


def test_assess_json_in_japanese_is_japanese_throughout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = EXAMPLES / "all_fine_tuning_no_data.yaml"
    _, out, _ = run(capsys, "assess", "-a", str(path), "-f", "json", "-l", "ja")
    data = json.loads(out)
    texts = [r["text"] for route in data["routes"] for r in route["reasons"]]
    texts += data["recommendation"]["next_steps"] + data["warnings"]
    texts += [f["text"] for f in data["flips"]]
    assert texts
    assert all(JAPANESE.search(t) for t in texts)


def test_assess_writes_the_brief_to_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "brief.md"
    code, out, _ = run(
        capsys, "assess", "-a", str(EXAMPLES / "simple_tone.yaml"), "-f", "md", "-o", str(target)
    )
    assert code == 0
    assert out == ""
    assert target.read_text(encoding="utf-8").startswith("# Route recommendation: System prompt")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("unknown_id.yaml", ["unknown_id.yaml, line 3", "fancy_option"]),
        ("wrong_type.yaml", ["line 2", "example_count", "whole number"]),
        ("wrong_choice.json", ["line 3", "knowledge_volume", "one of none, small, large"]),
        ("broken.yaml", ["invalid YAML"]),
    ],
)
def test_bad_answer_files_get_one_clear_error(
    capsys: pytest.CaptureFixture[str], name: str, words: list[str]
) -> None:
    code, out, err = run(capsys, "assess", "--answers", str(FIXTURES / "criteria" / name))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in err


def test_missing_answers_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "assess", "--answers", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "not found" in err


def test_bad_language_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "assess", "-a", str(EXAMPLES / "simple_tone.yaml"), "--lang", "fr")
    assert code == 2


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_template_is_a_loadable_answers_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, lang: str
) -> None:
    code, out, _ = run(capsys, "questions", "--template", "--lang", lang)
    assert code == 0
    path = tmp_path / "answers.yaml"
    path.write_text(out, encoding="utf-8")
    code, out, err = run(capsys, "assess", "-a", str(path), "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["recommendation"]["primary"] == "system_prompt"
    assert data["defaulted"] == []


def test_set_overrides_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "all_fine_tuning.yaml")
    _, out, _ = run(capsys, "assess", "-a", path, "--set", "example_count=5", "-f", "json")
    data = json.loads(out)
    assert data["answers"]["example_count"] == 5
    assert data["recommendation"]["primary"] != "sft"


def test_set_alone_is_enough(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "assess", "-s", "knowledge_volume=large", "-s", "needs_citations=yes", "-f", "json"
    )
    assert code == 0
    assert json.loads(out)["recommendation"]["primary"] == "rag"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        ([], "give --answers FILE or --set"),
        (["--set", "bogus"], "question_id=value"),
        (["--set", "nope=1"], "unknown question id 'nope'"),
        (["--set", "example_count=lots"], "example_count"),
    ],
)
def test_bad_set_is_one_clear_error(
    capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    code, _, err = run(capsys, "assess", *argv)
    assert code == 2
    assert err.count("\n") == 1 and words in err
