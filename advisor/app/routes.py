"""Build a route from what a user chose: the one place the CLI and the wizard do it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.app.backends import BackendSource, backend_name_for, registry_source
from advisor.errors import UserInputError
from advisor.ids import InferenceRouteId

if TYPE_CHECKING:
    from advisor.routes import Route
    from advisor.settings import Settings

# The routes a question can be asked through (training routes are models, asked through
# system_prompt with a fine-tuned id).  Kept here until the shared vocabulary lands.
AskRouteId = InferenceRouteId


class RouteSpec(BaseModel):
    """Everything that shapes a route; unset fields take the route's defaults."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    route: AskRouteId = "system_prompt"
    backend: str | None = Field(default=None, description="None: the model's, else the default.")
    model: str | None = None
    instructions: str | Path | None = Field(default=None, description="Text, or a text file.")
    few_shot_file: Path | None = None
    shots: int = 0
    few_shot: Literal["fixed", "similar"] = "fixed"
    kb: str | None = Field(default=None, description="Knowledge base (rag).")
    k: int = 5
    where: dict[str, Any] | None = None
    assistant: str | None = Field(default=None, description="Saved assistant (custom_assistant).")
    chroma_url: str | None = None


def build_route(
    spec: RouteSpec, settings: Settings, backends: BackendSource | None = None
) -> Route:
    """The route ``spec`` describes, on the backend it names (or its model implies).

    Raises:
        UserInputError: a required choice is missing, or the knowledge base does not exist.
    """
    source = backends or registry_source(settings)
    if spec.route == "custom_assistant":
        return _assistant_route(spec, settings, source)
    backend = source(backend_name_for(spec.backend, spec.model, settings))
    if spec.route == "rag":
        from advisor.routes import RagRoute

        return RagRoute(
            backend,
            spec.model,
            require_knowledge_base(spec.kb, settings, spec.chroma_url),
            settings,
            spec.k,
            spec.instructions,
            chroma_url=spec.chroma_url,
            where=spec.where,
        )
    from advisor.routes import SystemPromptRoute

    return SystemPromptRoute(
        backend,
        spec.model,
        spec.instructions,
        spec.few_shot_file,
        spec.shots,
        few_shot=spec.few_shot,
    )


def _assistant_route(spec: RouteSpec, settings: Settings, source: BackendSource) -> Route:
    if not spec.assistant:
        raise UserInputError.from_catalog("core.routes.needs_assistant")
    from advisor.routes import AssistantStore, CustomAssistantRoute

    profile = AssistantStore(settings).get(spec.assistant)
    if spec.backend or spec.model:
        profile = profile.model_copy(
            update={
                "backend": spec.backend or profile.backend,
                "model": spec.model or profile.model,
            }
        )
    backend = source(backend_name_for(profile.backend, profile.model, settings))
    return CustomAssistantRoute(profile, settings, backend=backend, chroma_url=spec.chroma_url)


def require_knowledge_base(name: str | None, settings: Settings, chroma_url: str | None) -> str:
    """``name`` when that knowledge base exists; a wrong name is bad input (exit 2)."""
    if not name:
        raise UserInputError.from_catalog(
            "core.routes.needs_kb", hint_key="core.routes.see_rag_list"
        )
    from advisor.rag import KnowledgeBase

    if not KnowledgeBase(name, settings, chroma_url).exists():
        raise UserInputError.from_catalog(
            "core.routes.no_kb", hint_key="core.routes.no_kb_hint", name=name
        )
    return name


def knowledge_bases(settings: Settings, chroma_url: str | None = None) -> list[str]:
    """Names of the knowledge bases the user built (assistants' own ones left out)."""
    from advisor.rag import KnowledgeBase

    return [n for n in KnowledgeBase.names(settings, chroma_url) if not n.startswith("assistant-")]
