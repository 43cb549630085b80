"""The arena's pure logic: blind sides, votes, the session file and DPO pairs.

Two *targets* (the ``--a`` and ``--b`` of ``advisor arena``, index 0 and 1)
answer the same prompt; a person sees them as the blind labels A and B.  Which
target is shown as A is drawn per prompt from the session's seed, in blocks of
two prompts that hold one order each, so that any run of prompts shows each
target on the left about half the time (exactly half over an even count) and a
resumed session draws the same sides again.

A decisive vote (A or B) becomes one DPO pair in OpenAI's preference format; a
tie counts in the tally only, and "both bad" is a skip: neither answer is
worth learning from.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from advisor.errors import DataFileError, JsonFileKeys, UserInputError, load_json_file

SESSION_VERSION = 1
Vote = Literal["A", "B", "tie", "skip"]
VOTES: tuple[Vote, ...] = ("A", "B", "tie", "skip")
#: What a person may type for each vote (the wizard's keys are the first letters).
VOTE_WORDS: dict[str, Vote] = {
    "a": "A",
    "b": "B",
    "t": "tie",
    "tie": "tie",
    "=": "tie",
    "s": "skip",
    "skip": "skip",
    "bad": "skip",
    "both bad": "skip",
}
SESSION_SUFFIX = ".session.json"


def parse_vote(text: str) -> Vote:
    """``a``/``b``/``t``/``s`` (or the words) -> the vote; anything else is bad input."""
    vote = VOTE_WORDS.get(text.strip().lower())
    if vote is None:
        raise UserInputError.from_catalog(
            "core.arena.not_a_vote", hint_key="core.arena.vote_hint", answer=repr(text.strip())
        )
    return vote


def swapped(seed: int, index: int) -> bool:
    """True when prompt ``index`` shows target 1 as A (seeded, balanced in pairs of prompts)."""
    block, position = divmod(index, 2)
    first = random.Random(f"arena:{seed}:{block}").random() < 0.5
    return first if position == 0 else not first


class ArenaRound(BaseModel):
    """One prompt, both answers (by target index) and the vote, once given."""

    prompt: str
    swapped: bool = Field(description="True: label A shows target 1 (--b).")
    answers: list[str] = Field(min_length=2, max_length=2, description="By target index.")
    vote: Vote | None = None

    def shown(self, label: Literal["A", "B"]) -> int:
        """The target index behind a blind label."""
        first = 1 if self.swapped else 0
        return first if label == "A" else 1 - first

    def answer(self, label: Literal["A", "B"]) -> str:
        return self.answers[self.shown(label)]

    @property
    def winner(self) -> int | None:
        """The target index that won, or None for a tie, a skip or no vote yet."""
        if self.vote in ("A", "B"):
            return self.shown(self.vote)
        return None


class ArenaSession(BaseModel):
    """``<pairs>.session.json``: enough to stop voting and resume, and to tally."""

    version: int = SESSION_VERSION
    targets: list[str] = Field(min_length=2, max_length=2, description="--a and --b.")
    seed: int = 0
    system: str | None = Field(default=None, description="The system message of the pairs.")
    pairs: str | None = Field(default=None, description="The DPO pairs file votes go to.")
    rounds: list[ArenaRound] = Field(default_factory=list)

    def pending(self) -> ArenaRound | None:
        """The first round answered but not voted on."""
        return next((r for r in self.rounds if r.vote is None), None)

    def voted(self, prompt: str) -> bool:
        return any(r.prompt == prompt and r.vote is not None for r in self.rounds)

    def new_round(self, prompt: str, answers: list[str]) -> ArenaRound:
        """Record the two answers to ``prompt`` (by target index), blind sides drawn."""
        found = ArenaRound(
            prompt=prompt, swapped=swapped(self.seed, len(self.rounds)), answers=answers
        )
        self.rounds.append(found)
        return found

    def save(self, path: Path) -> None:
        """Write the session through a temporary file, so a crash never leaves half of it."""
        from advisor.data.streams import atomic_output

        with atomic_output(path, "w") as handle:
            handle.write(json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2))
            handle.write("\n")

    @classmethod
    def load(cls, path: Path) -> ArenaSession:
        """Read a session file; a missing or damaged one is one clear error."""
        return load_json_file(cls, path, _SESSION_FILE)


_SESSION_FILE = JsonFileKeys(
    unreadable="core.arena.cannot_read_session",
    invalid="core.arena.not_a_session",
    hint="core.arena.session_hint",
)


def session_path(pairs: Path) -> Path:
    """The session file kept beside a pairs file: ``pairs.jsonl`` -> ``pairs.session.json``."""
    return pairs.with_name(pairs.stem + SESSION_SUFFIX)


def dpo_pair(prompt: str, preferred: str, rejected: str, system: str | None) -> dict[str, Any]:
    """One line of OpenAI's preference format (`advisor data validate --method dpo`)."""
    messages: list[dict[str, str]] = []
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": prompt})
    return {
        "input": {"messages": messages},
        "preferred_output": [{"role": "assistant", "content": preferred}],
        "non_preferred_output": [{"role": "assistant", "content": rejected}],
    }


def round_pair(found: ArenaRound, system: str | None) -> dict[str, Any] | None:
    """The DPO pair a round's vote gives, or None (tie, skip, or two equal answers)."""
    winner = found.winner
    if winner is None:
        return None
    preferred, rejected = found.answers[winner], found.answers[1 - winner]
    if preferred.strip() == rejected.strip():
        return None  # nothing to prefer: the validator would flag dpo_identical_outputs
    return dpo_pair(found.prompt, preferred, rejected, system)


def append_pair(path: Path, pair: dict[str, Any]) -> None:
    """Append one JSONL line in a single write, synced, so readers never see half a line."""
    line = json.dumps(pair, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size and not _ends_with_newline(path):
                line = "\n" + line
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise DataFileError.from_catalog(
            "core.arena.cannot_append",
            hint_key="core.arena.cannot_append_hint",
            path=str(path),
            error=exc.strerror,
        ) from exc


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"
