"""`advisor data ...`: options, JSON keys, exit codes, one-sentence errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.bilingual import run
from tests.conftest import FIXTURES

DATA = FIXTURES / "data"


def test_validate_json_has_exactly_the_issue_keys(capsys):
    code, out, err = run(
        capsys,
        "data",
        "validate",
        str(DATA / "sft_planted.jsonl"),
        "--method",
        "sft",
        "--format",
        "json",
    )
    assert code == 1 and err == ""
    report = json.loads(out)
    assert set(report) == {"ok", "examples", "errors", "warnings"}
    assert report["ok"] is False and report["examples"] == 29
    assert all(set(e) == {"line", "code", "message"} for e in report["errors"])
    assert {"line": 3, "code": "invalid_json"}.items() <= report["errors"][0].items()
    assert {w["code"] for w in report["warnings"]} == {
        "few_examples",
        "blank_line",
        "duplicate_example",
    }


def test_validate_ok_file_exits_zero_with_text(capsys):
    code, out, _ = run(capsys, "data", "validate", str(DATA / "sft_valid_tools.jsonl"), "-m", "sft")
    assert code == 0
    assert "OK: 12 examples, 0 errors" in out and "[few_examples]" in out


def test_validate_with_grader_and_max_tokens(capsys):
    code, out, _ = run(
        capsys,
        "data",
        "validate",
        str(DATA / "rft_planted.jsonl"),
        "--method",
        "rft",
        "--grader",
        str(DATA / "grader_string_check.json"),
        "-f",
        "json",
    )
    assert code == 1
    assert [(e["line"], e["code"]) for e in json.loads(out)["errors"]] == [
        (5, "rft_missing_reference"),
        (11, "rft_invalid_prompt"),
    ]
    code, out, _ = run(
        capsys,
        "data",
        "validate",
        str(DATA / "sft_long.jsonl"),
        "-m",
        "sft",
        "--max-tokens",
        "100",
        "-f",
        "json",
    )
    assert code == 1 and json.loads(out)["errors"][0]["code"] == "too_long"


def test_validate_encoding_option(capsys):
    code, out, _ = run(capsys, "data", "validate", str(DATA / "ja_sjis.jsonl"), "-m", "sft")
    assert code == 1 and "Shift_JIS" in out and "--encoding cp932" in out
    code, _, _ = run(
        capsys, "data", "validate", str(DATA / "ja_sjis.jsonl"), "-m", "sft", "--encoding", "cp932"
    )
    assert code == 0


def test_missing_file_is_one_sentence_exit_2(capsys, tmp_path: Path):
    code, out, err = run(capsys, "data", "validate", str(tmp_path / "none.jsonl"), "-m", "sft")
    assert code == 2 and out == ""
    assert err.startswith("error: ") and "Traceback" not in err and err.count("\n") == 1


def test_bad_method_is_a_usage_error(capsys):
    code, _, _ = run(capsys, "data", "validate", str(DATA / "too_few.jsonl"), "-m", "ppo")
    assert code == 2


def test_stats_json(capsys):
    code, out, _ = run(
        capsys,
        "data",
        "stats",
        str(DATA / "sft_valid_tools.jsonl"),
        "--method",
        "sft",
        "--model",
        "gpt-4o-mini",
        "--format",
        "json",
    )
    assert code == 0
    stats = json.loads(out)
    for key in (
        "examples",
        "messages_per_example",
        "example_tokens",
        "assistant_tokens",
        "tokenizer",
        "default_epochs",
        "billed_tokens",
        "estimated_cost_usd",
        "price_date",
        "local",
    ):
        assert key in stats
    assert set(stats["example_tokens"]) == {"min", "mean", "p5", "p50", "p95", "max"}
    assert stats["examples"] == 12 and stats["default_epochs"] == 8


def test_stats_local_counts_what_the_trainer_sees_at_max_length(capsys):
    path = str(FIXTURES / "jobs" / "sft_small.jsonl")
    args = ("data", "stats", path, "-m", "sft", "--model", "local", "--epochs", "1")
    code, out, _ = run(capsys, *args, "--max-length", "16", "--format", "json")
    assert code == 0
    short = json.loads(out)["local"]
    assert short["counted"] == "trainer" and short["max_length"] == 16
    code, out, _ = run(capsys, *args, "--format", "json")
    full = json.loads(out)["local"]
    assert full["max_length"] == 512 and full["trained_tokens"] > short["trained_tokens"]
    code, out, _ = run(capsys, *args, "--max-length", "16")
    assert code == 0 and "the local trainer sees" in out and "at max_length 16" in out


def test_stats_text_names_tokenizer_and_cost(capsys):
    code, out, _ = run(capsys, "data", "stats", str(DATA / "sft_valid_tools.jsonl"), "-m", "sft")
    assert code == 0
    assert "tokenizer:" in out and "estimated cost on" in out and "local training time" in out


def test_convert_split_and_validate_chain(capsys, tmp_path: Path):
    out = tmp_path / "sft.jsonl"
    code, text, _ = run(
        capsys,
        "data",
        "convert",
        str(DATA / "glaive_toolcall_small.json"),
        "--from",
        "sharegpt",
        "--to",
        "sft",
        "-o",
        str(out),
        "--system",
        "You can call functions.",
    )
    assert code == 0 and "12 of 12 records written" in text
    code, _, _ = run(capsys, "data", "validate", str(out), "-m", "sft")
    assert code == 0
    code, text, _ = run(
        capsys,
        "data",
        "split",
        str(out),
        "--validation",
        "0.25",
        "--seed",
        "3",
        "-o",
        str(tmp_path / "parts"),
        "-f",
        "json",
    )
    assert code == 0
    report = json.loads(text)
    assert report["train_examples"] + report["validation_examples"] == 12
    assert report["validation_examples"] == 3


def test_convert_csv_with_column_options(capsys, tmp_path: Path):
    src = tmp_path / "faq.csv"
    src.write_text("q,a,tone\nHours?,Nine to five.,x\nWhere?,Tokyo.,y\n", encoding="utf-8")
    code, text, _ = run(
        capsys,
        "data",
        "convert",
        str(src),
        "--from",
        "csv",
        "--to",
        "sft",
        "-o",
        str(tmp_path / "o.jsonl"),
        "--prompt-column",
        "q",
        "--response-column",
        "a",
        "--format",
        "json",
    )
    assert code == 0 and json.loads(text)["written"] == 2
    code, _, err = run(
        capsys,
        "data",
        "convert",
        str(src),
        "--from",
        "csv",
        "--to",
        "sft",
        "-o",
        str(tmp_path / "o.jsonl"),
        "--prompt-column",
        "nope",
    )
    assert code == 2 and "no column named 'nope'" in err


def test_convert_with_nothing_written_exits_1(capsys, tmp_path: Path):
    src = tmp_path / "a.jsonl"
    src.write_text('{"foo": 1}\n')
    code, text, _ = run(
        capsys,
        "data",
        "convert",
        str(src),
        "--from",
        "alpaca",
        "--to",
        "sft",
        "-o",
        str(tmp_path / "o.jsonl"),
    )
    assert code == 1 and "skipped" in text


def test_clean_writes_output_and_report(capsys, tmp_path: Path):
    src = tmp_path / "in.jsonl"
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Hi <b>you</b>"},
                {"role": "assistant", "content": "Mail me: a.b@example.com"},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "Hi <b>you</b>"},
                {"role": "assistant", "content": "Mail me: a.b@example.com"},
            ]
        },
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows))
    report = tmp_path / "report.json"
    code, text, _ = run(
        capsys,
        "data",
        "clean",
        str(src),
        "-o",
        str(tmp_path / "out.jsonl"),
        "--report",
        str(report),
        "--lang",
        "en",
        "--format",
        "json",
    )
    assert code == 0
    summary = json.loads(text)
    assert summary["read"] == 2 and summary["written"] == 1 and summary["removed"] == 1
    assert summary["by_rule"] == {"html": 4, "pii": 2, "duplicate": 1}
    saved = json.loads(report.read_text())
    assert saved["summary"] == summary and len(saved["items"]) == 7


def test_data_help_lists_the_commands(capsys):
    code, out, _ = run(capsys, "data", "--help")
    assert code == 0
    for command in ("validate", "stats", "clean", "convert", "split"):
        assert command in out


def test_clean_with_own_word_list(capsys, tmp_path: Path):
    src = tmp_path / "in.jsonl"
    row = {
        "messages": [
            {"role": "user", "content": "Q?"},
            {"role": "assistant", "content": "Ask Globex instead."},
        ]
    }
    src.write_text(json.dumps(row) + "\n")
    words = tmp_path / "words.txt"
    words.write_text("globex\n")
    code, text, _ = run(
        capsys,
        "data",
        "clean",
        str(src),
        "-o",
        str(tmp_path / "o.jsonl"),
        "--wordlist",
        str(words),
        "-f",
        "json",
    )
    assert code == 0 and json.loads(text)["by_rule"] == {"inappropriate": 1}
    code, _, err = run(
        capsys,
        "data",
        "clean",
        str(src),
        "-o",
        str(tmp_path / "o.jsonl"),
        "--wordlist",
        str(tmp_path / "missing.txt"),
    )
    assert code == 2 and "word list" in err
