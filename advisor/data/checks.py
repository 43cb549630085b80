"""The checks of one training example, on plain parsed JSON (dicts and lists).

This is the authoritative definition of a valid line: the validator's fast path
(:mod:`advisor.data.fastpath`) only ever *accepts* lines, and whatever it does
not accept comes here to get its precise error codes and messages.

Formats follow OpenAI's fine-tuning documentation:

* SFT: ``{"messages": [...], "tools"?: [...], "parallel_tool_calls"?: bool}``;
* DPO: ``{"input": {"messages": [...], "tools"?: [...]}, "preferred_output": [one
  assistant message], "non_preferred_output": [one assistant message]}``;
* RFT: ``{"messages": [...], "tools"?: [...], ...reference fields}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from advisor.data.texts import Said, say

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
MESSAGE_KEYS: dict[str, frozenset[str]] = {
    "system": frozenset({"role", "content", "name"}),
    "developer": frozenset({"role", "content", "name"}),
    "user": frozenset({"role", "content", "name"}),
    "assistant": frozenset(
        {"role", "content", "name", "weight", "tool_calls", "function_call", "refusal"}
    ),
    "tool": frozenset({"role", "content", "tool_call_id"}),
}
SFT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls", "functions"})
DPO_KEYS = frozenset({"input", "preferred_output", "non_preferred_output"})
RFT_RESERVED = frozenset({"messages", "tools", "parallel_tool_calls"})
CONTENT_PART_TYPES = frozenset({"text", "image_url"})
DRAFT_KEY = "draft"  # the review queue's marker of an unreviewed example (docs/data.md#review)


def without_draft(obj: dict[str, Any]) -> dict[str, Any]:
    """The example itself: ``obj`` without its draft metadata."""
    return {k: v for k, v in obj.items() if k != DRAFT_KEY}


@dataclass
class Findings:
    """What the checks found in one example: ``(code, text)`` pairs.

    The text is a :class:`~advisor.data.texts.Said`, rendered in the reader's
    language by the shell; its key names the code (``invalid_role.missing``).
    """

    errors: list[tuple[str, Said]] = field(default_factory=list)
    warnings: list[tuple[str, Said]] = field(default_factory=list)
    has_system: bool = False
    has_reference: bool = False  # RFT: the line has fields besides messages and tools

    # Said(...), not say(...): a broken file reaches here millions of times; that every
    # key written here is in texts.yaml is checked by tests/unit/test_data_texts.py.
    def error(self, key: str, /, **params: Any) -> None:
        self.errors.append((key.partition(".")[0], Said(key, params)))

    def warn(self, key: str, /, **params: Any) -> None:
        self.warnings.append((key.partition(".")[0], Said(key, params)))


def check_record(obj: Any, method: str) -> Findings:
    """Check one parsed line for ``method`` ("sft", "dpo" or "rft")."""
    found = Findings()
    if not isinstance(obj, dict):
        found.error("not_object", kind=_kind(obj))
        return found
    if DRAFT_KEY in obj:
        # Drafts (``advisor data grow``) never train until a person accepts them.
        found.error("unreviewed_draft")
        obj = without_draft(obj)
    if method == "dpo":
        _check_dpo(obj, found)
    else:
        _check_chat(obj, method, found)
    return found


def _kind(value: Any) -> Said:
    if value is None:
        return say("kind.null")
    name = {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value))
    return say(f"kind.{name}") if name else say("kind.other", name=type(value).__name__)


def _check_chat(obj: dict[str, Any], method: str, found: Findings) -> None:
    messages = obj.get("messages")
    if not isinstance(messages, list) or not messages:
        key = "missing_messages"
        if "prompt" in obj and ("completion" in obj or "chosen" in obj):
            key = "missing_messages.trl"
        elif "instruction" in obj or "conversations" in obj:
            key = "missing_messages.convert"
        found.error(key)
        return
    _check_messages(messages, found, where="part.message")
    _check_tools(obj, found)
    if method == "sft":
        if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
            found.error("no_assistant_message")
        elif all(
            m.get("weight") == 0
            for m in messages
            if isinstance(m, dict) and m.get("role") == "assistant"
        ):
            found.warn("no_trained_message")
        extra = sorted(set(obj) - SFT_KEYS)
        if extra:
            found.warn("unknown_key.top", keys=", ".join(extra))
    else:  # rft: the prompt must leave the answer to the model
        last = messages[-1]
        if isinstance(last, dict) and last.get("role") == "assistant":
            found.error("rft_invalid_prompt")


def _check_messages(messages: list[Any], found: Findings, *, where: str) -> None:
    """``where``: the text key naming a message ("message 2", "input message 2")."""
    for index, message in enumerate(messages, start=1):
        at = Said(where, {"index": index})
        if not isinstance(message, dict):
            found.error("invalid_role.not_object", at=at, kind=_kind(message))
            continue
        role = message.get("role")
        if role not in ROLES:
            if role is None:
                found.error("invalid_role.missing", at=at)
            else:
                found.error("invalid_role.unknown", at=at, role=repr(role))
            continue
        if role in ("system", "developer"):
            found.has_system = True
        _check_message(message, role, at, found)


def _check_message(message: dict[str, Any], role: str, at: Said, found: Findings) -> None:
    extra = sorted(set(message) - MESSAGE_KEYS[role])
    if extra:
        if "weight" in extra:
            found.error("invalid_weight.not_assistant", at=at)
            extra.remove("weight")
        if extra:
            found.error("unknown_key.message", at=at, keys=", ".join(extra))
    tool_calls = message.get("tool_calls")
    content = message.get("content")
    if role == "assistant" and content is None and (tool_calls or message.get("function_call")):
        pass  # a tool call may stand instead of text
    elif not _content_ok(content):
        found.error("missing_content", at=at, role=role)
    if role == "assistant":
        if "weight" in message and (
            type(message["weight"]) is not int or message["weight"] not in (0, 1)
        ):
            found.error("invalid_weight.value", at=at)
        if tool_calls is not None:
            _check_tool_calls(tool_calls, at, found)
    if role == "tool" and not (
        isinstance(message.get("tool_call_id"), str) and message["tool_call_id"]
    ):
        found.error("invalid_tool_call.tool_call_id", at=at)


def _content_ok(content: Any) -> bool:
    if isinstance(content, str):
        return bool(content.strip())
    if isinstance(content, list) and content:
        for part in content:
            if not isinstance(part, dict) or part.get("type") not in CONTENT_PART_TYPES:
                return False
            if part["type"] == "text" and not (
                isinstance(part.get("text"), str) and part["text"].strip()
            ):
                return False
            if part["type"] == "image_url" and not (
                isinstance(part.get("image_url"), dict)
                and isinstance(part["image_url"].get("url"), str)
            ):
                return False
        return True
    return False


def _check_tool_calls(tool_calls: Any, at: Said, found: Findings) -> None:
    if not isinstance(tool_calls, list) or not tool_calls:
        found.error("invalid_tool_call.array", at=at)
        return
    for call in tool_calls:
        function = call.get("function") if isinstance(call, dict) else None
        if (
            not isinstance(call, dict)
            or not isinstance(call.get("id"), str)
            or call.get("type", "function") != "function"
            or not isinstance(function, dict)
            or not isinstance(function.get("name"), str)
            or not isinstance(function.get("arguments"), str)
        ):
            found.error("invalid_tool_call.shape", at=at)
            return


def _check_tools(obj: dict[str, Any], found: Findings) -> None:
    tools = obj.get("tools")
    if tools is not None:
        ok = isinstance(tools, list) and all(
            isinstance(t, dict)
            and t.get("type", "function") == "function"
            and isinstance(t.get("function"), dict)
            and isinstance(t["function"].get("name"), str)
            for t in tools
        )
        if not ok:
            found.error("invalid_tools.shape")
    if "parallel_tool_calls" in obj and not isinstance(obj["parallel_tool_calls"], bool):
        found.error("invalid_tools.parallel")


def _check_dpo(obj: dict[str, Any], found: Findings) -> None:
    missing = [k for k in ("input", "preferred_output", "non_preferred_output") if k not in obj]
    if missing:
        trl = "chosen" in obj or "rejected" in obj
        found.error(
            "dpo_missing_field.trl" if trl else "dpo_missing_field", fields=", ".join(missing)
        )
        return
    data = obj["input"]
    if not isinstance(data, dict):
        found.error("dpo_missing_field.input")
        return
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        found.error("missing_messages.dpo")
    else:
        _check_messages(messages, found, where="part.input_message")
    _check_tools(data, found)
    for key in ("preferred_output", "non_preferred_output"):
        output = obj[key]
        if (
            not isinstance(output, list)
            or len(output) != 1
            or not isinstance(output[0], dict)
            or output[0].get("role") != "assistant"
        ):
            found.error("dpo_invalid_output", key=key)
            continue
        _check_message(output[0], "assistant", say("part.field", name=key), found)
    if not found.errors and obj["preferred_output"] == obj["non_preferred_output"]:
        found.warn("dpo_identical_outputs")
    extra = sorted(set(obj) - DPO_KEYS)
    if extra:
        found.warn("unknown_key.top", keys=", ".join(extra))


def reference_keys(obj: dict[str, Any]) -> set[str]:
    """The RFT reference fields of a line: every key but the reserved ones."""
    return set(obj) - RFT_RESERVED
