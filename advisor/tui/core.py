"""Thin glue between the screens and the headless core.

Only plumbing lives here (which core call a screen choice maps to, how a core
object fills the session); every decision is the core's.  Core packages are
imported inside the functions, so the wizard opens fast and heavy libraries
load in workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.tui.app import AdvisorApp
    from advisor.tui.session import Session

# Chat targets: the plain model (with the session's instructions), the RAG route
# over the session's knowledge base, and the fine-tuned model.
TARGET_MODEL = "model"
TARGET_RAG = "rag"
TARGET_FINE_TUNED = "fine_tuned"
TARGET_ASSISTANT = "custom_assistant"


def chat_targets(session: Session) -> list[tuple[str, str]]:
    """(label, value) pairs for the chat screen's target picker."""
    targets = [("model (system prompt route)", TARGET_MODEL)]
    if session.knowledge_base:
        targets.append((f"RAG over {session.knowledge_base}", TARGET_RAG))
    if session.assistant:
        targets.append((f"assistant {session.assistant}", TARGET_ASSISTANT))
    if session.fine_tuned_model:
        targets.append((f"fine-tuned {session.fine_tuned_model}", TARGET_FINE_TUNED))
    # The route the consultant prepared last comes first.
    preferred = TARGET_FINE_TUNED if session.route in ("sft", "dpo", "rft") else session.route
    targets.sort(key=lambda target: target[1] != preferred)
    return targets


def chat_answer(
    app: AdvisorApp, target: str, history: list[tuple[str, str]], question: str
) -> Iterator[tuple[str, list[str]]]:
    """Yield (text chunk, sources) pairs; runs in a worker thread."""
    from backends.types import ChatMessage, GenerationParams

    session = app.session
    params = GenerationParams(max_tokens=app.settings.local.max_new_tokens)
    if target in (TARGET_RAG, TARGET_ASSISTANT):
        from advisor.routes import AssistantStore, CustomAssistantRoute, RagRoute
        from advisor.routes.base import Route

        route: Route
        if target == TARGET_ASSISTANT and session.assistant:
            profile = AssistantStore(app.settings).get(session.assistant)
            route = CustomAssistantRoute(profile, app.settings, backend=app.backend())
        else:
            route = RagRoute(
                app.backend(),
                app.model_id,
                session.knowledge_base or "kb",
                app.settings,
                instructions=session.system_prompt,
            )
        answer = route.answer(question, params)
        sources = [
            f"{'*' if ref.cited else '-'} {ref.source} #{ref.chunk_id} "
            f"(distance {ref.distance:.2f})"
            for ref in answer.sources
        ]
        yield answer.text, sources
        return
    model = app.model_id
    backend = app.backend()
    if target == TARGET_FINE_TUNED and session.fine_tuned_model:
        from advisor.registry import backend_for_model

        model = session.fine_tuned_model
        backend = app.backend(backend_for_model(model, app.settings) or app.backend_name)
    messages: list[ChatMessage] = []
    if session.system_prompt:
        messages.append(ChatMessage(role="system", content=session.system_prompt))
    for asked, answered in history:
        messages.append(ChatMessage(role="user", content=asked))
        messages.append(ChatMessage(role="assistant", content=answered))
    messages.append(ChatMessage(role="user", content=question))
    for chunk in backend.stream(messages, model=model, params=params):
        yield chunk, []


def apply_scenario(session: Session, scenario: Any) -> None:
    """Fill the session from a loaded ``advisor.bench`` scenario."""
    session.scenario = scenario.name
    session.answers = dict(getattr(scenario, "answers", {}) or {})
    session.system_prompt = getattr(scenario, "system_prompt", None) or session.system_prompt
    if getattr(scenario, "language", None) in ("en", "ja"):
        session.language = scenario.language
    training = getattr(scenario, "training", None)
    if training is not None and getattr(training, "sft", None):
        session.data_file = str(training.sft)
    knowledge = getattr(scenario, "knowledge", None)
    if knowledge is not None and getattr(knowledge, "documents", None):
        session.documents = str(knowledge.documents)
