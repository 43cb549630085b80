"""Japanese cleansing (issue 14): typos with fixes, register unification, insults, PII allow-list.

The cases named in the issue come first; each check has an English counterpart
where the rule is not Japanese-only (the PII allow-list).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from advisor.cli.app import main
from advisor.data.clean import CleanOptions, clean_file, rules
from advisor.data.clean import japanese as ja


def example(user: str, answer: str) -> dict[str, Any]:
    return {
        "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    }


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def answers(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(x)["messages"][1]["content"] for x in lines]


def found(result: Any, rule: str) -> list[tuple[int, str | None, str | None]]:
    return [(i.line, i.before, i.after) for i in result.items if i.rule == rule]


# --- the cases, end to end -------------------------------------------------------


def test_doubled_dropped_and_insulting_answers_are_flagged_with_line_and_fix(tmp_path: Path):
    rows = [
        example("在庫はありますか", "はい、在庫はございます。"),
        example("在庫は", "はい、在庫がありますます。"),
        example("いつ届きますか", "明日お届けしま。"),
        example("まだですか", "うるさい、バカなことを言うな。"),
        example("保証は", "保障期間は1年間です。"),
    ]
    result = clean_file(write(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl")
    assert found(result, "typo_ja_doubled") == [(2, "ありますます", "あります")]
    assert found(result, "typo_ja_dropped") == [(3, "届けしま", "届けします")]
    assert found(result, "misconversion_ja") == [(5, "保障期間", "保証期間")]
    assert (4, "バカ", None) in found(result, "inappropriate")
    assert all(i.field == "messages[1].content" for i in result.items if i.line in (2, 3, 4))
    # Flags only: the training targets are unchanged.
    assert answers(tmp_path / "out.jsonl")[1:3] == [
        "はい、在庫がありますます。",
        "明日お届けしま。",
    ]
    assert not [i for i in result.items if i.line == 1]  # a clean answer has nothing


def test_company_contacts_stay_and_customers_are_masked_in_both_languages(tmp_path: Path):
    rows = [
        example(
            "返品したいです。私は taro@example.jp、090-1234-5678 です。",
            "サポート窓口 support@minamo.co.jp または 0120-123-456 までご連絡ください。",
        ),
        example(
            "Call me at +1 (555) 123-4567 or jane@example.org.",
            "Please write to help@minamo.com or call 0120 123 456.",
        ),
    ]
    options = CleanOptions(keep_pii=["support@minamo.co.jp", "0120-123-456", r".*@minamo\.com"])
    result = clean_file(write(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl", options)
    masked = [(line, before) for line, before, _ in found(result, "pii")]
    assert masked == [
        (1, "taro@example.jp"),
        (1, "090-1234-5678"),
        (2, "jane@example.org"),
        (2, "+1 (555) 123-4567"),
    ]
    assert answers(tmp_path / "out.jsonl") == [
        "サポート窓口 support@minamo.co.jp または 0120-123-456 までご連絡ください。",
        "Please write to help@minamo.com or call 0120 123 456.",  # same digits: kept
    ]
    # Without the allow-list the company's address would change the training target.
    plain = clean_file(tmp_path / "in.jsonl", tmp_path / "plain.jsonl")
    assert "[EMAIL]" in answers(tmp_path / "plain.jsonl")[0] and len(found(plain, "pii")) == 8


def test_register_is_unified_only_when_asked_and_every_change_is_reported(tmp_path: Path):
    rows = [
        example("猫は", "猫はかわいい動物だ。よく眠るのである。"),
        example("犬は", "犬は忠実な動物です。散歩が好きです。"),
    ]
    source = write(tmp_path / "in.jsonl", rows)
    untouched = clean_file(source, tmp_path / "a.jsonl")
    assert not [i for i in untouched.items if i.action == "changed" and i.rule == "register"]
    result = clean_file(source, tmp_path / "b.jsonl", CleanOptions(unify_register="polite"))
    changes = [(i.line, i.before, i.after) for i in result.items if i.action == "changed"]
    assert changes == [(1, "動物だ", "動物です"), (1, "るのである", "るのです")]
    assert answers(tmp_path / "b.jsonl")[0] == "猫はかわいい動物です。よく眠るのです。"
    plain = clean_file(source, tmp_path / "c.jsonl", CleanOptions(unify_register="plain"))
    assert answers(tmp_path / "c.jsonl")[1] == "犬は忠実な動物だ。散歩が好きだ。"
    assert len([i for i in plain.items if i.rule == "register" and i.action == "changed"]) == 2


# --- the rules one by one ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("在庫がありますます。", ("typo_ja_doubled", "ありますます", "あります")),
        ("フィルターの交換交換をお願いします。", ("typo_ja_doubled", "交換交換", "交換")),
        ("明日お届けしま。", ("typo_ja_dropped", "届けしま", "届けします")),
        ("この操作はできまん。", ("typo_ja_dropped", "はできまん", "はできません")),
        ("明日は雨でょう。", ("typo_ja_dropped", "日は雨でょう", "日は雨でしょう")),
        ("少々お待ちくだい。", ("typo_ja_dropped", "お待ちくだい", "お待ちください")),
        ("フィルターの交感は2年ごとです。", ("misconversion_ja", "交感", "交換")),
        ("以外と簡単です。", ("misconversion_ja", "以外と", "意外と")),
    ],
)
def test_typos_are_found_with_a_fix(text: str, finding: tuple[str, str, str]) -> None:
    assert ja.typos(text) == [finding]


@pytest.mark.parametrize(
    "text",
    [
        "ますます便利になります。",  # the adverb, not a doubled ending
        "ドキドキしますね。ガタガタ音がします。",  # onomatopoeia
        "そのまま。",  # まま is whole
        "交感神経が働きます。",
        "今月は3日間お休みします。以上です。",
        '`printf("ますます");` を実行します。',  # code is never read
    ],
)
def test_correct_japanese_is_not_flagged(text: str) -> None:
    assert ja.typos(text) == []


def test_insults_respect_katakana_word_boundaries() -> None:
    assert ja.insults("うるさい、バカなことを言うな。") == ["バカ"]
    assert ja.insults("黙れ。二度と来るな。") == ["黙れ", "二度と来るな"]
    assert ja.insults("バカンス中のカスタマーサポートです。") == []
    assert ja.insults("運転音がうるさい場合は、水平な場所に置いてください。") == []


def test_register_rewrite_leaves_past_tenses_and_polite_endings_alone() -> None:
    text, edits = ja.unify_register("確認しました。本を読んだ。無料でした。ここにある。", "polite")
    assert text == "確認しました。本を読んだ。無料でした。ここにあります。"
    assert edits == [("こにある", "こにあります")]
    text, _ = ja.unify_register("とても良いです。設定します。", "plain")
    assert text == "とても良い。設定する。"


def test_pii_keeper_matches_literals_regexes_and_digits() -> None:
    keep = rules.pii_keeper(["Support@Minamo.co.jp", "+81 3-1234-5678", r"\d{4}-000-\d{3}"])
    assert keep("support@minamo.co.jp")
    assert keep("+81 3 1234 5678") and keep("8131234-5678")
    assert keep("0120-000-123")
    assert not keep("taro@example.jp") and not keep("090-1234-5678")
    text, edits = rules.mask_pii("Mail support@minamo.co.jp, not me@x.org.", keep)
    assert text == "Mail support@minamo.co.jp, not [EMAIL]." and edits == [("me@x.org", "[EMAIL]")]


def test_cli_keep_pii_and_register(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = write(
        tmp_path / "in.jsonl",
        [example("連絡先は", "窓口は support@minamo.co.jp の係だ。a@b.jp はお客様の物だ。")],
    )
    allow = tmp_path / "keep.txt"
    allow.write_text("# our own\nsupport@minamo.co.jp\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["data", "clean", str(source), "-o", str(out), "--keep-pii-file", str(allow)]
    with pytest.raises(SystemExit) as done:
        main([*args, "--register", "polite", "--format", "json"])
    assert done.value.code in (0, None), capsys.readouterr().err
    summary = json.loads(capsys.readouterr().out)
    assert summary["by_rule"] == {"pii": 1, "register": 2}
    assert answers(out) == ["窓口は support@minamo.co.jp の係です。[EMAIL] はお客様の物です。"]
    with pytest.raises(SystemExit) as done:
        main([*args[:-1], str(tmp_path / "missing.txt")])
    assert done.value.code == 2
    assert "--keep-pii-file" in capsys.readouterr().err


def test_the_doubled_word_check_is_linear_in_the_run_length():
    """Issue 18: a long run of katakana or kanji made the doubled-word search quadratic
    (3 s for 20,000 characters, 0.16 s for 5,000)."""
    import random
    import time

    from advisor.data.clean.japanese import typos

    rng = random.Random(7)
    cost = []
    for size in (5_000, 20_000):
        run = "".join(rng.choice("アイウエオカキクケコ") for _ in range(size))
        run += "".join(rng.choice("交換返品配送在庫") for _ in range(size))
        runs = []
        for _ in range(3):  # the least of three: interference only ever adds time
            began = time.process_time()
            typos(run)
            runs.append(time.process_time() - began)
        cost.append(min(runs))
    assert cost[1] < 8 * max(cost[0], 0.05)  # quadratic would be 16x
