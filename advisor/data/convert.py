"""Convert other training formats to OpenAI's SFT and DPO formats.

Sources: ``alpaca`` (instruction/input/output, optional system and history; with
chosen/rejected for DPO), ``sharegpt`` (conversations of from/value, optional
system and tools, including Glaive-style function_call/observation turns),
``openai`` (already OpenAI: checked and normalised), ``trl`` (prompt/completion,
prompt/chosen/rejected, plain or conversational), ``csv`` and ``xlsx`` (one
row per example, columns chosen with a :class:`ColumnMapping`) and
``llamafactory-dpo`` (ShareGPT conversations with chosen/rejected turns).

Every record that cannot be converted is skipped and reported with its line (or
row) and the reason; the output is written atomically and passes
``advisor data validate``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, InstanceOf, ValidationError

from advisor.data.formats import DPOExample, SFTExample, dump
from advisor.data.io import read_records, write_jsonl
from advisor.data.streams import check_input, display_name, refuse_overwrite, reusable
from advisor.data.tabular import ColumnMapping, read_table
from advisor.errors import UserInputError
from advisor.messages import Localized

SOURCES = ("alpaca", "sharegpt", "openai", "trl", "csv", "xlsx", "llamafactory-dpo")
TARGETS = ("sft", "dpo")
SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "system": "system",
    "function_call": "function_call",
    "observation": "tool",
    "function": "tool",
    "tool": "tool",
}


class Skipped(BaseModel):
    """A record left out. ``reason`` is English (the JSON); its catalog key and values
    are kept so that the shells can show it in the user's language."""

    line: int
    reason: str
    sentence: InstanceOf[Localized] | None = Field(default=None, exclude=True, repr=False)

    def said(self) -> Localized | str:
        """The reason as a value of a message: in that message's language when it can be."""
        return self.reason if self.sentence is None else self.sentence


class ConvertReport(BaseModel):
    """The result of ``advisor data convert`` (the JSON it prints)."""

    input: str
    output: str
    source_format: str
    target: str
    read: int
    written: int
    skipped: list[Skipped] = Field(default_factory=list)


class _Skip(Exception):
    """This record cannot be converted; ``key`` (``core.convert.skip.*``) says why."""

    def __init__(self, key: str, **values: Any) -> None:
        self.sentence = Localized(f"core.convert.skip.{key}", values)
        super().__init__(str(self.sentence))


