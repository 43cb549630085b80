"""Pydantic models of the training formats, after OpenAI's fine-tuning documentation.

These models describe and *write* the formats (converters build them, so every
line they emit is well-formed); validation of user files goes through
:mod:`advisor.data.checks`, which explains each problem with a stable code.

* SFT: :class:`SFTExample` - ``messages`` (system, developer, user, assistant,
  tool), optional ``tools`` and ``parallel_tool_calls``; assistant messages may
  carry ``tool_calls`` (then ``content`` may be null) and ``weight`` 0 or 1;
  tool messages carry ``tool_call_id``.
* DPO: :class:`DPOExample` - ``input`` {messages, tools?}, ``preferred_output``
  and ``non_preferred_output``, each exactly one assistant message.
* RFT: :class:`RFTExample` - ``messages``, ``tools?`` and any other keys, which
  graders read as ``item.<key>``.
* TRL's plain forms: :class:`TrlPromptCompletion` and :class:`TrlPreference`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FunctionCall(_Strict):
    name: str
    arguments: str = Field(description="The arguments as a JSON string.")


class ToolCall(_Strict):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class TextPart(_Strict):
    type: Literal["text"] = "text"
    text: str


class ImageURL(BaseModel):
    url: str
    detail: str | None = None


class ImagePart(_Strict):
    type: Literal["image_url"] = "image_url"
    image_url: ImageURL


Content = str | list[Annotated[TextPart | ImagePart, Field(discriminator="type")]]


class SystemMessage(_Strict):
    role: Literal["system"] = "system"
    content: Content
    name: str | None = None


class DeveloperMessage(_Strict):
    role: Literal["developer"] = "developer"
    content: Content
    name: str | None = None


class UserMessage(_Strict):
    role: Literal["user"] = "user"
    content: Content
    name: str | None = None


class AssistantMessage(_Strict):
    role: Literal["assistant"] = "assistant"
    content: Content | None = None
    name: str | None = None
    tool_calls: list[ToolCall] | None = None
    weight: Literal[0, 1] | None = Field(
        default=None, description="0 leaves this message out of training."
    )


class ToolMessage(_Strict):
    role: Literal["tool"] = "tool"
    content: Content
    tool_call_id: str


Message = Annotated[
    SystemMessage | DeveloperMessage | UserMessage | AssistantMessage | ToolMessage,
    Field(discriminator="role"),
]


class FunctionDefinition(BaseModel):
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None


class Tool(_Strict):
    type: Literal["function"] = "function"
    function: FunctionDefinition


class SFTExample(_Strict):
    messages: list[Message] = Field(min_length=1)
    tools: list[Tool] | None = None
    parallel_tool_calls: bool | None = None


class DPOInput(_Strict):
    messages: list[Message] = Field(min_length=1)
    tools: list[Tool] | None = None
    parallel_tool_calls: bool | None = None


class DPOExample(_Strict):
    input: DPOInput
    preferred_output: list[AssistantMessage] = Field(min_length=1, max_length=1)
    non_preferred_output: list[AssistantMessage] = Field(min_length=1, max_length=1)


class RFTExample(BaseModel):
    """Reserved keys are ``messages`` and ``tools``; every other key is a reference field."""

    model_config = ConfigDict(extra="allow")
    messages: list[Message] = Field(min_length=1)
    tools: list[Tool] | None = None


class TrlPromptCompletion(BaseModel):
    """TRL's plain SFT form: strings, or conversational lists of {role, content}."""

    prompt: str | list[dict[str, Any]]
    completion: str | list[dict[str, Any]]


class TrlPreference(BaseModel):
    """TRL's plain preference form (``prompt`` may be absent in implicit-prompt data)."""

    prompt: str | list[dict[str, Any]] | None = None
    chosen: str | list[dict[str, Any]]
    rejected: str | list[dict[str, Any]]


def dump(example: BaseModel) -> dict[str, Any]:
    """An example as a JSONL-ready dict: unset optional fields left out."""
    return example.model_dump(mode="json", exclude_none=True)
