"""The cleaner keeps what the data requires, every rule can be switched off, rules
plug in through the registry, and time and memory stay linear and flat."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from advisor.data import io as data_io
from advisor.data.clean import CleanOptions, clean_file, registry
from advisor.data.clean.dedupe import Deduplicator
from advisor.data.clean.registry import Outcome, Rule, TextInfo
from advisor.data.clean.speller import english
from advisor.errors import UserInputError

ROOT = Path(__file__).resolve().parents[2]
BRAND = ROOT / "scenarios" / "brand-voice"


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return path


def answers(path: Path) -> list[str]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    return [m["content"] for r in rows for m in r["messages"] if m["role"] == "assistant"]


def signed(count: int, system: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        messages = [
            {"role": "user", "content": f"Question number {i} about the tent?"},
            {
                "role": "assistant",
                "content": f"Answer {i}: the tent packs to {i} litres.\n"
                "Yours truly, The Trail Team",
            },
        ]
        if system:
            messages.insert(0, {"role": "system", "content": system})
        rows.append({"messages": messages})
    return rows


def test_brand_voice_sign_off_survives_cleaning(tmp_path: Path):
    """Issue 19: the sign-off the system prompt and grader require is not boilerplate."""
    out = tmp_path / "clean.jsonl"
    result = clean_file(BRAND / "train_sft.jsonl", out)
    assert all(a.rstrip().endswith("Trail on,\nThe Larkspur Crew") for a in answers(out))
    assert result.summary().by_rule.get("boilerplate", 0) == 0


def test_boilerplate_without_a_requirement_still_goes(tmp_path: Path):
    out = tmp_path / "o.jsonl"
    result = clean_file(write(tmp_path / "s.jsonl", signed(10)), out)
    assert result.summary().by_rule["boilerplate"] == 10
    assert not any("Trail Team" in a for a in answers(out))


def test_a_system_prompt_naming_the_line_protects_it(tmp_path: Path):
    rows = signed(10, system="Sign every reply with 'Yours truly, The Trail Team'.")
    out = tmp_path / "o.jsonl"
    result = clean_file(write(tmp_path / "s.jsonl", rows), out)
    assert "boilerplate" not in result.summary().by_rule
    assert all("Trail Team" in a for a in answers(out))


def test_keep_phrases_and_graders_protect(tmp_path: Path):
    src = write(tmp_path / "s.jsonl", signed(10))
    kept = clean_file(src, tmp_path / "a.jsonl", CleanOptions(keep=["the trail team"]))
    assert "boilerplate" not in kept.summary().by_rule
    grader = tmp_path / "g.json"
    grader.write_text(json.dumps({"type": "regex", "name": "sig", "pattern": r"Trail Team\s*$"}))
    graded = clean_file(src, tmp_path / "b.jsonl", CleanOptions(graders=[str(grader)]))
    assert "boilerplate" not in graded.summary().by_rule
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(
        '[[test.graders]]\ntype = "string_check"\noperation = "like"\n'
        'reference = "Yours truly, The Trail Team"\n'
    )
    checked = clean_file(src, tmp_path / "c.jsonl", CleanOptions(graders=[str(scenario)]))
    assert "boilerplate" not in checked.summary().by_rule


def test_every_rule_can_be_switched_off(tmp_path: Path):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Mail me"},
                {"role": "assistant", "content": "Write to jane@example.org <b>now</b>."},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "Mail me"},
                {"role": "assistant", "content": "Write to jane@example.org <b>now</b>."},
            ]
        },
    ]
    src = write(tmp_path / "r.jsonl", rows)
    with src.open("a") as handle:
        handle.write("not json\n")
    default = clean_file(src, tmp_path / "d.jsonl")
    assert {"pii", "html", "duplicate", "invalid_json"} <= set(default.summary().by_rule)
    off = clean_file(
        src,
        tmp_path / "o.jsonl",
        CleanOptions(skip_rules=["pii", "html", "duplicate", "invalid_json"]),
    )
    assert not {"pii", "html", "duplicate", "invalid_json"} & set(off.summary().by_rule)
    text = (tmp_path / "o.jsonl").read_text()
    assert text.count("jane@example.org <b>now</b>") == 2 and "not json" in text


def test_unknown_rule_names_are_refused(tmp_path: Path):
    with pytest.raises(UserInputError, match="no cleaning rule named 'nosuch'"):
        clean_file(
            write(tmp_path / "x.jsonl", signed(3)),
            tmp_path / "o.jsonl",
            CleanOptions(skip_rules=["nosuch"]),
        )
    assert {"boilerplate", "pii", "near_duplicate", "typo_en"} <= set(registry.names())


def test_a_registered_rule_runs_and_can_be_skipped(tmp_path: Path):
    def shout(text: str, info: TextInfo) -> Outcome:
        return Outcome(
            text.replace("tent", "TENT"), edits=[("tent", "TENT")] if "tent" in text else []
        )

    rule = registry.register(
        Rule("shout", "noise", "changed", "test rule", shout, roles=frozenset({"assistant"}))
    )
    try:
        src = write(tmp_path / "s.jsonl", signed(3))
        result = clean_file(src, tmp_path / "o.jsonl")
        assert result.summary().by_rule["shout"] == 3
        assert all("TENT" in a for a in answers(tmp_path / "o.jsonl"))
        skipped = clean_file(src, tmp_path / "p.jsonl", CleanOptions(skip_rules=["shout"]))
        assert "shout" not in skipped.summary().by_rule
    finally:
        registry.RULES.remove(rule)


def test_report_items_are_in_line_order_with_near_duplicates(tmp_path: Path):
    base = (
        "The river trail climbs gently through pine forest to a quiet lake "
        "with a wooden jetty and views of the high peaks, the old stone bridge, "
        "the meadows and the long ridge beyond the water towards the"
    )
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Tell me"},
                {"role": "assistant", "content": base + " north."},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "Other"},
                {"role": "assistant", "content": "Mail a@example.org please."},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "Tell me"},
                {"role": "assistant", "content": base + " south."},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "Again"},
                {"role": "assistant", "content": "Call a@example.org now."},
            ]
        },
    ]
    report = tmp_path / "r.json"
    result = clean_file(
        write(tmp_path / "n.jsonl", rows),
        tmp_path / "o.jsonl",
        report_path=report,
        keep_items=False,
    )
    assert result.items == [] and result.written == 3
    data = json.loads(report.read_text())
    lines = [i["line"] for i in data["items"]]
    assert lines == sorted(lines)
    assert ("near_duplicate", 3) in [(i["rule"], i["line"]) for i in data["items"]]
    assert data["summary"]["removed"] == 1 and data["summary"]["changes"] == 2


def test_deduplicator_exact_and_near():
    dedupe = Deduplicator(0.8)
    text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    assert dedupe.add(text, False) is None
    assert (
        dedupe.add("entirely different words about a lake and a hill far away today", False) is None
    )
    assert dedupe.add(text, False) == (0, "duplicate", 1.0)
    assert dedupe.add(text + " fifteen", False) is None
    near = dedupe.near()
    assert list(near) == [3] and near[3][:2] == (0, "near_duplicate")


def test_speller_matches_pyspellchecker():
    from spellchecker import SpellChecker

    reference = SpellChecker(distance=1)
    ours = english()
    for word in ("recieve", "definately", "wierd", "aardvark", "influencers", "jacketz", "qzxv"):
        assert ours.unknown([word]) == reference.unknown([word])
        assert ours.correction(word) == (reference.correction(word) or word)


def _cpu_seconds(path: Path, out: Path) -> float:
    """The least CPU time of three runs: interference only ever adds time."""
    costs = []
    for _ in range(3):
        start = time.process_time()
        clean_file(path, out, keep_items=False)
        costs.append(time.process_time() - start)
    return min(costs)


def test_time_is_linear_in_message_length(tmp_path: Path):
    """Issue 18: one long alphanumeric message took time quadratic in its length;
    so did a long run of katakana or kanji (the doubled-word check)."""
    import random
    import string

    random.seed(7)
    cost = []
    for size in (10_000, 40_000):
        run = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(size))
        kana = "".join(random.choice("アイウエオカキクケコｱｲｳ") for _ in range(size // 2))
        kana += "".join(random.choice("交換返品配送在庫") for _ in range(size // 2))
        rows = [
            {
                "messages": [
                    {"role": "user", "content": kana},
                    {"role": "assistant", "content": run + " ｱｲ"},
                ]
            }
        ]
        src = write(tmp_path / f"l{size}.jsonl", rows)
        _cpu_seconds(src, tmp_path / "warm.jsonl")  # loads the dictionary once
        cost.append(_cpu_seconds(src, tmp_path / f"o{size}.jsonl"))
    assert cost[1] < 8 * max(cost[0], 0.05)  # quadratic would be 16x


def test_memory_does_not_grow_with_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Issue 18: the whole file was held in memory (1.07 GB for 100,000 lines).

    Reads in 32 KiB chunks here, so that both files span many of them: with the
    usual 1 MiB the read chunk, not the cleaner, would set the peak of small files."""
    monkeypatch.setattr(data_io, "CHUNK", 1 << 15)
    filler = "1234567890 " * 100
    rows = [
        {
            "messages": [
                {"role": "user", "content": f"Question {i} about boots? {filler}"},
                {"role": "assistant", "content": f"Answer {i}: boots of size {i % 13} fit."},
            ]
        }
        for i in range(1200)
    ]
    small = write(tmp_path / "small.jsonl", rows[:300])
    large = write(tmp_path / "large.jsonl", rows)
    clean_file(small, tmp_path / "warm.jsonl", keep_items=False)  # dictionary loaded
    peaks = []
    for src in (small, large):
        tracemalloc.start()
        clean_file(src, tmp_path / "o.jsonl", report_path=tmp_path / "r.json", keep_items=False)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0], peaks  # 4x the lines; held in memory it was 4x
