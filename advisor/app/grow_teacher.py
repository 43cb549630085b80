"""The teacher of ``advisor data grow``: prompts from grow_prompts.yaml, replies parsed.

Each draft takes two calls on any backend's chat API: one that writes a new
prompt (a paraphrase or variation of a training prompt, or a question about a
document chunk), sampled with a per-draft seed so repeated calls differ, and one
that answers it greedily (for a chunk, grounded in the chunk).  Distillation
takes one call: the real prompt answered.  The prompt-writing reply is read
leniently, because small local teachers rarely follow format instructions: the
first non-empty line, without a leading label ("Question:"), numbering or quotes.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, Field

from advisor.rag.textsplit import detect_language
from backends.types import ChatMessage, GenerationParams

if TYPE_CHECKING:
    from backends.base import Backend

PROMPT_TEMPERATURE = 0.9
MAX_PROMPT_TOKENS = 128
MIN_PROMPT_CHARS = 4
_QUOTES = "\"'“”「」『』`"
_NUMBERING = re.compile(r"^(?:\d+[.)．]|[-*•・])\s*")


class Step(BaseModel):
    system: str
    user: str


class LanguagePrompts(BaseModel):
    paraphrase: Step
    variations: list[str] = Field(min_length=1)
    angles: list[str] = Field(min_length=1)
    question: Step
    answer: Step
    labels: list[str] = Field(default_factory=list)


class TeacherPrompts(BaseModel):
    en: LanguagePrompts
    ja: LanguagePrompts

    def of(self, text: str) -> LanguagePrompts:
        """The prompts in the language of ``text``."""
        return self.ja if detect_language(text) == "ja" else self.en


@cache
def teacher_prompts() -> TeacherPrompts:
    raw = resources.files("advisor.app").joinpath("grow_prompts.yaml").read_text("utf-8")
    return TeacherPrompts.model_validate(yaml.safe_load(raw))


def variants_per_source() -> int:
    """How many distinct drafts one training prompt or chunk can give (the shortest list)."""
    prompts = teacher_prompts()
    return min(len(p) for lang in (prompts.en, prompts.ja) for p in (lang.variations, lang.angles))


def paraphrase_messages(prompt: str, variant: int) -> list[ChatMessage]:
    """The teacher conversation that rewrites ``prompt`` per variation number ``variant``."""
    lang = teacher_prompts().of(prompt)
    variation = lang.variations[variant % len(lang.variations)]
    return [
        ChatMessage(role="system", content=lang.paraphrase.system),
        ChatMessage(
            role="user", content=lang.paraphrase.user.format(prompt=prompt, variation=variation)
        ),
    ]


def question_messages(passage: str, variant: int) -> list[ChatMessage]:
    """The teacher conversation that asks one question about ``passage``."""
    lang = teacher_prompts().of(passage)
    angle = lang.angles[variant % len(lang.angles)]
    return [
        ChatMessage(role="system", content=lang.question.system),
        ChatMessage(role="user", content=lang.question.user.format(passage=passage, angle=angle)),
    ]


def grounded_messages(passage: str, question: str) -> list[ChatMessage]:
    """The teacher conversation that answers ``question`` from ``passage`` only."""
    lang = teacher_prompts().of(passage + "\n" + question)
    user = lang.answer.user.format(passage=passage, question=question)
    return [
        ChatMessage(role="system", content=lang.answer.system),
        ChatMessage(role="user", content=user),
    ]


def parse_prompt(reply: str, text_like: str) -> str | None:
    """The new prompt in a prompt-writing reply, or None when there is none.

    ``text_like`` is the source text; its language picks the labels to strip.
    """
    labels = teacher_prompts().of(text_like).labels
    for line in reply.splitlines():
        text = _NUMBERING.sub("", line.strip())
        head, sep, rest = text.partition(":") if ":" in text else text.partition("：")
        if sep and head.strip().casefold() in labels:
            text = rest.strip()
        text = text.strip(_QUOTES + " ")
        if len(text) >= MIN_PROMPT_CHARS:
            return text
    return None


class Teacher:
    """One backend and model that drafts prompts and answers them."""

    def __init__(self, backend: Backend, model: str | None, max_tokens: int) -> None:
        self.backend = backend
        self.model = model
        self.max_tokens = max_tokens

    @property
    def name(self) -> str:
        """``<backend>:<model>``, as recorded in every draft."""
        return f"{self.backend.name}:{self.model or self.backend.default_model}"

    def write_prompt(self, messages: list[ChatMessage], seed: int, source_text: str) -> str | None:
        """A new prompt, sampled with ``seed``; None when the reply holds none."""
        params = GenerationParams(
            temperature=PROMPT_TEMPERATURE,
            seed=seed,
            max_tokens=min(self.max_tokens, MAX_PROMPT_TOKENS),
        )
        reply = self.backend.chat(messages, model=self.model, params=params).text
        return parse_prompt(reply, source_text)

    def answer(self, messages: list[ChatMessage]) -> str | None:
        """The greedy answer to the conversation; None when it is empty."""
        params = GenerationParams(temperature=0.0, max_tokens=self.max_tokens)
        text = self.backend.chat(messages, model=self.model, params=params).text.strip()
        return text or None


def as_dicts(messages: list[ChatMessage]) -> list[dict[str, Any]]:
    """Messages as the plain ``{"role", "content"}`` objects of a JSONL line."""
    return [{"role": m.role, "content": m.content} for m in messages]
