"""The arena's logic: blind sides, votes, pairs, tally with its interval, targets, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.app.arena import Arena, TargetDefaults, parse_target, read_prompts
from advisor.app.arena_tally import tally, tally_file
from advisor.app.arena_votes import (
    ArenaRound,
    ArenaSession,
    append_pair,
    parse_vote,
    round_pair,
    session_path,
    swapped,
)
from advisor.data.validate import validate_file
from advisor.errors import DataFileError, UserInputError
from backends.fake import FakeBackend


def test_sides_are_seeded_and_balanced() -> None:
    for seed in range(20):
        sides = [swapped(seed, i) for i in range(40)]
        assert sides == [swapped(seed, i) for i in range(40)]  # the same again: resumable
        assert sides.count(True) == 20  # every pair of prompts holds one of each order
        assert all(sides[i] != sides[i + 1] for i in range(0, 40, 2))
    firsts = {tuple(swapped(seed, i) for i in range(0, 20, 2)) for seed in range(20)}
    assert len(firsts) > 1  # the seed changes the draw


def test_a_round_maps_blind_labels_to_targets() -> None:
    plain = ArenaRound(prompt="p", swapped=False, answers=["zero", "one"], vote="B")
    flipped = ArenaRound(prompt="p", swapped=True, answers=["zero", "one"], vote="B")
    assert (plain.answer("A"), plain.winner) == ("zero", 1)
    assert (flipped.answer("A"), flipped.winner) == ("one", 0)


def test_votes_parse_and_bad_ones_name_the_choices() -> None:
    assert [parse_vote(v) for v in ("a", "B", "t", "tie", "s", "both bad")] == [
        "A", "B", "tie", "tie", "skip", "skip",
    ]  # fmt: skip
    with pytest.raises(UserInputError, match="answer a, b, t"):
        parse_vote("maybe")


def test_pairs_only_from_decisive_votes_with_different_answers(tmp_path: Path) -> None:
    won = ArenaRound(prompt="q", swapped=True, answers=["zero", "one"], vote="A")
    pair = round_pair(won, "Be brief.")
    assert pair == {
        "input": {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "q"},
            ]
        },
        "preferred_output": [{"role": "assistant", "content": "one"}],
        "non_preferred_output": [{"role": "assistant", "content": "zero"}],
    }
    assert round_pair(won.model_copy(update={"vote": "tie"}), None) is None
    assert round_pair(won.model_copy(update={"vote": "skip"}), None) is None
    assert round_pair(won.model_copy(update={"answers": ["same", "same "]}), None) is None


def test_appended_pairs_are_a_valid_dpo_file(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    for n in range(10):
        won = ArenaRound(prompt=f"q{n}", swapped=False, answers=[f"a{n}", f"b{n}"], vote="A")
        pair = round_pair(won, "sys")
        assert pair is not None
        append_pair(path, pair)
    report = validate_file(path, "dpo")
    assert report.ok, report.errors
    assert report.examples == 10


def test_append_starts_a_new_line_after_a_file_without_one(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    first = {"input": {"messages": [{"role": "user", "content": "x"}]}}
    path.write_text(json.dumps(first), encoding="utf-8")  # no trailing newline
    append_pair(path, first)
    assert [json.loads(line) for line in path.read_text().splitlines()] == [first, first]


def session_with(votes: list[str | None]) -> ArenaSession:
    session = ArenaSession(targets=["base", "tuned"])
    for n, vote in enumerate(votes):
        found = session.new_round(f"q{n}", ["x", "y"])
        found.vote = vote  # type: ignore[assignment]
    return session


def test_tally_counts_and_interval() -> None:
    # Votes by blind label: which target wins depends on the drawn side.
    session = session_with(["A", "B", "A", "B", "tie", "skip", None])
    result = tally(session)
    wins = [sum(1 for r in session.rounds if r.winner == i) for i in (0, 1)]
    assert [s.wins for s in result.scores] == wins
    assert [s.losses for s in result.scores] == wins[::-1]
    assert (result.votes, result.skipped, result.pending) == (6, 1, 1)
    assert result.scores[0].ties == result.scores[1].ties == 1
    assert result.share_a == pytest.approx((wins[0] + 0.5) / 5, abs=1e-4)
    low, high = result.interval
    assert low < 0.5 < high and result.better is None


def test_a_clear_winner_is_named_and_an_empty_tally_is_uninformative() -> None:
    session = ArenaSession(targets=["base", "tuned"])
    for n in range(12):
        found = session.new_round(f"q{n}", ["x", "y"])
        found.vote = "B" if not found.swapped else "A"  # always target 1
    result = tally(session)
    assert result.better == "tuned" and result.interval[1] < 0.5
    assert result.p_value < 0.001
    empty = tally(ArenaSession(targets=["base", "tuned"]))
    assert (empty.share_a, empty.interval, empty.better) == (None, (0.0, 1.0), None)
    assert "no decisive or tied votes yet" in empty.lines()


def test_tally_file_reads_the_session_beside_a_pairs_file(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    session_with(["A", "A"]).save(session_path(pairs))
    assert tally_file(pairs).votes == 2
    assert tally_file(session_path(pairs)).votes == 2
    with pytest.raises(UserInputError, match="no arena session beside it"):
        tally_file(tmp_path / "other.jsonl")
    broken = tmp_path / "broken.session.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(DataFileError, match="not valid JSON"):
        tally_file(broken)


def test_targets_use_the_route_and_model_vocabulary() -> None:
    defaults = TargetDefaults(backend="fake", model="m", instructions="sys", kb="docs")
    assert parse_target("system_prompt", defaults).route == "system_prompt"
    rag = parse_target("rag", defaults)
    assert (rag.route, rag.kb, rag.instructions) == ("rag", "docs", "sys")
    assert parse_target("rag:manuals", defaults).kb == "manuals"
    tuned = parse_target("model:local:ft:SmolLM2-135M:sft:ftjob-1a2b+rag:kb2", defaults)
    assert (tuned.model, tuned.backend, tuned.route, tuned.kb) == (
        "local:ft:SmolLM2-135M:sft:ftjob-1a2b", None, "rag", "kb2",
    )  # fmt: skip
    other = parse_target("model:gpt-4.1-mini+backend:openai", defaults)
    assert (other.model, other.backend) == ("gpt-4.1-mini", "openai")
    assert parse_target("custom_assistant:helper").assistant == "helper"
    for bad in ("", "sft", "rag+custom_assistant:x", "system_prompt+", "model:local:ft:x"):
        with pytest.raises(UserInputError):
            parse_target(bad, defaults)


def test_prompts_from_text_and_jsonl(tmp_path: Path) -> None:
    text = tmp_path / "p.txt"
    text.write_text("one\n\ntwo\none\n", encoding="utf-8")
    assert read_prompts(text) == ["one", "two"]
    lines = tmp_path / "p.jsonl"
    lines.write_text(
        '{"prompt": "a"}\n'
        '{"messages": [{"role": "user", "content": "b"}, {"role": "assistant", "content": "x"}]}\n'
        '{"input": {"messages": [{"role": "user", "content": "c"}]}}\n',
        encoding="utf-8",
    )
    assert read_prompts(lines) == ["a", "b", "c"]
    lines.write_text('{"prompt": "a"}\n{"other": 1}\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="line 2"):
        read_prompts(lines)


def test_a_session_resumes_where_voting_stopped(settings, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    prompts = ["p0", "p1", "p2"]
    FakeBackend.queue_replies("base 0", "tuned 0", "base 1", "tuned 1")
    fake = TargetDefaults(backend="fake")
    first = Arena.open(["system_prompt", "model:tuned"], pairs, settings, defaults=fake)
    found = first.answer(prompts[0])
    first.vote(found, "A")
    waiting = first.answer(prompts[1])  # answered, then the person stopped
    again = Arena.open(["system_prompt", "model:tuned"], pairs, settings, defaults=fake)
    assert again.todo(prompts) == ["p1", "p2"]
    resumed = again.answer("p1")
    assert (resumed.answers, resumed.swapped) == (waiting.answers, waiting.swapped)
    assert len(pairs.read_text().splitlines()) == 1
    with pytest.raises(UserInputError, match="compares system_prompt vs model:tuned"):
        Arena.open(["system_prompt", "rag"], pairs, settings, defaults=fake)
