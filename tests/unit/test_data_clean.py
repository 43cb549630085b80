"""Cleansing in English and Japanese: every rewrite and flag is in the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from advisor.data.clean import CleanOptions, clean_file, rules
from advisor.data.clean import flags as fl
from advisor.errors import UserInputError
from backends.types import ModerationResult


def example(user: str, answer: str, system: str | None = None) -> dict[str, Any]:
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    if system:
        messages.insert(0, {"role": "system", "content": system})
    return {"messages": messages}


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return path


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def items(result, rule: str) -> list[tuple[int, str | None, str | None]]:
    return [(i.line, i.before, i.after) for i in result.items if i.rule == rule]


def test_english_noise_pii_typos_and_duplicates(tmp_path: Path):
    src = write(
        tmp_path / "en.jsonl",
        [
            example(
                "Hello <b>there</b> &amp; welcome",
                "Mail jane.roe@example.org or call "
                "+1 (555) 123-4567.\u200b We recieve letters daily.",
            ),
            example("How do I bold text?", "Use `<b>bold</b>` in HTML, released 2024-01-15."),
            example("What is Python?", "Python is a programming language."),
            example("What is Python?", "Python is a programming language."),
            example("what is  python?", "Python is a programming  language."),
        ],
    )
    original = src.read_bytes()
    report = tmp_path / "report.json"
    result = clean_file(src, tmp_path / "out.jsonl", report_path=report)
    assert src.read_bytes() == original  # the input is never modified
    assert items(result, "html") == [(1, "<b>", ""), (1, "</b>", ""), (1, "&amp;", "&")]
    assert items(result, "pii") == [
        (1, "jane.roe@example.org", "[EMAIL]"),
        (1, "+1 (555) 123-4567", "[PHONE]"),
    ]
    assert items(result, "control_chars") == [(1, "\u200b", "")]
    assert items(result, "typo_en") == [(1, "recieve", "receive")]
    assert [(i.line, i.rule) for i in result.items if i.action == "removed"] == [
        (4, "duplicate"),
        (5, "duplicate"),
    ]
    out = read(tmp_path / "out.jsonl")
    assert len(out) == 3 and result.written == 3
    assert out[0]["messages"][0]["content"] == "Hello there & welcome"
    answer = out[0]["messages"][1]["content"]
    assert "[EMAIL]" in answer and "[PHONE]" in answer and "recieve" in answer  # flagged only
    assert out[1]["messages"][1]["content"] == "Use `<b>bold</b>` in HTML, released 2024-01-15."
    saved = json.loads(report.read_text())
    assert saved["summary"]["removed"] == 2
    assert {i["rule"] for i in saved["items"]} >= {"html", "pii", "typo_en", "duplicate"}
    assert all({"line", "rule", "action", "before", "after"} <= set(i) for i in saved["items"])


def test_near_duplicates_keep_the_first(tmp_path: Path):
    base = (
        "The warranty covers parts and labour for two years from the date of purchase, "
        "provided the device was used as described in the manual and not opened. "
        "To make a claim, bring the receipt and the device to any of our shops, or send "
        "them to the service centre; repairs usually take five to ten working days."
    )
    rows = [
        example("Warranty?", base),
        example("Warranty?", base + " Thanks."),
        example("Returns?", "You can return the device within thirty days for a refund."),
    ]
    result = clean_file(write(tmp_path / "n.jsonl", rows), tmp_path / "o.jsonl")
    assert [(i.line, i.rule) for i in result.items if i.action == "removed"] == [
        (2, "near_duplicate")
    ]
    assert "line 1" in next(i.before for i in result.items if i.rule == "near_duplicate")
    strict = clean_file(
        tmp_path / "n.jsonl", tmp_path / "o2.jsonl", CleanOptions(near_threshold=1.0)
    )
    assert strict.written == 3


def test_japanese_width_punctuation_register_and_typos(tmp_path: Path):
    rows = [
        example("ＡＰＩとは？", "ＡＰＩは、ソフト同士をつなぐ仕組みです。ｺﾝﾋﾟｭｰﾀで使います。"),
        example("東京のの駅はどこですか", "東京駅は丸の内にあります，とても大きいです．"),
        example("猫について", "猫はかわいい動物だ。よく眠るのである。"),
        example("犬について", "犬は忠実な動物です。散歩が好きです。"),
        example("鳥について", "鳥は空を飛びます。歌も歌います。"),
        example("ＡＰＩkeyとは", "鍵のことです。大切に保管します。"),
    ]
    result = clean_file(
        write(tmp_path / "ja.jsonl", rows), tmp_path / "o.jsonl", CleanOptions(lang="ja")
    )
    assert (1, "ＡＰＩ", "API") in items(result, "width")
    assert (1, "ｺﾝﾋﾟｭｰﾀ", "コンピュータ") in items(result, "width")
    assert items(result, "punctuation") == [(2, "，", "、"), (2, "．", "。")]
    assert items(result, "register") == [(3, "plain register (most answers differ)", "polite")]
    ja_typos = items(result, "typo_ja")
    assert (2, "のの", "の") in ja_typos
    assert any(line == 6 and before == "ＡＰＩkey" for line, before, _ in ja_typos)
    out = read(tmp_path / "o.jsonl")
    assert out[0]["messages"][1]["content"] == (
        "APIは、ソフト同士をつなぐ仕組みです。コンピュータで使います。"
    )
    assert out[1]["messages"][0]["content"] == "東京のの駅はどこですか"  # flagged, not rewritten
    assert out[2]["messages"][1]["content"] == "猫はかわいい動物だ。よく眠るのである。"


def test_japanese_pii_and_numbers_left_alone(tmp_path: Path):
    text, edits = rules.mask_pii(
        "連絡先は090-1234-5678、09012345678 または taro@example.jp。"
        "価格は1,000円、2024-01-15発売、版1.2.3。"
    )
    assert edits == [
        ("taro@example.jp", "[EMAIL]"),
        ("090-1234-5678", "[PHONE]"),
        ("09012345678", "[PHONE]"),
    ]
    assert "1,000円" in text and "2024-01-15" in text and "1.2.3" in text


def test_boilerplate_lines_are_removed(tmp_path: Path):
    footer = "This answer was generated by our support bot."
    rows = [example(f"Question {i}?", f"Answer number {i} is here.\n{footer}") for i in range(6)]
    rows.append(example("Other?", "A different answer entirely."))
    result = clean_file(write(tmp_path / "b.jsonl", rows), tmp_path / "o.jsonl")
    assert [line for line, *_ in items(result, "boilerplate")] == [1, 2, 3, 4, 5, 6]
    assert read(tmp_path / "o.jsonl")[0]["messages"][1]["content"] == "Answer number 0 is here."


def test_inappropriate_words_length_and_format_outliers(tmp_path: Path):
    rows = [example(f"Q{i}?", f"A short plain answer number {i}.") for i in range(24)]
    rows[3] = example("Q3?", "Shut up, you idiot.")
    rows[5] = example("Q5?", "黙れ、死ね。")
    rows[7] = example("Q7?", "## Heading\n- a bullet list answer " + "with many words " * 40)
    result = clean_file(write(tmp_path / "w.jsonl", rows), tmp_path / "o.jsonl")
    flagged = {(line, before) for line, before, _ in items(result, "inappropriate")}
    assert {(4, "Shut up"), (4, "idiot"), (6, "死ね")} <= flagged
    assert [line for line, *_ in items(result, "length_outlier")] == [8]
    assert [line for line, *_ in items(result, "formatting")] == [8]
    assert result.written == 24  # flags never remove


def test_own_word_list(tmp_path: Path):
    words = tmp_path / "words.txt"
    words.write_text("# ours\ncompetitor\n")
    rows = [example("Q?", "Buy from Competitor instead.")]
    result = clean_file(
        write(tmp_path / "x.jsonl", rows), tmp_path / "o.jsonl", CleanOptions(wordlist=str(words))
    )
    assert items(result, "inappropriate") == [(1, "Competitor", None)]


def test_moderation_backend_flags(tmp_path: Path):
    class Moderator:
        def __init__(self) -> None:
            self.calls: list[list[str]] = []

        def moderate(self, texts):
            self.calls.append(list(texts))
            return [
                ModerationResult(
                    flagged="hurt" in t, categories=["violence"] if "hurt" in t else []
                )
                for t in texts
            ]

    moderator = Moderator()
    rows = [example("Q?", "I will hurt you."), example("R?", "Have a nice day.")]
    result = clean_file(
        write(tmp_path / "m.jsonl", rows), tmp_path / "o.jsonl", moderator=moderator
    )  # type: ignore[arg-type]
    assert moderator.calls == [["I will hurt you.", "Have a nice day."]]
    assert items(result, "moderation") == [(1, "violence", None)]


def test_broken_lines_and_emptied_examples_are_removed(tmp_path: Path):
    src = tmp_path / "x.jsonl"
    src.write_text(
        json.dumps(example("Q?", "<br>"))
        + "\n{broken\n"
        + json.dumps(example("R?", "Fine."))
        + "\n"
    )
    result = clean_file(src, tmp_path / "o.jsonl")
    assert [(i.line, i.rule) for i in result.items if i.action == "removed"] == [
        (1, "emptied"),
        (2, "invalid_json"),
    ]
    assert result.written == 1


def test_dpo_records_are_cleaned_too(tmp_path: Path):
    row = {
        "input": {"messages": [{"role": "user", "content": "Q <i>now</i>"}]},
        "preferred_output": [{"role": "assistant", "content": "Call 03-1234-5678."}],
        "non_preferred_output": [{"role": "assistant", "content": "No."}],
    }
    result = clean_file(write(tmp_path / "d.jsonl", [row]), tmp_path / "o.jsonl")
    assert [(i.rule, i.field) for i in result.items] == [
        ("html", "input.messages[0].content"),
        ("html", "input.messages[0].content"),
        ("pii", "preferred_output[0].content"),
    ]


def test_refuses_to_clean_in_place(tmp_path: Path):
    src = write(tmp_path / "x.jsonl", [example("Q?", "A.")])
    with pytest.raises(UserInputError):
        clean_file(src, src)


def test_register_and_language_detection_helpers():
    assert fl.register_of("これはペンです。あれは本です。") == "polite"
    assert fl.register_of("これはペンだ。あれは本である。") == "plain"
    assert fl.register_of("こんにちは") is None
    assert fl.is_japanese("これは日本語の文章です。") and not fl.is_japanese("Plain English.")
    text = "Kubernetes pods recieve `mispeled` code at https://exmaple.com from a@exmaple.com"
    assert fl.english_typos(text) == [("recieve", "receive")]


def test_html_that_is_the_answer_is_kept_and_flagged(tmp_path: Path):
    page = '<!DOCTYPE html>\n<html><body><p class="x">Hi</p></body></html>'
    rows = [example("Write a page.", page), example("Style?", '<div style="color:red">x</div>')]
    result = clean_file(write(tmp_path / "h.jsonl", rows), tmp_path / "o.jsonl")
    assert [(i.line, i.action) for i in result.items if i.rule == "html"] == [
        (1, "flagged"),
        (2, "flagged"),
    ]
    assert [r["messages"][1]["content"] for r in read(tmp_path / "o.jsonl")] == [
        page,
        '<div style="color:red">x</div>',
    ]


def test_typo_checker_skips_contractions_and_plurals():
    text = "We couldn't see apps or analytics; the comunication was definately late."
    assert fl.english_typos(text) == [
        ("comunication", "communication"),
        ("definately", "definitely"),
    ]
