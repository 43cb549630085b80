"""Property tests: no byte sequence and no JSON value crashes the validator, and the
fast path never accepts a line that the full checks would reject."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.data.checks import check_record
from advisor.data.fastpath import accept_sft
from advisor.data.validate import validate_file

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
roles = st.sampled_from(["system", "developer", "user", "assistant", "tool", "bot", None])
contents = st.one_of(
    st.text(max_size=12),
    st.none(),
    st.integers(),
    st.lists(
        st.fixed_dictionaries(
            {"type": st.sampled_from(["text", "image_url", "audio"])},
            optional={"text": st.text(max_size=5), "image_url": json_values},
        ),
        max_size=2,
    ),
)
messages = st.fixed_dictionaries(
    {},
    optional={
        "role": roles,
        "content": contents,
        "weight": st.sampled_from([0, 1, 2, True, None, "1"]),
        "name": st.text(max_size=4),
        "tool_call_id": st.text(max_size=4),
        "tool_calls": json_values,
        "extra": st.integers(),
    },
)
sft_like = st.fixed_dictionaries(
    {},
    optional={
        "messages": st.lists(messages, max_size=4) | json_values,
        "tools": json_values,
        "parallel_tool_calls": json_values,
        "other": json_values,
    },
)


def _validate_bytes(data: bytes, method: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.jsonl"
        path.write_bytes(data)
        report = validate_file(path, method)
        assert report.ok == (not report.errors)
        for issue in report.errors:
            assert issue.code and issue.message


@FAST
@given(st.binary(max_size=400), st.sampled_from(["sft", "dpo", "rft"]))
def test_random_bytes_never_crash(data: bytes, method: str):
    _validate_bytes(data, method)


@FAST
@given(st.lists(json_values, max_size=6), st.sampled_from(["sft", "dpo", "rft"]))
def test_random_json_never_crashes(values: list[object], method: str):
    _validate_bytes("\n".join(json.dumps(v) for v in values).encode(), method)


@FAST
@given(sft_like)
def test_fast_path_accepts_only_clean_lines(record: dict[str, object]):
    line = json.dumps(record).encode()
    found = check_record(record, "sft")
    if accept_sft(line):
        assert not found.errors and not found.warnings, (record, found)


@FAST
@given(st.lists(sft_like, max_size=5), st.sampled_from(["sft", "dpo", "rft"]))
def test_shaped_records_never_crash(records: list[dict[str, object]], method: str):
    _validate_bytes("\n".join(json.dumps(r) for r in records).encode(), method)


nearly_valid_message = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["system", "user", "assistant", "assistant", "tool"]),
        "content": st.one_of(
            st.sampled_from(
                [
                    "a",
                    " a ",
                    "ok\n",
                    "\u3000",
                    "\x1c",
                    "\x85",
                    " ",
                    "",
                    "\u200b",
                    "\u2029",
                    "\u00a0 ",
                    "\t\n",
                    "あ",
                ]
            ),
            st.sampled_from([None, [], [{"type": "text", "text": "x"}]]),
            st.just([{"type": "text", "text": " "}]),
        ),
    },
    optional={
        "weight": st.sampled_from([0, 1]),
        "tool_call_id": st.sampled_from(["c1", ""]),
        "tool_calls": st.sampled_from(
            [[], [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]]
        ),
    },
)


@settings(max_examples=400, deadline=None)
@given(st.lists(nearly_valid_message, min_size=1, max_size=4), st.booleans())
def test_fast_path_agrees_on_nearly_valid_records(items: list[dict[str, object]], ascii: bool):
    # Both spellings: \u escapes (strict decoder) and raw UTF-8 (blank-text screen).
    record = {"messages": items}
    found = check_record(record, "sft")
    accepted = accept_sft(json.dumps(record, ensure_ascii=ascii).encode())
    if accepted:
        assert not found.errors and not found.warnings, (record, found)
        assert (accepted == 2) == found.has_system
