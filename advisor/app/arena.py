"""The arena: two targets answer the same prompts, a person votes blind, votes become DPO pairs.

A *target* is a route or a model, in the words of :mod:`advisor.ids` and the
bench's route grammar, joined by ``+``::

    system_prompt                 the plain model with the instructions (the default)
    rag  /  rag:<kb>              retrieval over --kb, or over the named knowledge base
    custom_assistant:<name>       a saved assistant
    model:<ModelRef>              another model: a base id, ft:..., local:ft:...
    backend:<name>                another backend (fake, local, openai, ...)

    model:local:ft:SmolLM2-135M:sft:ftjob-1a2b+rag:docs   the tuned model with retrieval

Every target becomes an application :class:`~advisor.app.routes.RouteSpec` and
is built with :func:`~advisor.app.routes.build_route`, so the arena answers
exactly as ``advisor ask`` and the wizard's chat do.  Both the CLI
(``advisor arena``) and the wizard's Arena screen use :class:`Arena`.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.app.arena_votes import (
    ArenaRound,
    ArenaSession,
    Vote,
    append_pair,
    round_pair,
    session_path,
)
from advisor.app.routes import RouteSpec, build_route
from advisor.errors import CancelledError, DataFileError, UserInputError
from advisor.ids import INFERENCE_ROUTE_IDS, ModelRef

if TYPE_CHECKING:
    from advisor.app.backends import BackendSource
    from advisor.app.chat import ChatChoices
    from advisor.routes import Route
    from advisor.settings import Settings
    from backends.types import GenerationParams


@dataclass
class TargetDefaults:
    """What both targets share unless a target says otherwise (the command's options)."""

    backend: str | None = None
    model: str | None = None
    instructions: str | None = None
    kb: str | None = None
    chroma_url: str | None = None


def parse_target(text: str, defaults: TargetDefaults | None = None) -> RouteSpec:
    """A target string -> the application route spec; raises :class:`UserInputError`."""
    base = defaults or TargetDefaults()
    fields: dict[str, object] = {
        "backend": base.backend,
        "model": base.model,
        "instructions": base.instructions,
        "kb": base.kb,
        "chroma_url": base.chroma_url,
    }
    routes: list[str] = []
    parts = [p.strip() for p in text.split("+")]
    if not text.strip() or not all(parts):
        raise UserInputError.from_catalog(
            "core.arena.empty_part", hint_key="core.arena.target_hint", target=repr(text)
        )
    named_backend = any(p.startswith("backend:") for p in parts)
    for part in parts:
        word, _, value = part.partition(":")
        if word == "model" and value:
            ref = ModelRef.parse(value)
            fields["model"] = str(ref)
            if ref.fine_tuned and not named_backend:
                fields["backend"] = None  # a tuned id names its own backend (local:ft: -> local)
        elif word == "backend" and value:
            fields["backend"] = value
        elif word in INFERENCE_ROUTE_IDS:
            routes.append(word)
            if word == "rag" and value:
                fields["kb"] = value
            elif word == "custom_assistant":
                fields["assistant"] = value or None
        else:
            raise UserInputError.from_catalog(
                "core.arena.unknown_part",
                hint_key="core.arena.target_hint",
                part=repr(part),
                target=repr(text),
            )
    if len(set(routes)) > 1:
        raise UserInputError.from_catalog(
            "core.arena.two_routes", hint_key="core.arena.target_hint", target=repr(text)
        )
    fields["route"] = routes[0] if routes else "system_prompt"
    return RouteSpec.model_validate(fields)


def read_prompts(path: Path) -> list[str]:
    """Prompts from a text file (one a line) or JSONL (``prompt``, or the last user message).

    Raises:
        DataFileError: the file cannot be read, a JSONL line has no prompt, or it is empty.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError.from_catalog(
            "core.arena.cannot_read_prompts", path=str(path), error=str(exc)
        ) from exc
    prompts: list[str] = []
    jsonl = path.suffix in (".jsonl", ".json")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        prompts.append(_jsonl_prompt(line, path, number) if jsonl else line.strip())
    if not prompts:
        raise DataFileError.from_catalog(
            "core.arena.no_prompts", hint_key="core.arena.one_prompt_a_line", path=str(path)
        )
    return list(dict.fromkeys(prompts))  # a prompt asked twice would be voted twice


def _jsonl_prompt(line: str, path: Path, number: int) -> str:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DataFileError.from_catalog(
            "core.not_json", path=str(path), line=number, error=exc.msg
        ) from exc
    if isinstance(obj, dict) and isinstance(obj.get("prompt"), str):
        return str(obj["prompt"])
    messages = obj.get("messages") if isinstance(obj, dict) else None
    if isinstance(obj, dict) and isinstance(obj.get("input"), dict):
        messages = obj["input"].get("messages")  # a DPO line: its input
    users = [
        m.get("content")
        for m in messages or []
        if isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), str)
    ]
    if not users:
        raise DataFileError.from_catalog(
            "core.arena.no_prompt_in_line",
            hint_key="core.arena.prompt_line_hint",
            path=str(path),
            line=number,
        )
    return str(users[-1])


@dataclass
class VoteResult:
    """What a vote did: the pair written (if any) and who was behind A and B."""

    round: ArenaRound
    pair_written: bool
    revealed: dict[str, str] = field(default_factory=dict)


class Arena:
    """One arena session: answer prompts with both targets, record blind votes."""

    def __init__(
        self,
        session: ArenaSession,
        settings: Settings,
        backends: BackendSource | None = None,
        *,
        defaults: TargetDefaults | None = None,
        pairs: Path | None = None,
        session_file: Path | None = None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.pairs = pairs
        self.session_file = session_file or (session_path(pairs) if pairs else None)
        self.specs = [parse_target(t, defaults) for t in session.targets]
        self._backends = backends
        self._routes: list[Route] | None = None

    @classmethod
    def open(
        cls,
        targets: list[str],
        pairs: Path,
        settings: Settings,
        backends: BackendSource | None = None,
        *,
        defaults: TargetDefaults | None = None,
        seed: int = 0,
    ) -> Arena:
        """Resume the session beside ``pairs`` when it compares the same targets, else start one.

        Raises:
            UserInputError: the session beside ``pairs`` compares other targets.
        """
        system = defaults.instructions if defaults else None
        path = session_path(pairs)
        if path.is_file():
            session = ArenaSession.load(path)
            if session.targets != targets:
                raise UserInputError.from_catalog(
                    "core.arena.other_targets",
                    hint_key="core.arena.other_targets_hint",
                    path=str(path),
                    session=" vs ".join(session.targets),
                    targets=" vs ".join(targets),
                )
        else:
            session = ArenaSession(targets=targets, seed=seed, system=system, pairs=str(pairs))
        return cls(session, settings, backends, defaults=defaults, pairs=pairs)

    def routes(self, cancel: threading.Event | None = None) -> list[Route]:
        """Both routes, built and prepared once (cancellable between the two)."""
        from advisor.app.ask import prepare

        if self._routes is None:
            routes = [build_route(s, self.settings, self._backends) for s in self.specs]
            for route in routes:
                _check(cancel)
                prepare(route, cancel)
            self._routes = routes
        return self._routes

    def todo(self, prompts: list[str]) -> list[str]:
        """The prompts not voted on yet, in order."""
        return [p for p in prompts if not self.session.voted(p)]

    def answer(
        self,
        prompt: str,
        params: GenerationParams | None = None,
        cancel: threading.Event | None = None,
    ) -> ArenaRound:
        """Both targets' answers to ``prompt`` (target 0 first), as a blind round.

        An answered round still waiting for its vote is reused, so a resumed
        session shows the same answers on the same sides.
        """
        pending = self.session.pending()
        if pending is not None and pending.prompt == prompt:
            return pending
        if pending is not None:
            self.session.rounds.remove(pending)  # moved on without voting: ask again later
        answers: list[str] = []
        for route in self.routes(cancel):
            _check(cancel)
            answers.append(route.answer(prompt, params).text)
        _check(cancel)
        found = self.session.new_round(prompt, answers)
        self.save()
        return found

    def vote(self, found: ArenaRound, vote: Vote) -> VoteResult:
        """Record ``vote``; a decisive one appends its DPO pair; the session is saved after."""
        found.vote = vote
        pair = round_pair(found, self.session.system)
        if pair is not None and self.pairs is not None:
            append_pair(self.pairs, pair)
        self.save()
        return VoteResult(found, pair is not None, self.reveal(found))

    def reveal(self, found: ArenaRound) -> dict[str, str]:
        """Blind label -> target string."""
        targets = self.session.targets
        return {label: targets[found.shown(label)] for label in ("A", "B")}

    def save(self) -> None:
        if self.session_file is not None:
            self.session.save(self.session_file)


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise CancelledError.from_catalog("core.arena.cancelled")


def chat_arena_target(value: str, choices: ChatChoices) -> str:
    """A chat target (the wizard's list) as an arena target string."""
    from advisor.app.chat import KB_PREFIX, TARGET_ASSISTANT, TARGET_FINE_TUNED, TARGET_RAG

    if value == TARGET_RAG:
        return f"rag:{choices.knowledge_base}" if choices.knowledge_base else "rag"
    if value.startswith(KB_PREFIX):
        return value
    if value == TARGET_ASSISTANT and choices.assistant:
        return f"custom_assistant:{choices.assistant}"
    if value == TARGET_FINE_TUNED and choices.fine_tuned_model:
        return f"model:{choices.fine_tuned_model}"
    return "system_prompt"


def default_pairs(settings: Settings, targets: list[str]) -> Path:
    """Where the wizard keeps the pairs of two targets: one file (and session) per pair."""
    slug = "--".join(re.sub(r"[^A-Za-z0-9_.-]+", "_", t).strip("_") or "target" for t in targets)
    return settings.data_dir / "arena" / f"{slug}.jsonl"
