"""What a chat can talk to, and the route behind each choice.

The wizard's chat offers the plain model (with the session's instructions),
every knowledge base the user built (in the wizard or with ``advisor rag
index``), the saved assistant and the fine-tuned model.  Each choice becomes a
:class:`~advisor.app.routes.RouteSpec`, so chatting runs the same routes as
``advisor ask``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from advisor.app.routes import RouteSpec
from advisor.ids import METHODS

if TYPE_CHECKING:
    from advisor.settings import Settings

TARGET_MODEL = "model"
TARGET_RAG = "rag"
TARGET_FINE_TUNED = "fine_tuned"
TARGET_ASSISTANT = "custom_assistant"
KB_PREFIX = "rag:"  # other knowledge bases: "rag:<name>"
TRAINING_ROUTES = METHODS  # a fine-tuning route is named after its method


class ChatChoices(BaseModel):
    """What the user prepared so far (the wizard's session holds these)."""

    route: str | None = None
    system_prompt: str | None = None
    backend: str | None = None
    model: str | None = None
    knowledge_base: str | None = None
    documents: str | None = Field(default=None, description="The folder indexed into it.")
    assistant: str | None = None
    fine_tuned_model: str | None = None


class ChatTarget(BaseModel):
    label: str
    value: str


def chat_targets(choices: ChatChoices, built: list[str], lang: str = "en") -> list[ChatTarget]:
    """The targets to offer, the one prepared last first; ``built``: knowledge base names;
    labels in ``lang`` (the names and model ids stay as they are)."""
    from advisor.messages import text

    def target(key: str, value: str, **names: str) -> ChatTarget:
        return ChatTarget(label=text(key, lang, **names), value=value)

    targets = [target("core.chat.target_model", TARGET_MODEL)]
    if choices.knowledge_base:
        targets.append(target("core.chat.target_rag", TARGET_RAG, kb=choices.knowledge_base))
    for name in built:
        if name != choices.knowledge_base:
            targets.append(target("core.chat.target_rag", KB_PREFIX + name, kb=name))
    if choices.assistant:
        targets.append(
            target("core.chat.target_assistant", TARGET_ASSISTANT, name=choices.assistant)
        )
    if choices.fine_tuned_model:
        targets.append(
            target("core.chat.target_fine_tuned", TARGET_FINE_TUNED, model=choices.fine_tuned_model)
        )
    preferred = TARGET_FINE_TUNED if choices.route in TRAINING_ROUTES else choices.route
    targets.sort(key=lambda target: target.value != preferred)
    return targets


def target_spec(target: str, choices: ChatChoices) -> RouteSpec:
    """The route behind a chat target."""
    if target == TARGET_ASSISTANT and choices.assistant:
        return RouteSpec(route="custom_assistant", assistant=choices.assistant)
    if target == TARGET_RAG or target.startswith(KB_PREFIX):
        kb = target.removeprefix(KB_PREFIX) if target != TARGET_RAG else choices.knowledge_base
        return RouteSpec(
            route="rag",
            backend=choices.backend,
            model=choices.model,
            kb=kb or "kb",
            instructions=choices.system_prompt,
        )
    if target == TARGET_FINE_TUNED and choices.fine_tuned_model:
        # No backend: the fine-tuned id names its own (local:ft:..., ft:...), else the default.
        return RouteSpec(model=choices.fine_tuned_model, instructions=choices.system_prompt)
    return RouteSpec(
        backend=choices.backend, model=choices.model, instructions=choices.system_prompt
    )


def knowledge_roots(target: str, choices: ChatChoices, settings: Settings) -> list[Path]:
    """The folders a target's sources are shown relative to."""
    if target == TARGET_RAG and choices.documents:
        return [Path(choices.documents)]
    if target == TARGET_ASSISTANT and choices.assistant:
        from advisor.routes import AssistantStore

        knowledge = AssistantStore(settings).get(choices.assistant).knowledge
        return [Path(p) for p in knowledge if Path(p).is_dir()]
    return []
