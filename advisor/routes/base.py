"""The route contract: prepared once, then answers questions on any chat backend.

A route is one way of making a model behave a team's way without (or on top of)
training: a system prompt, retrieval over a knowledge base, a saved custom
assistant.  A fine-tuned model is just another model id, so benchmarks run the
training routes as a :class:`~advisor.routes.system_prompt.SystemPromptRoute`
over the fine-tuned id and compare every route on equal terms.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Generator
from typing import ClassVar

from pydantic import BaseModel, Field, InstanceOf

from advisor import messages
from advisor.ids import Progress
from backends.types import ChatMessage, ChatResult, GenerationParams, Usage


class SourceRef(BaseModel):
    """A retrieved chunk shown to the model; ``cited`` when the answer cites it as [n]."""

    source: str
    chunk_id: str
    distance: float
    text: str
    cited: bool = False


class RouteAnswer(BaseModel):
    """One answer with everything needed to compare routes side by side."""

    text: str
    sources: list[SourceRef] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0
    backend: str
    model: str
    route: str

    @property
    def cited_sources(self) -> list[SourceRef]:
        return [s for s in self.sources if s.cited]


class PrepareReport(BaseModel):
    """What :meth:`Route.prepare` did, and what the user should know before asking."""

    route: str
    ready: bool = True
    details: dict[str, int | float | str] = Field(default_factory=dict)
    #: English, as the JSON keeps it; ``said`` holds the same warnings as catalog sentences.
    warnings: list[str] = Field(default_factory=list)
    said: list[InstanceOf[messages.Localized] | str] = Field(
        default_factory=list, exclude=True, repr=False
    )

    def warn(self, *sentences: messages.Localized | str) -> None:
        """Add warnings: a catalog sentence shows in the shell's language, a plain one as is."""
        self.warnings.extend(str(s) for s in sentences)
        self.said.extend(sentences)

    def warnings_in(self, lang: str) -> list[str]:
        """The warnings in ``lang`` (ones added to ``warnings`` directly, as written)."""
        if len(self.said) != len(self.warnings):
            return list(self.warnings)
        return [messages.in_lang(s, lang) if not isinstance(s, str) else s for s in self.said]


class Route(abc.ABC):
    """Prepare once (index, load a profile), then answer questions.

    ``answer`` prepares lazily, so a caller that does not care about the
    report can skip :meth:`prepare`.  Methods raise only
    :class:`~advisor.errors.AdvisorError` subclasses.
    """

    id: ClassVar[str]

    def __init__(self, backend: object, model: str | None) -> None:
        from backends.base import Backend

        if not isinstance(backend, Backend):  # a clear error beats an AttributeError later
            raise TypeError(f"backend must be a Backend, not {type(backend).__name__}")
        self.backend: Backend = backend
        self.model = model or backend.default_model
        self._report: PrepareReport | None = None

    # --- preparation --------------------------------------------------------------------

    def prepare(
        self, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> PrepareReport:
        """Do the one-off work; calling it again returns the first report."""
        if self._report is None:
            self._report = self._prepare(progress, cancel)
        return self._report

    @abc.abstractmethod
    def _prepare(self, progress: Progress | None, cancel: threading.Event | None) -> PrepareReport:
        """Subclasses build their report here."""

    @property
    def warnings(self) -> list[str]:
        return self.prepare().warnings

    # --- answering ---------------------------------------------------------------------

    @abc.abstractmethod
    def build_messages(self, question: str) -> tuple[list[ChatMessage], list[SourceRef]]:
        """The conversation sent to the model for ``question``, and the sources it shows."""

    def answer(self, question: str, params: GenerationParams | None = None) -> RouteAnswer:
        return self.answer_batch([question], params)[0]

    def answer_batch(
        self, questions: list[str], params: GenerationParams | None = None
    ) -> list[RouteAnswer]:
        """Answer several questions through the backend's ``chat_batch`` (input order)."""
        self.prepare()
        built = self.build_many(questions)
        results = self.backend.chat_batch(
            [messages for messages, _ in built], model=self.model, params=params
        )
        return [
            self.finish(result, sources)
            for result, (_, sources) in zip(results, built, strict=True)
        ]

    def answer_iter(
        self, questions: list[str], params: GenerationParams | None = None
    ) -> Generator[tuple[int, RouteAnswer], None, None]:
        """Yield (input index, answer) as the backend's ``chat_batch_iter`` finishes each."""
        self.prepare()
        built = self.build_many(questions)
        results = self.backend.chat_batch_iter(
            [messages for messages, _ in built], model=self.model, params=params
        )
        for index, result in results:
            yield index, self.finish(result, built[index][1])

    def build_many(self, questions: list[str]) -> list[tuple[list[ChatMessage], list[SourceRef]]]:
        """Messages for several questions; RAG overrides it to embed them together."""
        return [self.build_messages(q) for q in questions]

    def finish(self, result: ChatResult, sources: list[SourceRef]) -> RouteAnswer:
        """Turn a backend result into a :class:`RouteAnswer` (RAG marks cited sources)."""
        return RouteAnswer(
            text=result.text,
            sources=sources,
            usage=result.usage,
            latency_s=result.latency_s,
            backend=result.backend,
            model=result.model,
            route=self.id,
        )