def convert_file(
    src: Path | str,
    source_format: str,
    target: str,
    out: Path | str,
    *,
    mapping: ColumnMapping | None = None,
    system: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> ConvertReport:
    """Convert ``src`` from ``source_format`` to ``target`` ("sft" or "dpo") into ``out``.

    ``system`` adds a system message to every example that has none.

    ``src`` may be ``-`` (standard input) or a pipe: it is read once.

    Raises:
        UserInputError: unknown format or target, or the output is the input.
        DataFileError: the input cannot be read (missing, a folder, wrong encoding).
    """
    if source_format not in SOURCES:
        raise UserInputError.from_catalog(
            "core.convert.unknown_source",
            hint_key="core.convert.unknown_source_hint",
            name=repr(source_format),
            sources=", ".join(SOURCES),
        )
    if target not in TARGETS:
        raise UserInputError.from_catalog(
            "core.convert.unknown_target",
            hint_key="core.convert.unknown_target_hint",
            name=repr(target),
        )
    src, out = Path(src), Path(out)
    check_input(src)
    refuse_overwrite([src], [out])
    with contextlib.ExitStack() as stack:
        if source_format in ("csv", "xlsx"):
            # A workbook needs a seekable file: a stream is copied once first.
            table = stack.enter_context(reusable(src))
            records: Iterator[tuple[int, Any]] = read_table(
                table, source_format, encoding=encoding, sheet=sheet
            )
        else:
            records = read_records(src, encoding)
        return _convert_records(
            records, src, source_format, target, out, mapping or ColumnMapping(), system
        )


def _convert_records(
    records: Iterator[tuple[int, Any]],
    src: Path,
    source_format: str,
    target: str,
    out: Path,
    mapping: ColumnMapping,
    system: str | None,
) -> ConvertReport:
    skipped: list[Skipped] = []
    read = 0

    def converted() -> Iterator[dict[str, Any]]:
        nonlocal read
        for line, record in records:
            read += 1
            try:
                if not isinstance(record, dict):
                    raise _Skip("not_an_object")
                example = _convert(record, source_format, target, mapping)
                if system:
                    example = _with_system(example, target, system)
                yield _checked(example, target)
            except _Skip as exc:
                skipped.append(Skipped(line=line, reason=str(exc), sentence=exc.sentence))

    written = write_jsonl(out, converted())
    return ConvertReport(
        input=display_name(src),
        output=str(out),
        source_format=source_format,
        target=target,
        read=read,
        written=written,
        skipped=skipped,
    )


def _checked(example: dict[str, Any], target: str) -> dict[str, Any]:
    model = SFTExample if target == "sft" else DPOExample
    try:
        return dump(model.model_validate(example))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _Skip("does_not_fit", target=target, where=where, error=first["msg"]) from exc


def _with_system(example: dict[str, Any], target: str, system: str) -> dict[str, Any]:
    holder = example["input"] if target == "dpo" else example
    messages = holder["messages"]
    if not messages or messages[0].get("role") not in ("system", "developer"):
        holder["messages"] = [{"role": "system", "content": system}, *messages]
    return example


def _convert(
    record: dict[str, Any], source_format: str, target: str, mapping: ColumnMapping
) -> dict[str, Any]:
    if source_format == "alpaca":
        return _from_alpaca(record, target)
    if source_format in ("sharegpt", "llamafactory-dpo"):
        return _from_sharegpt(record, target)
    if source_format == "openai":
        return _from_openai(record, target)
    if source_format == "trl":
        return _from_trl(record, target)
    return _from_row(record, target, mapping)


def _what(key: str, **values: Any) -> Localized:
    """A part of a record, named in the reason's language (``core.convert.what.*``)."""
    return Localized(f"core.convert.what.{key}", values)


def _text(value: Any, what: Localized | str) -> str:
    """``value`` if it is a non-blank string; ``what`` names it (a role id as it is)."""
    if not isinstance(value, str) or not value.strip():
        raise _Skip("empty", what=what)
    return value


def _dpo(prompt: list[dict[str, Any]], chosen: Any, rejected: Any, tools: Any = None) -> dict:
    data: dict[str, Any] = {"messages": prompt}
    if tools:
        data["tools"] = tools
    return {
        "input": data,
        "preferred_output": [
            {"role": "assistant", "content": _text(chosen, _what("chosen_answer"))}
        ],
        "non_preferred_output": [
            {"role": "assistant", "content": _text(rejected, _what("rejected_answer"))}
        ],
    }


def _from_alpaca(record: dict[str, Any], target: str) -> dict[str, Any]:
    instruction = _text(record.get("instruction"), _what("instruction"))
    extra = record.get("input")
    question = (
        f"{instruction}\n\n{extra}" if isinstance(extra, str) and extra.strip() else instruction
    )
    messages: list[dict[str, Any]] = []
    if isinstance(record.get("system"), str) and record["system"].strip():
        messages.append({"role": "system", "content": record["system"]})
    for turn in record.get("history") or []:
        if not (isinstance(turn, list | tuple) and len(turn) == 2):
            raise _Skip("history_pairs")
        messages.append({"role": "user", "content": _text(turn[0], _what("history_question"))})
        messages.append({"role": "assistant", "content": _text(turn[1], _what("history_answer"))})
    messages.append({"role": "user", "content": question})
    if target == "dpo":
        return _dpo(messages, record.get("chosen"), record.get("rejected"))
    messages.append({"role": "assistant", "content": _text(record.get("output"), _what("output"))})
    return {"messages": messages}


def _sharegpt_turns(turns: Any) -> list[dict[str, Any]]:
    """ShareGPT turns as OpenAI messages; function_call turns become tool calls."""
    if not isinstance(turns, list) or not turns:
        raise _Skip("conversations")
    messages: list[dict[str, Any]] = []
    pending: list[str] = []  # ids of tool calls awaiting their observation
    for turn in turns:
        if not isinstance(turn, dict):
            raise _Skip("turn_not_object")
        speaker = turn.get("from", turn.get("role"))
        value = turn.get("value", turn.get("content"))
        role = SHAREGPT_ROLES.get(str(speaker))
        if role is None:
            raise _Skip("unknown_speaker", speaker=repr(speaker))
        if role == "function_call":
            messages.append(_tool_call_message(value, len(messages), pending))
        elif role == "tool":
            if not pending:
                raise _Skip("orphan_observation")
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": pending.pop(0),
                    "content": _text(value, _what("turn")),
                }
            )
        else:
            messages.append(
                {"role": role, "content": _text(value, _what("speaker_turn", speaker=speaker))}
            )
    return messages


