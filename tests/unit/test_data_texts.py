"""The data toolkit's texts for people (advisor/data/texts.yaml) follow the language switch.

Issues and findings stay structured (code, key, parameters, line) until a shell
renders them; the English rendering is what JSON carries and must not change.
"""

from __future__ import annotations

import ast
import json

import pytest

from advisor import messages
from advisor.data import texts
from advisor.data.review import ReviewQueue
from advisor.data.validate import ERROR_CODES, WARNING_CODES, validate_file
from tests.conftest import FIXTURES, REPO

PLANTED = FIXTURES / "data" / "planted"
# Keys that are no issue of the validator: parts of other texts and the review queue's own.
NOT_ISSUES = ("part.", "kind.", "review.", "refusal.", "progress.", "clean.")


def test_every_text_has_english_and_japanese_with_the_same_placeholders() -> None:
    for key, message in texts.catalog().items():
        assert message.en.strip() and message.ja.strip(), key
        assert messages.placeholders(message.en) == messages.placeholders(message.ja), key


def test_every_issue_code_the_validator_can_emit_has_its_texts() -> None:
    """The registry (ERROR_CODES, WARNING_CODES) and the catalog agree both ways."""
    codes = ERROR_CODES | WARNING_CODES
    keyed = {k.split(".", 1)[0] for k in texts.catalog() if not k.startswith(NOT_ISSUES)}
    assert sorted(codes - keyed) == [], "codes without a text in advisor/data/texts.yaml"
    assert sorted(keyed - codes) == [], "texts of codes missing from the registry"


def _literal_keys() -> set[str]:
    """Every text key the code writes as a literal: ``say("k")``, ``Label("k")`` anywhere,
    ``found.error("k")`` / ``warn`` in the data toolkit."""
    used: set[str] = set()
    paths = [*(REPO / "advisor").rglob("*.py"), *(REPO / "backends").rglob("*.py")]
    for path in paths:
        in_data = "advisor/data/" in path.as_posix()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
            wanted = {"say", "Label", "error", "warn"} if in_data else {"say", "Label"}
            if name in wanted and literal:
                used.add(first.value)  # type: ignore[attr-defined]
    return used


def test_every_key_the_code_writes_is_in_the_catalog() -> None:
    used = _literal_keys()
    assert {"invalid_role.missing", "review.flagged", "progress.calibrated"} <= used, "broken scan"
    assert sorted(used - set(texts.catalog())) == []


def test_a_key_missing_from_the_catalog_fails_where_it_is_written() -> None:
    with pytest.raises(KeyError, match=r"texts\.yaml"):
        texts.say("no_such_code")


@pytest.mark.parametrize(
    ("name", "method", "grader"),
    [("sft", "sft", None), ("dpo", "dpo", None), ("rft", "rft", "grader.json")],
)
def test_the_english_messages_are_exactly_those_of_before(name, method, grader) -> None:
    report = validate_file(
        PLANTED / f"{name}.jsonl", method, grader=PLANTED / grader if grader else None
    )
    expected = json.loads((PLANTED / f"{name}.expected.json").read_text("utf-8"))
    assert report.model_dump(mode="json") == expected


def test_the_encoding_message_is_unchanged_and_japanese_on_request() -> None:
    report = validate_file(FIXTURES / "data" / "ja_sjis.jsonl", "sft")
    expected = json.loads((PLANTED / "sjis.expected.json").read_text("utf-8"))
    assert report.model_dump(mode="json") == expected
    assert report.errors[0].message_in("ja").startswith("ファイルは UTF-8 ではなく Shift_JIS")


def test_every_issue_renders_in_japanese_and_keeps_its_code_and_line() -> None:
    report = validate_file(PLANTED / "dpo.jsonl", "dpo")
    for issue in report.errors + report.warnings:
        japanese = issue.message_in("ja")
        assert japanese != issue.message, issue.code
        assert issue.message_in("en") == issue.message
    role = next(i for i in report.errors if i.code == "invalid_role")
    assert role.line == 5
    assert role.message_in("ja").startswith("input のメッセージ 1 の role が 'x' です")


def test_json_dumps_carry_no_text_key() -> None:
    report = validate_file(PLANTED / "rft.jsonl", "rft")
    assert set(report.model_dump()["errors"][0]) == {"line", "code", "message"}


@pytest.mark.parametrize("name", ["sft.jsonl", "review.jsonl"])
def test_review_findings_keep_their_english(name, tmp_path) -> None:
    copy = tmp_path / name  # the queue may write its log next to the file
    copy.write_bytes((PLANTED / name).read_bytes())
    expected = json.loads((PLANTED / "review.expected.json").read_text("utf-8"))[name]
    page = ReviewQueue(copy, page_size=50).page(1)
    found = [[r.line, f.level, f.code, f.field, f.message] for r in page.rows for f in r.findings]
    assert found == expected


def test_review_findings_render_in_japanese(tmp_path) -> None:
    copy = tmp_path / "review.jsonl"
    copy.write_bytes((PLANTED / "review.jsonl").read_bytes())
    page = ReviewQueue(copy, page_size=50).page(1)
    shown = {f.code: f.message_in("ja") for r in page.rows for f in r.findings}
    assert shown["typo_ja_doubled"] == "要確認: 'ざいますます'(候補: 'ざいます')"
    assert shown["pii"] == "'john@example.com' を '[EMAIL]' に直します"
    assert shown["invalid_draft"].startswith('"draft" キーは origin')


def test_a_progress_label_is_its_english_text_and_renders_in_japanese() -> None:
    label = texts.Label("progress.calibrate_training", steps=3, seq_len=256)
    assert isinstance(label, str) and label == "training: 3 LoRA steps at 256 tokens"
    assert texts.label_in(label, "ja") == "学習: 256 トークンで LoRA を 3 ステップ"
    assert texts.label_in(label, "en") == label
    assert texts.label_in("notes.md", "ja") == "notes.md"  # a file name is data
    nested = texts.Label("progress.bench_method", method="sft", item=label)
    assert nested == "sft: training: 3 LoRA steps at 256 tokens"
    assert texts.label_in(nested, "ja") == "sft: 学習: 256 トークンで LoRA を 3 ステップ"


def test_the_core_writes_labels_without_reading_the_language(monkeypatch, tmp_path) -> None:
    """The review use case reports English labels whatever the switch; the shell renders."""
    from advisor.app.review import accept_all_clean, open_queue

    monkeypatch.setenv("ADVISOR_LANG", "ja")
    seen: list[str] = []
    copy = tmp_path / "sft.jsonl"  # accepting writes the review log next to the file
    copy.write_bytes((PLANTED / "sft.jsonl").read_bytes())
    queue = open_queue(copy, page_size=50)
    accept_all_clean(queue, lambda done, total, label: seen.append(label))
    assert seen == ["pages"] and texts.label_in(seen[0], "ja") == "ページ"
