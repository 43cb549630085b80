"""Fuzzing the validator: arbitrary bytes and JSON lines raise nothing but the
documented findings, and every finding names the exact line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.data.validate import validate_file

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The codes of docs/data.md; anything else is a defect.
DOCUMENTED = {
    "invalid_json", "not_object", "missing_messages", "invalid_role", "missing_content",
    "invalid_weight", "no_assistant_message", "too_long", "dpo_missing_field",
    "dpo_invalid_output", "rft_missing_reference", "rft_invalid_prompt", "encoding_error",
    "unknown_key", "invalid_tool_call", "invalid_tools", "too_few_examples", "few_examples",
    "duplicate_example", "missing_system_message", "blank_line", "no_trained_message",
    "dpo_identical_outputs", "rft_no_reference", "errors_truncated",
}  # fmt: skip


def good(i: int) -> bytes:
    messages = [
        {"role": "user", "content": f"question {i}"},
        {"role": "assistant", "content": f"answer {i}"},
    ]
    return orjson.dumps({"messages": messages})


def not_json(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return True
    return False


broken = st.text(
    alphabet=st.characters(
        min_codepoint=32, max_codepoint=0x2FFF, exclude_characters="\r\n\u2028\u2029\x85"
    ),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip() != "" and not_json(t))
json_lines = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
).map(lambda v: json.dumps(v).encode())  # big integers too


def run(data: bytes, method: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.jsonl"
        path.write_bytes(data)
        return validate_file(path, method).model_dump()


@FUZZ
@given(st.binary(max_size=600), st.sampled_from(["sft", "dpo", "rft"]))
def test_arbitrary_bytes_give_only_documented_findings(data: bytes, method: str):
    report = run(data, method)
    lines = data.count(b"\n") + 1
    for issue in report["errors"] + report["warnings"]:
        assert issue["code"] in DOCUMENTED, issue
        assert issue["line"] is None or 1 <= issue["line"] <= lines, issue


@FUZZ
@given(
    st.lists(st.one_of(json_lines, st.just(b"")), max_size=12),
    st.sampled_from(["sft", "dpo", "rft"]),
)
def test_arbitrary_json_lines_give_only_documented_findings(lines: list[bytes], method: str):
    report = run(b"\n".join(lines) + b"\n", method)
    for issue in report["errors"] + report["warnings"]:
        assert issue["code"] in DOCUMENTED, issue
        assert issue["line"] is None or 1 <= issue["line"] <= max(1, len(lines)), issue


@FUZZ
@given(
    st.lists(st.one_of(st.none(), broken), min_size=1, max_size=40),
    st.booleans(),
)
def test_broken_lines_are_reported_at_their_exact_numbers(plan: list[str | None], crlf: bool):
    """Good lines (None in the plan) around broken ones: each broken line, and only
    those, gets invalid_json with its own 1-based number."""
    end = b"\r\n" if crlf else b"\n"
    rows = [good(i) if item is None else item.encode() for i, item in enumerate(plan)]
    report = run(end.join(rows) + end, "sft")
    expected = [n for n, item in enumerate(plan, start=1) if item is not None]
    found = [e["line"] for e in report["errors"] if e["code"] == "invalid_json"]
    assert found == expected
    assert report["examples"] == len(plan)  # every non-blank line is counted
    assert json.dumps(report)  # the report is always JSON-serialisable
