"""The system-prompt route: instructions, optionally with few-shot examples."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.errors import DataFileError, UserInputError
from advisor.ids import Progress
from advisor.routes.base import PrepareReport, Route, SourceRef
from advisor.routes.context import context_warning, estimate_tokens
from advisor.routes.few_shot import Example, Selection, SimilarExamples, load_examples, spread
from backends.types import ChatMessage

if TYPE_CHECKING:
    from advisor.rag.embedding import Embedder
    from backends.base import Backend


def read_instructions(instructions: str | Path | None) -> str:
    """Instructions given as text, or as a :class:`~pathlib.Path` to a text file."""
    if instructions is None:
        return ""
    if isinstance(instructions, Path):
        try:
            return instructions.read_text(encoding="utf-8-sig").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFileError.from_catalog(
                "core.routes.cannot_read_instructions", path=str(instructions), error=str(exc)
            ) from exc
    return instructions.strip()


class SystemPromptRoute(Route):
    """Instructions as the system message; ``k`` examples as earlier turns.

    ``few_shot="fixed"`` takes ``k`` examples spread evenly through the file
    (the same for every question, so prompts cache well); ``"similar"`` takes
    the ``k`` whose questions are nearest the asked one by embedding.
    """

    id = "system_prompt"

    def __init__(
        self,
        backend: Backend,
        model: str | None,
        instructions: str | Path | None,
        few_shot_file: Path | None = None,
        k: int = 0,
        *,
        few_shot: Selection = "fixed",
        embedder: Embedder | None = None,
    ) -> None:
        super().__init__(backend, model)
        if k < 0:
            raise UserInputError.from_catalog("core.routes.k_negative")
        if k > 0 and few_shot_file is None:
            raise UserInputError.from_catalog(
                "core.routes.few_shot_no_file", hint_key="core.routes.few_shot_no_file_hint", k=k
            )
        self.instructions = read_instructions(instructions)
        self.few_shot_file = few_shot_file
        self.k = k
        self.selection = few_shot
        self._embedder = embedder
        self._fixed: list[Example] = []
        self._similar: SimilarExamples | None = None

    def _prepare(self, progress: Progress | None, cancel: threading.Event | None) -> PrepareReport:
        report = PrepareReport(route=self.id, details={"few_shot": 0})
        fixed_text = self.instructions
        if self.few_shot_file is not None and self.k > 0:
            examples = load_examples(self.few_shot_file)
            if self.selection == "similar":
                from advisor.rag.embedding import make_embedder

                embedder = self._embedder or make_embedder(self.backend.settings)
                self._similar = SimilarExamples(examples, embedder)
                self._similar.prepare()
                # The widest case: the k longest examples could be picked.
                longest = sorted(examples, key=lambda e: len(e.user) + len(e.assistant))
                sample = longest[-self.k :]
            else:
                self._fixed = sample = spread(examples, self.k)
            fixed_text += "".join(e.user + e.assistant for e in sample)
            report.details["few_shot"] = min(self.k, len(examples))
            report.details["examples_in_file"] = len(examples)
        tokens = estimate_tokens(fixed_text)
        report.details["fixed_prompt_tokens"] = tokens
        warning = context_warning(tokens, self.backend, self.model)
        if warning:
            report.warn(warning)
        return report

    def messages_with(self, question: str, examples: list[Example]) -> list[ChatMessage]:
        """The conversation for ``question`` with ``examples`` as earlier turns (the bench
        plan counts its tokens without preparing the route)."""
        messages: list[ChatMessage] = []
        if self.instructions:
            messages.append(ChatMessage(role="system", content=self.instructions))
        for example in examples:
            messages.append(ChatMessage(role="user", content=example.user))
            messages.append(ChatMessage(role="assistant", content=example.assistant))
        messages.append(ChatMessage(role="user", content=question))
        return messages

    def build_messages(self, question: str) -> tuple[list[ChatMessage], list[SourceRef]]:
        return self.build_many([question])[0]

    def build_many(self, questions: list[str]) -> list[tuple[list[ChatMessage], list[SourceRef]]]:
        self.prepare()
        if self._similar is not None:
            picks = self._similar.pick(questions, self.k)
        else:
            picks = [self._fixed] * len(questions)
        return [(self.messages_with(q, ex), []) for q, ex in zip(questions, picks, strict=True)]