def _tool_call_message(value: Any, index: int, pending: list[str]) -> dict[str, Any]:
    try:
        call = json.loads(value) if isinstance(value, str) else value
    except ValueError as exc:
        raise _Skip("call_not_json") from exc
    calls = call if isinstance(call, list) else [call]
    tool_calls = []
    for number, one in enumerate(calls):
        if not isinstance(one, dict) or not isinstance(one.get("name"), str):
            raise _Skip("call_fields", fields='{"name", "arguments"}')
        arguments = one.get("arguments", {})
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments, ensure_ascii=False)
        call_id = f"call_{index}_{number}"
        pending.append(call_id)
        tool_calls.append(
            {
                "id": call_id,
                "type": "function",
                "function": {"name": one["name"], "arguments": arguments},
            }
        )
    return {"role": "assistant", "tool_calls": tool_calls}


def _tools(value: Any) -> list[dict[str, Any]] | None:
    if not value:
        return None
    try:
        tools = json.loads(value) if isinstance(value, str) else value
    except ValueError as exc:
        raise _Skip("tools_not_json") from exc
    if not isinstance(tools, list):
        raise _Skip("tools_not_list")
    return [
        t
        if t.get("type") == "function" and "function" in t
        else {"type": "function", "function": t}
        for t in tools
        if isinstance(t, dict)
    ]


def _from_sharegpt(record: dict[str, Any], target: str) -> dict[str, Any]:
    turns = record.get("conversations", record.get("messages"))
    messages = _sharegpt_turns(turns)
    if isinstance(record.get("system"), str) and record["system"].strip():
        messages.insert(0, {"role": "system", "content": record["system"]})
    tools = _tools(record.get("tools"))
    if target == "dpo":
        if "chosen" not in record or "rejected" not in record:
            raise _Skip("no_dpo_answers")
        chosen, rejected = record["chosen"], record["rejected"]
        if isinstance(chosen, dict):
            chosen = chosen.get("value", chosen.get("content"))
        if isinstance(rejected, dict):
            rejected = rejected.get("value", rejected.get("content"))
        return _dpo(messages, chosen, rejected, tools)
    example: dict[str, Any] = {"messages": messages}
    if tools:
        example["tools"] = tools
    return example


def _from_openai(record: dict[str, Any], target: str) -> dict[str, Any]:
    if target == "dpo":
        if "input" in record:
            return record
        raise _Skip("not_openai_dpo")
    if "messages" not in record:
        raise _Skip("no_messages")
    return {k: v for k, v in record.items() if k in ("messages", "tools", "parallel_tool_calls")}


def _as_messages(value: Any, role: str) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return value
    return [{"role": role, "content": _text(value, role)}]


def _from_trl(record: dict[str, Any], target: str) -> dict[str, Any]:
    if target == "dpo":
        if "chosen" not in record or "rejected" not in record:
            raise _Skip("no_dpo_pair")
        prompt = _as_messages(record.get("prompt"), "user") if record.get("prompt") else []
        chosen, rejected = record["chosen"], record["rejected"]
        if isinstance(chosen, list) and isinstance(rejected, list):
            if not prompt:  # implicit prompt: the shared turns before the answers
                prompt, chosen, rejected = chosen[:-1], chosen[-1:], rejected[-1:]
            chosen = chosen[-1].get("content") if chosen else None
            rejected = rejected[-1].get("content") if rejected else None
        if not prompt:
            raise _Skip("no_prompt")
        return _dpo(prompt, chosen, rejected)
    if "messages" in record:
        return {"messages": record["messages"]}
    if "prompt" not in record or "completion" not in record:
        raise _Skip("no_prompt_completion")
    return {
        "messages": _as_messages(record["prompt"], "user")
        + _as_messages(record["completion"], "assistant")
    }


def _from_row(record: dict[str, Any], target: str, mapping: ColumnMapping) -> dict[str, Any]:
    columns = mapping.resolve(list(record))
    messages: list[dict[str, Any]] = []
    system = record.get(columns.system) if columns.system else None
    if isinstance(system, str) and system.strip():
        messages.append({"role": "system", "content": system})
    if columns.prompt is None:
        raise _Skip("no_prompt_column")
    messages.append({"role": "user", "content": _text(record.get(columns.prompt), _what("prompt"))})
    if target == "dpo":
        if not (columns.chosen and columns.rejected):
            raise _Skip("no_pair_columns")
        return _dpo(messages, record.get(columns.chosen), record.get(columns.rejected))
    if columns.response is None:
        raise _Skip("no_response_column")
    messages.append(
        {"role": "assistant", "content": _text(record.get(columns.response), _what("response"))}
    )
    return {"messages": messages}
