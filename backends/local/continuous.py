"""Continuous batching: finished sequences leave the batch, waiting prompts take their slots.

Fixed batches run as long as their longest answer and deliver nothing until
then.  Here a sequence leaves as soon as it emits an end token or reaches its
own token limit, and the next waiting prompt is prefilled into the free slot,
so a short answer never waits for a long one and each answer is yielded the
moment it is complete.  A waiting prompt takes a finished row's place in the
batch (``replace``), so the rows that go on are not copied; rows are dropped
(``keep``) only once nothing waits.

The scheduling is pure Python over a :class:`DecodeEngine` (the model side:
prefill, one decode step, keep rows, join batches), so it is tested with a stub
engine; :mod:`backends.local.kv_batch` is the transformers implementation.
Greedy only: the engine picks the argmax token, which is what makes the output
identical to ``generate`` whatever the batch composition.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

BatchT = TypeVar("BatchT")


class DecodeEngine(Protocol[BatchT]):
    """The model operations the scheduler needs; rows are in the order given."""

    def prefill(self, prompts: Sequence[Sequence[int]]) -> tuple[BatchT, list[int]]:
        """Run the prompts; return their batch state and each one's first new token."""
        ...

    def step(self, batch: BatchT, tokens: Sequence[int]) -> tuple[BatchT, list[int]]:
        """Feed each row its last token; return the state and each row's next token."""
        ...

    def keep(self, batch: BatchT, rows: Sequence[int]) -> BatchT:
        """Only the given rows (in that order) of ``batch``."""
        ...

    def replace(self, batch: BatchT, rows: Sequence[int], fresh: BatchT) -> BatchT:
        """``batch`` with ``fresh``'s rows (in order) in place of the given rows."""
        ...

    def join(self, first: BatchT, second: BatchT) -> BatchT:
        """``first``'s rows followed by ``second``'s."""
        ...


@dataclass
class Finished:
    """One complete answer: its prompt's index, its new tokens, and why it stopped."""

    index: int
    tokens: list[int]
    reason: str  # "stop" (an end token) or "length" (its own token limit)
    entered: float = 0.0  # time.perf_counter() when it took a slot (its latency starts there)


@dataclass
class _Running:
    index: int
    limit: int
    entered: float
    tokens: list[int] = field(default_factory=list)


@dataclass
class Scheduler(Generic[BatchT]):
    """Drive a :class:`DecodeEngine` over many prompts with at most ``slots`` at once."""

    engine: DecodeEngine[BatchT]
    slots: int
    end_tokens: frozenset[int]

    def run(
        self, prompts: Sequence[Sequence[int]], limits: Sequence[int]
    ) -> Generator[Finished, None, None]:
        """Yield each prompt's answer as it finishes (not in input order).

        Prompts enter in input order as slots free up.  ``limits`` is each
        prompt's maximum number of new tokens (>= 1).  Closing the iterator
        stops generation after the current step.
        """
        if len(limits) != len(prompts):
            raise ValueError("one token limit per prompt")
        waiting = deque(range(len(prompts)))
        running: list[_Running] = []
        batch: BatchT | None = None
        while waiting or running:
            free = max(1, self.slots) - len(running)
            if free > 0 and waiting:
                entering = [waiting.popleft() for _ in range(min(free, len(waiting)))]
                fresh, first = self.engine.prefill([prompts[i] for i in entering])
                batch = fresh if batch is None else self.engine.join(batch, fresh)
                running += _entering(entering, first, limits)
            else:
                assert batch is not None
                batch, following = self.engine.step(batch, [r.tokens[-1] for r in running])
                for item, token in zip(running, following, strict=True):
                    item.tokens.append(token)
            # A prompt that enters may finish at once (its first token ends it), hence the loop.
            while ended := self._ended(running):
                assert batch is not None  # rows are running
                for row, reason in ended:
                    item = running[row]
                    yield Finished(item.index, item.tokens, reason, item.entered)
                done = [row for row, _ in ended]
                entering = [waiting.popleft() for _ in range(min(len(done), len(waiting)))]
                if entering:
                    fresh, first = self.engine.prefill([prompts[i] for i in entering])
                    batch = self.engine.replace(batch, done[: len(entering)], fresh)
                    for row, item in zip(done, _entering(entering, first, limits), strict=False):
                        running[row] = item
                leaving = set(done[len(entering) :])
                if leaving:
                    staying = [row for row in range(len(running)) if row not in leaving]
                    running = [running[row] for row in staying]
                    batch = self.engine.keep(batch, staying) if running else None

    def _ended(self, running: list[_Running]) -> list[tuple[int, str]]:
        """(row, reason) of each running row that has finished."""
        reasons = [(row, self._finished(item)) for row, item in enumerate(running)]
        return [(row, reason) for row, reason in reasons if reason is not None]

    def _finished(self, item: _Running) -> str | None:
        if item.tokens[-1] in self.end_tokens:
            return "stop"
        if len(item.tokens) >= item.limit:
            return "length"
        return None


def _entering(
    indexes: Sequence[int], first: Sequence[int], limits: Sequence[int]
) -> list[_Running]:
    entered = time.perf_counter()
    return [
        _Running(index, max(1, limits[index]), entered, [token])
        for index, token in zip(indexes, first, strict=True)
    ]


def in_order(finished: Iterable[Finished], count: int) -> list[Finished]:
    """Collect ``count`` answers back into input order."""
    slots: list[Finished | None] = [None] * count
    for item in finished:
        slots[item.index] = item
    missing = [i for i, item in enumerate(slots) if item is None]
    if missing:
        raise ValueError(f"no answer for prompts {missing}")
    return [item for item in slots if item is not None]
