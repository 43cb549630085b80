"""``advisor scenarios list|show|validate``: output, JSON and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.bilingual import run
from tests.conftest import REPO

SCENARIOS = REPO / "scenarios"


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / "client" / name
    shutil.copytree(SCENARIOS / name, target)
    return target


def test_list_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scenarios", "list")
    assert code == 0
    for name in ("brand-voice", "ticket-triage", "product-manual", "house-rules",
                 "invoice-total", "ja-support"):  # fmt: skip
        assert name in out


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scenarios", "list", "--format", "json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)["scenarios"]}
    assert len(rows) == 6
    assert rows["product-manual"]["has_knowledge"] is True
    assert rows["product-manual"]["expected_route"] == "rag"
    assert rows["invoice-total"]["kind"] == "verifiable"
    assert all(r["training_examples"] >= 100 and r["test_prompts"] >= 30 for r in rows.values())


def test_list_from_another_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _copy("house-rules", tmp_path)
    code, out, _ = run(capsys, "scenarios", "list", "--dir", str(tmp_path / "client"), "-f", "json")
    assert code == 0
    assert [r["name"] for r in json.loads(out)["scenarios"]] == ["house-rules"]


def test_show_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scenarios", "show", "ticket-triage")
    assert code == 0
    assert "Triage the Parcelbird support ticket" in out
    assert "grader schema (json_schema, format)" in out
    assert "strict_format = true" in out
    assert "train_sft.jsonl (160 examples)" in out


def test_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scenarios", "show", "product-manual", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["name"] == "product-manual"
    assert data["knowledge"]["documents"].endswith("knowledge")
    assert data["summary"]["test_prompts"] == 40
    assert len(data["sample_items"]) == 3 and "key_pattern" in data["sample_items"][0]


def test_validate_shipped_by_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scenarios", "validate", str(SCENARIOS / "ja-support"))
    assert code == 0
    assert "ja-support: ok (0 errors, 0 warnings)" in out


def test_validate_finds_problems_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _copy("brand-voice", tmp_path)
    (folder / "test.jsonl").write_text(
        "\n".join((SCENARIOS / "brand-voice" / "test.jsonl").read_text().splitlines()[:10]) + "\n"
    )
    code, out, _ = run(capsys, "scenarios", "validate", str(folder), "--format", "json")
    assert code == 1
    data = json.loads(out)  # stdout holds only JSON
    assert data["ok"] is False
    assert data["scenarios"][0]["problems"][0]["code"] == "too_few_test_prompts"


def test_validate_strict_fails_on_warnings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _copy("brand-voice", tmp_path)
    toml = folder / "scenario.toml"
    start = toml.read_text().index("[answers]")
    end = toml.read_text().index("[training]")
    toml.write_text(toml.read_text()[:start] + toml.read_text()[end:])
    code, out, _ = run(capsys, "scenarios", "validate", str(folder))
    assert code == 0 and "1 warnings" in out
    code, out, _ = run(capsys, "scenarios", "validate", str(folder), "--strict")
    assert code == 1 and "no [answers]" in out


def test_bad_toml_is_one_sentence_with_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _copy("brand-voice", tmp_path)
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text().replace('kind = "style"', "kind = style"))
    line = toml.read_text().splitlines().index("kind = style") + 1
    code, out, err = run(capsys, "scenarios", "show", str(folder))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and f"line {line}" in err
    assert "Traceback" not in err


def test_unknown_scenario_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "scenarios", "show", "nope")
    assert code == 2 and "no scenario named" in err and "brand-voice" in err
