"""The wizard's session file: what the consultant answered and chose, as JSON.

A session holds references (answers, file paths, job ids, report paths), never
results: results are recomputed by the core from these references, so an old
session file stays valid when the scoring improves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from advisor.errors import DataFileError, JsonFileKeys, load_json_file
from advisor.ids import Method

if TYPE_CHECKING:
    from advisor.app.chat import ChatChoices

SESSION_VERSION = 1


class Session(BaseModel):
    """Everything the wizard needs to resume where the consultant left off."""

    version: int = Field(default=SESSION_VERSION, description="Session file format version.")
    language: Literal["en", "ja"] = Field(default="en", description="Language of the advisor.")
    backend: str | None = Field(default=None, description="Backend; None: the settings' one.")
    model: str | None = Field(default=None, description="Model id; None: the backend default.")
    theme: str = Field(default="textual-dark", description="Textual theme name.")
    answers: dict[str, Any] = Field(
        default_factory=dict, description="Advisor question id -> answer."
    )
    scenario: str | None = Field(default=None, description="Scenario name or path, if any.")
    data_file: str | None = Field(default=None, description="Training JSONL file checked.")
    method: Method = Field(default="sft", description="Training method.")
    route: str | None = Field(default=None, description="Route chosen to run or chat with.")
    knowledge_base: str | None = Field(default=None, description="Knowledge base name (RAG).")
    documents: str | None = Field(default=None, description="Folder indexed into the KB.")
    system_prompt: str | None = Field(default=None, description="Instructions for the routes.")
    assistant: str | None = Field(default=None, description="Saved custom assistant's name.")
    job_ids: list[str] = Field(default_factory=list, description="Fine-tuning jobs started.")
    fine_tuned_model: str | None = Field(default=None, description="Model id a job produced.")
    report_dir: str | None = Field(default=None, description="Folder of the last benchmark.")

    def chat_choices(self) -> ChatChoices:
        """What the chat and the arena can talk to, from this session's choices."""
        from advisor.app.chat import ChatChoices

        return ChatChoices(
            route=self.route,
            system_prompt=self.system_prompt,
            backend=self.backend,
            model=self.model,
            knowledge_base=self.knowledge_base,
            documents=self.documents,
            assistant=self.assistant,
            fine_tuned_model=self.fine_tuned_model,
        )

    def apply_scenario(self, scenario: Any) -> None:
        """Fill the session from a loaded ``advisor.bench`` scenario."""
        self.scenario = scenario.name
        self.answers = dict(getattr(scenario, "answers", {}) or {})
        self.system_prompt = getattr(scenario, "system_prompt", None) or self.system_prompt
        if getattr(scenario, "language", None) in ("en", "ja"):
            self.language = scenario.language
        training = getattr(scenario, "training", None)
        if training is not None and getattr(training, "sft", None):
            self.data_file = str(training.sft)
        knowledge = getattr(scenario, "knowledge", None)
        if knowledge is not None and getattr(knowledge, "documents", None):
            self.documents = str(knowledge.documents)

    def save(self, path: Path) -> None:
        """Write the session as pretty JSON (non-ASCII kept readable)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )
        except OSError as exc:
            raise DataFileError.from_catalog(
                "core.tui.cannot_write_session",
                hint_key="core.tui.cannot_write_session_hint",
                path=str(path),
                error=exc.strerror,
            ) from exc

    @classmethod
    def load(cls, path: Path) -> Session:
        """Read a session file.

        Raises:
            DataFileError: missing file, bad JSON or fields that do not fit.
        """
        return load_json_file(cls, path, _SESSION_FILE)


_SESSION_FILE = JsonFileKeys(
    unreadable="core.tui.cannot_read_session",
    unreadable_hint="core.tui.cannot_read_session_hint",
    invalid="core.tui.invalid_session",
    top="core.tui.session_top",
    hint="core.tui.session_hint",
    # Content that does not fit: the fix is in the file, or a fresh session without it.
    invalid_hint="core.tui.invalid_session_hint",
)
