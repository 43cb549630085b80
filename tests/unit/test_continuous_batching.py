"""The continuous-batching scheduler over a stub engine: slots, refill order, early exit."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from advisor.settings import Settings
from backends.local.continuous import Finished, Scheduler, in_order

END = 0


class StubEngine:
    """Prompt ``[n]`` answers ``n, n-1, ..., 1, END``; records what the scheduler asks for.

    A batch is the list of rows' prompt ids; each row's next token is its last minus one.
    """

    def __init__(self) -> None:
        self.prefills: list[list[int]] = []
        self.step_sizes: list[int] = []
        self.steps = 0
        self.replaced: list[list[int]] = []  # the rows each replace call filled
        self.kept: list[list[int]] = []

    def prefill(self, prompts: Sequence[Sequence[int]]) -> tuple[list[int], list[int]]:
        self.prefills.append([p[0] for p in prompts])
        return [p[0] for p in prompts], [p[0] for p in prompts]

    def step(self, batch: list[int], tokens: Sequence[int]) -> tuple[list[int], list[int]]:
        assert len(batch) == len(tokens)
        self.steps += 1
        self.step_sizes.append(len(batch))
        return batch, [max(END, t - 1) for t in tokens]

    def keep(self, batch: list[int], rows: Sequence[int]) -> list[int]:
        self.kept.append(list(rows))
        return [batch[r] for r in rows]

    def replace(self, batch: list[int], rows: Sequence[int], fresh: list[int]) -> list[int]:
        self.replaced.append(list(rows))
        for row, prompt in zip(rows, fresh, strict=True):
            batch[row] = prompt
        return batch

    def join(self, first: list[int], second: list[int]) -> list[int]:
        return first + second


def run(
    lengths: list[int], slots: int, limits: list[int] | None = None
) -> tuple[list[Finished], StubEngine]:
    engine = StubEngine()
    scheduler = Scheduler(engine, slots, frozenset({END}))
    prompts = [[n] for n in lengths]
    return list(scheduler.run(prompts, limits or [100] * len(prompts))), engine


def test_a_short_answer_finishes_before_a_long_one_started_with_it() -> None:
    finished, _ = run([9, 1, 2], slots=3)
    assert [f.index for f in finished] == [1, 2, 0]
    assert finished[0].tokens == [1, 0] and finished[0].reason == "stop"
    assert finished[2].tokens == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]


def test_freed_slots_are_refilled_in_input_order() -> None:
    _, engine = run([5, 1, 1, 3, 2, 4], slots=2)
    # Two enter; each finished one frees a slot for the next waiting prompt, in order.
    assert engine.prefills[0] == [5, 1]
    assert [p for group in engine.prefills for p in group] == [5, 1, 1, 3, 2, 4]
    assert max(engine.step_sizes) <= 2


def test_a_waiting_prompt_takes_the_finished_rows_place() -> None:
    finished, engine = run([4, 1, 2, 3, 1], slots=2)
    assert sorted(f.index for f in finished) == [0, 1, 2, 3, 4]
    # Finished rows are refilled in place while prompts wait; rows go only after that.
    assert engine.replaced == [[1], [1], [0]]
    assert engine.kept == [[1]]
    assert engine.step_sizes == [2, 2, 2, 2, 2, 1]


def test_rows_leave_only_once_nothing_waits() -> None:
    _, engine = run([6, 1, 1, 1], slots=2)
    # Two refills of row 1, then the last short answer's row goes, the long one stays.
    assert engine.replaced == [[1], [1]]
    assert engine.kept == [[0]]
    assert engine.step_sizes == [2, 2, 2] + [1] * 3


def test_a_prompt_that_ends_on_entering_frees_its_row_again() -> None:
    finished, engine = run([5, 1, 9, 9], slots=2, limits=[100, 100, 1, 100])
    by_index = {f.index: f for f in finished}
    assert by_index[2].tokens == [9] and by_index[2].reason == "length"
    assert engine.replaced == [[1], [1]]  # prompt 2 entered and left at once; prompt 3 took over


def test_finished_rows_leave_the_batch() -> None:
    _, engine = run([1, 6], slots=2)
    # After the short one ends, only the long one is stepped.
    assert engine.step_sizes[0] == 2 and set(engine.step_sizes[1:]) == {1}


def test_each_prompt_stops_at_its_own_limit() -> None:
    finished, engine = run([9, 9], slots=2, limits=[2, 4])
    by_index = {f.index: f for f in finished}
    assert by_index[0].tokens == [9, 8] and by_index[0].reason == "length"
    assert by_index[1].tokens == [9, 8, 7, 6] and by_index[1].reason == "length"
    assert engine.steps == 3  # not 8: nobody waits for a full-length batch


def test_collected_results_are_in_input_order() -> None:
    finished, _ = run([4, 1, 3, 2], slots=2)
    assert [f.index for f in finished] != [0, 1, 2, 3]  # they arrive out of order
    ordered = in_order(finished, 4)
    assert [f.index for f in ordered] == [0, 1, 2, 3]
    assert [f.tokens[0] for f in ordered] == [4, 1, 3, 2]


def test_missing_answers_and_mismatched_limits_are_refused() -> None:
    with pytest.raises(ValueError, match=r"\[1\]"):
        in_order(iter([Finished(0, [END], "stop")]), 2)
    with pytest.raises(ValueError, match="one token limit"):
        list(Scheduler(StubEngine(), 2, frozenset({END})).run([[1]], [1, 2]))


def test_closing_the_iterator_stops_generation() -> None:
    engine = StubEngine()
    answers = Scheduler(engine, 1, frozenset({END})).run([[1], [50], [50]], [100] * 3)
    assert next(answers).index == 0
    answers.close()
    assert engine.prefills == [[1]] and engine.steps == 1


def test_an_empty_request_does_nothing() -> None:
    finished, engine = run([], slots=4)
    assert finished == [] and engine.prefills == []


def test_sampling_falls_back_to_fixed_batches_yielded_batch_by_batch(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from backends.local.backend import LocalBackend
    from backends.types import ChatMessage, ChatResult, GenerationParams

    settings.local.batch_size = 2
    backend = LocalBackend(settings)
    chunks: list[int] = []

    def chat_batch(conversations, *, model=None, params=None):  # type: ignore[no-untyped-def]
        chunks.append(len(conversations))
        return [ChatResult(text=c[0].content, model="m", backend="local") for c in conversations]

    network = SimpleNamespace(config=SimpleNamespace(sliding_window=None, layer_types=None))
    monkeypatch.setattr(backend, "load", lambda model=None: SimpleNamespace(model=network))
    monkeypatch.setattr(backend, "chat_batch", chat_batch)
    conversations = [[ChatMessage(role="user", content=str(i))] for i in range(5)]
    answers = backend.chat_batch_iter(conversations, params=GenerationParams(temperature=0.7))
    first = next(answers)
    assert first[0] == 0 and first[1].text == "0" and chunks == [2]  # one batch, not all five
    assert [(i, r.text) for i, r in answers] == [(1, "1"), (2, "2"), (3, "3"), (4, "4")]
    assert chunks == [2, 2, 1]


def test_latency_starts_when_a_prompt_takes_a_slot() -> None:
    finished, _ = run([3, 3, 3], slots=1)
    entered = [f.entered for f in in_order(finished, 3)]
    assert entered == sorted(entered) and entered[0] < entered[2]  # queued ones enter later
