"""advisor-echo: the smallest useful backend plugin (see docs/plugins.md).

It answers with a configurable prefix and the last user message.  It imports
only the public plugin API: ``backends.base``, ``backends.types`` and pydantic.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import ClassVar

from pydantic import BaseModel, Field

from backends.base import Backend, Capabilities
from backends.types import ChatMessage, ChatResult, GenerationParams, Usage


class EchoSettings(BaseModel):
    """The ``[echo]`` section of advisor.toml; ``ADVISOR_ECHO__PREFIX`` works too."""

    prefix: str = Field(default="echo: ", description="Put before every answer.")
    model: str = Field(default="echo-1", description="The model name answers report.")


class EchoBackend(Backend):
    name = "echo"
    description = "Repeats the last user message with a prefix (a plugin example)."
    capabilities: ClassVar[Capabilities] = Capabilities(supports_chat=True)
    settings_model = EchoSettings

    @property
    def config(self) -> EchoSettings:
        section = self.backend_settings  # validated by EchoSettings, defaults when absent
        assert isinstance(section, EchoSettings)
        return section

    @property
    def default_model(self) -> str:
        return self.config.model

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> ChatResult:
        start = time.perf_counter()
        last = next((m.content or "" for m in reversed(messages) if m.role == "user"), "")
        text = f"{self.config.prefix}{last}"
        return ChatResult(
            text=text,
            model=model or self.default_model,
            backend=self.name,
            usage=Usage(prompt_tokens=len(last.split()), completion_tokens=len(text.split())),
            latency_s=time.perf_counter() - start,
        )
