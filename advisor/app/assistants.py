"""Create a custom assistant: validated once, for the CLI and the wizard alike."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from advisor.errors import UserInputError, pydantic_problem

if TYPE_CHECKING:
    from advisor.routes import AssistantProfile
    from advisor.settings import Settings


class AssistantDraft(BaseModel):
    """What a user typed for a new assistant, before it is checked."""

    name: str
    instructions: str | None = None
    instructions_file: Path | None = None
    knowledge: list[Path] = Field(default_factory=list)
    starters: list[str] = Field(default_factory=list)
    description: str = ""
    backend: str | None = None
    model: str | None = None
    k: int = 4


def check_assistant(draft: AssistantDraft) -> AssistantProfile:
    """The profile ``draft`` describes.

    Raises:
        UserInputError: no (or two) instructions, missing knowledge, an unknown
            backend or an invalid name - each one sentence with the fix.
    """
    from pydantic import ValidationError

    from advisor.routes import AssistantProfile
    from advisor.routes.system_prompt import read_instructions

    if bool(draft.instructions and draft.instructions.strip()) == bool(draft.instructions_file):
        raise UserInputError.from_catalog("core.assistant.one_instructions")
    text = read_instructions(draft.instructions_file or draft.instructions)
    missing = [str(p) for p in draft.knowledge if not p.expanduser().exists()]
    if missing:
        raise UserInputError.from_catalog(
            "core.assistant.knowledge_missing", paths=", ".join(missing)
        )
    if draft.backend:
        from advisor.registry import backend_class

        backend_class(draft.backend)  # fail now, not at the first chat
    try:
        return AssistantProfile(
            name=draft.name,
            description=draft.description,
            instructions=text,
            knowledge=[str(p.expanduser().resolve()) for p in draft.knowledge],
            conversation_starters=list(draft.starters),
            backend=draft.backend,
            model=draft.model,
            k=draft.k,
        )
    except ValidationError as exc:
        raise UserInputError.from_catalog(
            "core.assistant.invalid", error=pydantic_problem(exc.errors()[0])
        ) from exc


def create_assistant(
    draft: AssistantDraft, settings: Settings, *, overwrite: bool = False
) -> tuple[AssistantProfile, Path]:
    """Check and save; the saved profile and its file."""
    from advisor.routes import AssistantStore

    profile = check_assistant(draft)
    return profile, AssistantStore(settings).save(profile, overwrite=overwrite)
