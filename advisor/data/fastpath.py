"""A fast acceptance test for SFT lines: typed decoding in C with msgspec.

msgspec decodes a line straight into the structs below, checking types, roles
(a tagged union on ``role``), non-blank text and the 0/1 weight in one pass
without building intermediate dicts.  A line it accepts is valid by the rules
of :mod:`advisor.data.checks` (a property test holds the two together); a line
it rejects goes to those checks for its precise error codes, so this module
never has to explain anything.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

NonBlank = Annotated[str, Meta(pattern=r"\S")]


class _Function(Struct, forbid_unknown_fields=True):
    name: str
    arguments: str


class _ToolCall(Struct, forbid_unknown_fields=True):
    id: str
    function: _Function
    type: Literal["function"] = "function"


class _Text(Struct, tag="text", tag_field="type", forbid_unknown_fields=True):
    text: NonBlank


class _ImageURL(Struct):
    url: str


class _Image(Struct, tag="image_url", tag_field="type", forbid_unknown_fields=True):
    image_url: _ImageURL


Content = NonBlank | Annotated[list[_Text | _Image], Meta(min_length=1)]


class _System(Struct, tag="system", tag_field="role", forbid_unknown_fields=True):
    content: Content
    name: str | None = None


class _Developer(Struct, tag="developer", tag_field="role", forbid_unknown_fields=True):
    content: Content
    name: str | None = None


class _User(Struct, tag="user", tag_field="role", forbid_unknown_fields=True):
    content: Content
    name: str | None = None


class _Assistant(Struct, tag="assistant", tag_field="role", forbid_unknown_fields=True):
    content: Content | None = None
    name: str | None = None
    weight: Literal[0, 1] | None = None
    tool_calls: Annotated[list[_ToolCall], Meta(min_length=1)] | None = None


class _Tool(Struct, tag="tool", tag_field="role", forbid_unknown_fields=True):
    content: Content
    tool_call_id: Annotated[str, Meta(min_length=1)]


class _ToolFunction(Struct):
    name: str


class _ToolDef(Struct):
    function: _ToolFunction
    type: Literal["function"] = "function"


class _SFT(Struct, forbid_unknown_fields=True):
    messages: Annotated[list[_System | _Developer | _User | _Assistant | _Tool], Meta(min_length=1)]
    tools: list[_ToolDef] | None = None
    parallel_tool_calls: bool | None = None


_decode = msgspec.json.Decoder(_SFT).decode
_DecodeError = msgspec.DecodeError  # ValidationError is a subclass


def accept_sft(line: bytes) -> int:
    """0 if ``line`` is not a clean SFT example; 1 if it is; 2 if clean with a system message.

    "Clean" means :func:`advisor.data.checks.check_record` would find no error and
    no warning in it.
    """
    try:
        example = _decode(line)
    except _DecodeError:
        return 0
    trained = False
    system = 1
    for message in example.messages:
        if isinstance(message, _Assistant):
            if message.content is None and message.tool_calls is None:
                return 0
            if message.weight != 0:
                trained = True
        elif isinstance(message, _System | _Developer):
            system = 2
    return system if trained else 0
