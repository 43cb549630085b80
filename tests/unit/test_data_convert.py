"""Converters: every source format round-trips through OpenAI format, and the output
of each passes `validate`."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from advisor.data.convert import convert_file
from advisor.data.tabular import ColumnMapping
from advisor.data.validate import validate_file
from advisor.errors import DataFileError, UserInputError
from tests.conftest import FIXTURES

DATA = FIXTURES / "data"
ROLE_BACK = {"user": "human", "assistant": "gpt", "system": "system"}


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def assert_valid(path: Path, method: str) -> None:
    report = validate_file(path, method)
    assert report.errors in ([], [e for e in report.errors if e.code == "too_few_examples"])


# --- inverse mappings (test-only): OpenAI back to the source format ------------------


def sft_to_alpaca(example: dict[str, Any]) -> dict[str, Any]:
    messages = example["messages"]
    question = messages[-2]["content"]
    instruction, _, extra = question.partition("\n\n")
    return {"instruction": instruction, "input": extra, "output": messages[-1]["content"]}


def sft_to_sharegpt(example: dict[str, Any]) -> dict[str, Any]:
    turns = []
    for m in example["messages"]:
        if m.get("tool_calls"):
            call = m["tool_calls"][0]["function"]
            value = json.dumps({"name": call["name"], "arguments": json.loads(call["arguments"])})
            turns.append({"from": "function_call", "value": value})
        elif m["role"] == "tool":
            turns.append({"from": "observation", "value": m["content"]})
        else:
            turns.append({"from": ROLE_BACK[m["role"]], "value": m["content"]})
    tools = [t["function"] for t in example.get("tools", [])]
    return {"conversations": turns, "tools": tools}


def drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(v) for v in value]
    return value


def test_alpaca_round_trip(tmp_path: Path):
    src = DATA / "alpaca_small.json"
    out = tmp_path / "sft.jsonl"
    report = convert_file(src, "alpaca", "sft", out)
    original = json.loads(src.read_text())
    assert report.read == report.written == len(original) and not report.skipped
    assert [sft_to_alpaca(x) for x in lines(out)] == original
    assert_valid(out, "sft")


def test_alpaca_with_system_history_and_dpo(tmp_path: Path):
    src = tmp_path / "a.json"
    record = {
        "instruction": "And now?",
        "input": "",
        "output": "Done.",
        "system": "Be brief.",
        "history": [["First?", "Yes."]],
        "chosen": "Good.",
        "rejected": "Bad.",
    }
    src.write_text(json.dumps([record]))
    convert_file(src, "alpaca", "sft", tmp_path / "s.jsonl")
    roles = [m["role"] for m in lines(tmp_path / "s.jsonl")[0]["messages"]]
    assert roles == ["system", "user", "assistant", "user", "assistant"]
    convert_file(src, "alpaca", "dpo", tmp_path / "d.jsonl")
    dpo = lines(tmp_path / "d.jsonl")[0]
    assert dpo["preferred_output"] == [{"role": "assistant", "content": "Good."}]
    assert dpo["input"]["messages"][-1] == {"role": "user", "content": "And now?"}


def test_glaive_tool_calling_round_trip(tmp_path: Path):
    src = DATA / "glaive_toolcall_small.json"
    out = tmp_path / "sft.jsonl"
    report = convert_file(src, "sharegpt", "sft", out)
    original = json.loads(src.read_text())
    assert report.written == len(original)
    converted = lines(out)
    calls = [m for x in converted for m in x["messages"] if m.get("tool_calls")]
    assert calls, "the fixture has function calls"
    for example, source in zip(converted, original, strict=True):
        back = sft_to_sharegpt(example)
        assert [t["from"] for t in back["conversations"]] == [
            t["from"] for t in source["conversations"]
        ]
        for mine, theirs in zip(back["conversations"], source["conversations"], strict=True):
            if theirs["from"] == "function_call":
                assert json.loads(mine["value"]) == json.loads(theirs["value"])
            else:
                assert mine["value"] == theirs["value"]
        assert back["tools"] == json.loads(source["tools"])
    for example in converted:  # every tool answer refers to the call before it
        ids = [c["id"] for m in example["messages"] for c in m.get("tool_calls", [])]
        answers = [m["tool_call_id"] for m in example["messages"] if m["role"] == "tool"]
        assert answers == ids[: len(answers)]
    assert_valid(out, "sft")


def test_llamafactory_dpo_round_trip(tmp_path: Path):
    src = DATA / "llamafactory_dpo_small.json"
    out = tmp_path / "dpo.jsonl"
    report = convert_file(src, "llamafactory-dpo", "dpo", out)
    original = json.loads(src.read_text())
    assert report.written == len(original)
    for example, source in zip(lines(out), original, strict=True):
        assert example["preferred_output"][0]["content"] == source["chosen"]["value"]
        assert example["non_preferred_output"][0]["content"] == source["rejected"]["value"]
        assert [m["content"] for m in example["input"]["messages"]] == [
            t["value"] for t in source["conversations"]
        ]
    assert_valid(out, "dpo")


def test_openai_passthrough_round_trip(tmp_path: Path):
    src = DATA / "sft_valid_tools.jsonl"
    out = tmp_path / "sft.jsonl"
    convert_file(src, "openai", "sft", out)
    assert lines(out) == [drop_none(x) for x in lines(src)]  # "content": null is left out
    dpo_src = tmp_path / "dpo_in.jsonl"
    dpo_src.write_text(
        "\n".join(
            x
            for i, x in enumerate((DATA / "dpo_planted.jsonl").read_text().splitlines())
            if i + 1 not in (2, 4, 6, 8, 10)
        )
    )
    report = convert_file(dpo_src, "openai", "dpo", tmp_path / "dpo.jsonl")
    assert report.written == 9 and lines(tmp_path / "dpo.jsonl") == lines(dpo_src)


def test_trl_forms_round_trip(tmp_path: Path):
    src = tmp_path / "trl.jsonl"
    rows = [
        {"prompt": "Hi?", "completion": "Hello."},
        {
            "prompt": [{"role": "user", "content": "Q?"}],
            "completion": [{"role": "assistant", "content": "A."}],
        },
        {"messages": [{"role": "user", "content": "M?"}, {"role": "assistant", "content": "N."}]},
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows))
    convert_file(src, "trl", "sft", tmp_path / "sft.jsonl")
    back = [
        (x["messages"][0]["content"], x["messages"][-1]["content"])
        for x in lines(tmp_path / "sft.jsonl")
    ]
    assert back == [("Hi?", "Hello."), ("Q?", "A."), ("M?", "N.")]

    pref = tmp_path / "pref.jsonl"
    prefs = [
        {"prompt": "Which?", "chosen": "This.", "rejected": "That."},
        {  # implicit prompt: the shared turns
            "chosen": [{"role": "user", "content": "Pick"}, {"role": "assistant", "content": "A"}],
            "rejected": [
                {"role": "user", "content": "Pick"},
                {"role": "assistant", "content": "B"},
            ],
        },
    ]
    pref.write_text("\n".join(json.dumps(r) for r in prefs))
    convert_file(pref, "trl", "dpo", tmp_path / "dpo.jsonl")
    out = lines(tmp_path / "dpo.jsonl")
    assert [
        (
            x["input"]["messages"][-1]["content"],
            x["preferred_output"][0]["content"],
            x["non_preferred_output"][0]["content"],
        )
        for x in out
    ] == [("Which?", "This.", "That."), ("Pick", "A", "B")]
    assert_valid(tmp_path / "dpo.jsonl", "dpo")


def test_csv_with_guessed_and_mapped_columns(tmp_path: Path):
    src = tmp_path / "faq.csv"
    with src.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["質問", "回答", "memo"])
        writer.writerow(["営業時間は？", "9時から17時です。", "x"])
        writer.writerow(["住所は？", "東京都です。", "y"])
        writer.writerow(["", "空の質問", "z"])
    report = convert_file(src, "csv", "sft", tmp_path / "out.jsonl", system="丁寧に答える。")
    assert report.written == 2 and [s.line for s in report.skipped] == [4]
    first = lines(tmp_path / "out.jsonl")[0]["messages"]
    assert [(m["role"], m["content"]) for m in first] == [
        ("system", "丁寧に答える。"),
        ("user", "営業時間は？"),
        ("assistant", "9時から17時です。"),
    ]
    mapped = convert_file(
        src,
        "csv",
        "sft",
        tmp_path / "m.jsonl",
        mapping=ColumnMapping(prompt="memo", response="回答"),
    )
    assert lines(tmp_path / "m.jsonl")[0]["messages"][0]["content"] == "x"
    assert mapped.written == 3
    with pytest.raises(UserInputError, match="no column named"):
        convert_file(src, "csv", "sft", tmp_path / "x.jsonl", mapping=ColumnMapping(prompt="nope"))


def test_csv_in_shift_jis_is_named(tmp_path: Path):
    src = tmp_path / "sjis.csv"
    src.write_bytes("質問,回答\n営業時間は？,九時です。\n".encode("cp932"))
    with pytest.raises(DataFileError, match="Shift_JIS"):
        convert_file(src, "csv", "sft", tmp_path / "o.jsonl")
    assert convert_file(src, "csv", "sft", tmp_path / "o.jsonl", encoding="cp932").written == 1


def test_xlsx_round_trip_with_dpo_columns(tmp_path: Path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "pairs"
    sheet.append(["Question", "Good", "Bad"])
    sheet.append(["Capital of France?", "Paris.", "London."])
    sheet.append([None, None, None])
    sheet.append(["2+2?", 4, 5])
    src = tmp_path / "pairs.xlsx"
    book.save(src)
    out = tmp_path / "dpo.jsonl"
    report = convert_file(
        src,
        "xlsx",
        "dpo",
        out,
        mapping=ColumnMapping(chosen="Good", rejected="Bad"),
        sheet="pairs",
    )
    assert report.written == 2
    back = [
        (
            x["input"]["messages"][0]["content"],
            x["preferred_output"][0]["content"],
            x["non_preferred_output"][0]["content"],
        )
        for x in lines(out)
    ]
    assert back == [("Capital of France?", "Paris.", "London."), ("2+2?", "4", "5")]
    with pytest.raises(UserInputError, match="no sheet"):
        convert_file(src, "xlsx", "dpo", out, sheet="missing")


def test_bad_records_are_skipped_with_their_line(tmp_path: Path):
    src = tmp_path / "a.jsonl"
    src.write_text('{"instruction": "ok", "output": "yes"}\n[1]\n{"instruction": "no output"}\n')
    report = convert_file(src, "alpaca", "sft", tmp_path / "o.jsonl")
    assert report.written == 1
    assert [(s.line, s.reason) for s in report.skipped] == [
        (2, "not an object"),
        (3, "empty or missing output"),
    ]


def test_refuses_to_overwrite_input_and_unknown_formats(tmp_path: Path):
    src = tmp_path / "a.jsonl"
    src.write_text("{}\n")
    with pytest.raises(UserInputError):
        convert_file(src, "alpaca", "sft", src)
    with pytest.raises(UserInputError):
        convert_file(src, "nope", "sft", tmp_path / "b.jsonl")


@pytest.mark.parametrize(
    ("name", "source", "target"),
    [
        ("alpaca_en_demo.json", "alpaca", "sft"),
        ("identity.json", "alpaca", "sft"),
        ("glaive_toolcall_en_demo.json", "sharegpt", "sft"),
        ("dpo_en_demo.json", "llamafactory-dpo", "dpo"),
        ("kto_en_demo.json", "sharegpt", "sft"),
    ],
)
def test_full_llamafactory_demo_files_convert_to_valid_files(
    shared_data: Path, tmp_path: Path, name: str, source: str, target: str
):
    out = tmp_path / "out.jsonl"
    report = convert_file(shared_data / "llamafactory" / name, source, target, out)
    assert report.written == report.read > 0 and not report.skipped
    result = validate_file(out, target)
    assert result.ok, result.errors[:3]
