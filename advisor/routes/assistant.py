"""GPTs-style custom assistants: a saved profile, and the route that runs it.

A profile is a readable YAML file ``<data dir>/assistants/<name>.yaml``:
name, instructions, knowledge files, conversation starters, backend and
model.  Its knowledge files are indexed (incrementally) into the knowledge
base ``assistant-<name>`` when the route is prepared, so editing a file and
chatting again picks up the change.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from advisor import messages
from advisor.errors import DataFileError, UserInputError, first_worded
from advisor.ids import Progress
from advisor.rag.knowledge_base import NAME, KnowledgeBase
from advisor.routes.base import PrepareReport, Route, SourceRef
from advisor.routes.rag import RagRoute
from advisor.routes.system_prompt import SystemPromptRoute
from advisor.section_settings import SettingsProblem
from backends.types import ChatMessage, ChatResult

if TYPE_CHECKING:
    from advisor.routes.base import RouteAnswer
    from advisor.settings import Settings


class AssistantProfile(BaseModel):
    name: str = Field(description="Lowercase letters, digits, - and _.")
    description: str = ""
    instructions: str
    knowledge: list[str] = Field(
        default_factory=list, description="Files or folders indexed for retrieval."
    )
    conversation_starters: list[str] = Field(default_factory=list)
    backend: str | None = Field(default=None, description="None: the default backend.")
    model: str | None = Field(default=None, description="None: the backend's default model.")
    k: int = Field(default=4, ge=1, le=50, description="Chunks retrieved per question.")
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not NAME.match(value) or len(value) > 50:
            # SettingsProblem: a catalog sentence pydantic accepts, said in Japanese too.
            raise SettingsProblem("core.assistant.bad_name")
        return value

    @property
    def kb_name(self) -> str:
        return f"assistant-{self.name}"


class _Literal(str):
    """Multi-line strings dumped as YAML block scalars, so instructions stay readable."""


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


yaml.SafeDumper.add_representer(_Literal, _literal)


class AssistantStore:
    """Profiles as YAML files in ``settings.assistants_dir``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.assistants_dir

    def path(self, name: str) -> Path:
        return self.root / f"{name}.yaml"

    def save(self, profile: AssistantProfile, *, overwrite: bool = False) -> Path:
        path = self.path(profile.name)
        if path.exists() and not overwrite:
            raise UserInputError.from_catalog(
                "core.assistant.exists", hint_key="core.assistant.exists_hint", name=profile.name
            )
        data: dict[str, Any] = profile.model_dump()
        if "\n" in profile.instructions:
            data["instructions"] = _Literal(profile.instructions)
        self.root.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)  # never leave half a profile behind
        return path

    def get(self, name: str) -> AssistantProfile:
        path = self.path(name)
        if not path.is_file():
            raise UserInputError.from_catalog(
                "core.assistant.not_found", hint_key="core.assistant.see_list", name=name
            )
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            return AssistantProfile.model_validate(data)
        except (yaml.YAMLError, ValidationError, OSError) as exc:
            first_line = str(exc).splitlines()[0]
            error: str | messages.Worded = first_line
            if isinstance(exc, ValidationError):  # pydantic's first line is English only
                loc, problem = first_worded(exc)
                error = messages.Worded(first_line, f"{loc}: {problem.ja}" if loc else problem.ja)
            raise DataFileError.from_catalog(
                "core.assistant.invalid_profile",
                hint_key="core.assistant.invalid_profile_hint",
                path=str(path),
                error=error,
            ) from exc

    def list(self) -> list[AssistantProfile]:
        if not self.root.is_dir():
            return []
        return [self.get(p.stem) for p in sorted(self.root.glob("*.yaml"))]

    def delete(self, name: str, *, drop_knowledge: bool = True) -> None:
        profile = self.get(name)
        if drop_knowledge:
            KnowledgeBase(profile.kb_name, self.settings).delete()
        self.path(name).unlink()


class CustomAssistantRoute(Route):
    """Runs a profile: retrieval when it has knowledge files, else its instructions alone."""

    id = "custom_assistant"

    def __init__(
        self,
        profile: AssistantProfile,
        settings: Settings,
        *,
        backend: Any = None,
        chroma_url: str | None = None,
    ) -> None:
        from advisor.registry import get_backend

        chosen = backend or get_backend(profile.backend, settings)
        super().__init__(chosen, profile.model)
        self.profile = profile
        self.settings = settings
        self.chroma_url = chroma_url
        self.inner: Route
        if profile.knowledge:
            kb = KnowledgeBase(profile.kb_name, settings, chroma_url)
            self.inner = RagRoute(chosen, self.model, kb, settings, profile.k, profile.instructions)
        else:
            self.inner = SystemPromptRoute(chosen, self.model, profile.instructions)

    def _prepare(self, progress: Progress | None, cancel: threading.Event | None) -> PrepareReport:
        report = PrepareReport(route=self.id)
        if isinstance(self.inner, RagRoute):
            paths = [Path(p) for p in self.profile.knowledge]
            missing = [str(p) for p in paths if not p.exists()]
            if missing:
                report.warn(
                    messages.Localized(
                        "core.route.knowledge_not_found", {"paths": ", ".join(missing)}
                    )
                )
            indexed = self.inner.kb.index([p for p in paths if p.exists()], progress, cancel)
            report.details.update(
                {"files": indexed.files, "chunks": indexed.chunks, "updated": indexed.updated}
            )
            report.warn(
                *(
                    messages.Localized("core.route.skipped", {"path": s.path, "reason": s.said()})
                    for s in indexed.skipped
                )
            )
        inner = self.inner.prepare(progress, cancel)
        report.details.update(inner.details)
        report.warn(*(inner.said if len(inner.said) == len(inner.warnings) else inner.warnings))
        return report

    def build_messages(self, question: str) -> tuple[list[ChatMessage], list[SourceRef]]:
        self.prepare()
        return self.inner.build_messages(question)

    def build_many(self, questions: list[str]) -> list[tuple[list[ChatMessage], list[SourceRef]]]:
        self.prepare()
        return self.inner.build_many(questions)

    def finish(self, result: ChatResult, sources: list[SourceRef]) -> RouteAnswer:
        return self.inner.finish(result, sources).model_copy(update={"route": self.id})
