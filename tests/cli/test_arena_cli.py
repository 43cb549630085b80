"""`advisor arena` and `advisor arena tally` on the fake backend, votes from a file or a pipe."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from backends.fake import FakeBackend
from tests.cli.bilingual import run

PROMPTS = ["first question", "second question", "third question", "fourth question"]


@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    path = tmp_path / "prompts.txt"
    path.write_text("\n".join(PROMPTS) + "\n", encoding="utf-8")
    for n in range(len(PROMPTS)):
        FakeBackend.queue_replies(f"plain {n}", f"tuned {n}")
    return path


def arena(prompts: Path, pairs: Path, *extra: str) -> list[str]:
    return [
        "arena", str(prompts), "--a", "system_prompt", "--b", "model:fake-tuned",
        "--backend", "fake", "--pairs", str(pairs), "-i", "Be brief.", *extra,
    ]  # fmt: skip


def test_votes_from_a_file_stop_and_resume(capsys, prompts: Path, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    votes = tmp_path / "votes.txt"
    votes.write_text("a\ns\n", encoding="utf-8")
    code, out, _ = run(capsys, *arena(prompts, pairs, "--votes", str(votes), "--format", "json"))
    assert code == 0
    report = json.loads(out)
    assert [r["vote"] for r in report["rounds"]] == ["A", "skip"]
    assert report["remaining"] == 2 and report["pairs_written"] == 1
    assert set(report["rounds"][0]["revealed"].values()) == {"system_prompt", "model:fake-tuned"}

    votes.write_text("tie\nb\n", encoding="utf-8")  # the same command again: the rest
    code, out, _ = run(capsys, *arena(prompts, pairs, "--votes", str(votes), "--reveal"))
    assert code == 0, out
    assert "A was " in out and "2 prompts left" not in out
    assert len(pairs.read_text(encoding="utf-8").splitlines()) == 2
    code, out, _ = run(capsys, "arena", "tally", str(pairs), "--format", "json")
    result = json.loads(out)
    assert (result["votes"], result["skipped"], result["pending"]) == (4, 1, 0)
    assert sum(s["wins"] for s in result["scores"]) == 2
    code, out, _ = run(capsys, "arena", "tally", str(pairs))
    assert code == 0 and "4 votes (1 both bad" in out and "95% interval" in out


def test_votes_from_a_pipe(capsys, prompts: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a\nb\na\nb\n"))
    pairs = tmp_path / "piped.jsonl"
    code, out, _ = run(capsys, *arena(prompts, pairs))
    assert code == 0
    assert "4 pairs appended" in out
    line = json.loads(pairs.read_text(encoding="utf-8").splitlines()[0])
    assert line["input"]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "first question"},
    ]
    code, out, _ = run(capsys, "data", "validate", str(pairs), "--method", "dpo")
    assert code == 1  # four pairs are too few to train on: the validator says so
    assert "too_few_examples" in out or "at least 10" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["arena", "p.txt", "--a", "rag"], "needs --a TARGET, --b TARGET and --pairs"),
        (
            ["arena", "p.txt", "--a", "sft", "--b", "rag", "--pairs", "x.jsonl"],
            "unknown target part 'sft'",
        ),
        (["arena", "tally"], "needs a FILE"),
        (["arena", "tally", "nothing.jsonl"], "no arena session beside it"),
    ],
)
def test_bad_input_is_one_sentence_exit_2(capsys, args: list[str], message: str) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_a_bad_vote_in_a_file_names_the_choices(capsys, prompts: Path, tmp_path: Path) -> None:
    votes = tmp_path / "votes.txt"
    votes.write_text("maybe\n", encoding="utf-8")
    code, _, err = run(capsys, *arena(prompts, tmp_path / "p.jsonl", "--votes", str(votes)))
    assert code == 2 and "answer a, b, t (tie) or s" in err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_in_a_terminal_a_bad_vote_is_asked_again_and_q_stops(
    capsys, prompts: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("maybe\na\nq\n"))
    code, out, err = run(capsys, *arena(prompts, tmp_path / "t.jsonl"))
    assert code == 0
    assert "'maybe' is not a vote" in err and "vote a / b / t" in err
    assert "1 pair appended" in out and "3 prompts left" in out
