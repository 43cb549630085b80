"""A multi-turn conversation through a route: earlier turns travel with each question.

A route builds the messages for one question (instructions, few-shot examples,
retrieved sources).  The conversation slots the earlier turns in before the new
question, as plain user and assistant messages: the sources retrieved for an
earlier turn are not resent, only what was asked and answered.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.routes import Route, RouteAnswer
    from backends.types import ChatMessage, GenerationParams


@dataclass
class Turn:
    question: str
    answer: str


@dataclass
class Conversation:
    """Ask a route question after question; the history is kept until :meth:`clear`."""

    route: Route
    params: GenerationParams | None = None
    turns: list[Turn] = field(default_factory=list)

    @property
    def history(self) -> list[tuple[str, str]]:
        return [(t.question, t.answer) for t in self.turns]

    def clear(self) -> None:
        self.turns.clear()

    def _messages(self, question: str) -> tuple[list[ChatMessage], list]:
        from backends.types import ChatMessage

        messages, sources = self.route.build_messages(question)
        earlier: list[ChatMessage] = []
        for turn in self.turns:
            earlier.append(ChatMessage(role="user", content=turn.question))
            earlier.append(ChatMessage(role="assistant", content=turn.answer))
        # The route's last message is the question (with its sources, for RAG).
        return [*messages[:-1], *earlier, messages[-1]], sources

    def ask(self, question: str) -> RouteAnswer:
        """The whole answer, with the sources it cited; the turn joins the history."""
        messages, sources = self._messages(question)
        result = self.route.backend.chat(messages, model=self.route.model, params=self.params)
        answer = self.route.finish(result, sources)
        self.turns.append(Turn(question, answer.text))
        return answer

    def stream(self, question: str) -> Iterator[str]:
        """The answer in chunks as the model writes them (for routes without sources)."""
        messages, _ = self._messages(question)
        text = ""
        for chunk in self.route.backend.stream(
            messages, model=self.route.model, params=self.params
        ):
            text += chunk
            yield chunk
        self.turns.append(Turn(question, text))
