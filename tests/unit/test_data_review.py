"""The review queue's core: line index and paging, the undoable log, the atomic save."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from advisor.app.review import accept_all_clean, parse_lines
from advisor.data.review import ReviewQueue, save
from advisor.data.review.index import LineIndex
from advisor.data.review.log import log_path, rejects_path
from advisor.data.validate import validate_file
from advisor.errors import DataFileError, UserInputError
from tests.conftest import FIXTURES

REVIEW = FIXTURES / "review"
SYSTEM = {"role": "system", "content": "Answer briefly."}


def example(i: int, **extra: object) -> dict[str, object]:
    return {
        "messages": [
            SYSTEM,
            {"role": "user", "content": f"Question number {i}?"},
            {"role": "assistant", "content": f"Answer number {i}."},
        ],
        **extra,
    }


def write(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def drafts(tmp_path: Path) -> tuple[Path, Path]:
    for name in ("drafts100.jsonl", "train20.jsonl"):
        shutil.copy(REVIEW / name, tmp_path / name)
    return tmp_path / "drafts100.jsonl", tmp_path / "train20.jsonl"


def test_index_reads_any_line_with_or_without_a_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(b'{"a": 1}\r\n\n{"b": 2}\n{"c": 3}')
    index = LineIndex(path)
    assert len(index) == 4
    assert index.read(1) == b'{"a": 1}' and index.read(2) == b""
    assert index.read_range(3, 4) == [b'{"b": 2}', b'{"c": 3}']


def test_index_crosses_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("advisor.data.review.index.CHUNK", 7)
    path = write(tmp_path / "f.jsonl", [{"n": i} for i in range(50)])
    index = LineIndex(path)
    assert len(index) == 50
    assert [json.loads(index.read(n))["n"] for n in (1, 17, 50)] == [0, 16, 49]


def test_a_page_parses_only_its_own_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "big.jsonl", [example(i) for i in range(10_000)])
    queue = ReviewQueue(path, page_size=25, clean=False)
    assert len(queue) == 10_000 and queue.pages == 400
    page = queue.page(200)
    assert [r.line for r in page.rows] == list(range(4976, 5001))
    assert page.rows[0].example is not None
    assert "Question number 4975?" in json.dumps(page.rows[0].example)
    # the first lines (method detection) and this page: never the whole file
    assert queue.parsed <= 2 * 25


def test_findings_are_inline_validation_and_cleaning(tmp_path: Path) -> None:
    bad = {"messages": [{"role": "user", "content": "hi"}]}
    dirty = example(2)
    dirty["messages"][2]["content"] = "Write to me at someone@example.com please."  # type: ignore[index]
    path = write(tmp_path / "f.jsonl", [example(1), bad, dirty, "{not json"])
    rows = ReviewQueue(path).page(1).rows
    assert rows[0].findings == []
    assert [f.code for f in rows[1].findings] == ["no_assistant_message"]
    assert rows[1].findings[0].level == "error"
    assert any(f.level == "clean" and f.code == "pii" for f in rows[2].findings)
    assert rows[3].example is None and rows[3].raw == "{not json"
    assert rows[3].findings[0].code == "invalid_json"


def test_decisions_are_logged_and_undone_one_by_one(tmp_path: Path) -> None:
    path = write(tmp_path / "f.jsonl", [example(i) for i in range(5)])
    queue = ReviewQueue(path)
    queue.accept([1, 2])
    queue.reject([3])
    queue.edit(4, example(40))
    assert queue.counts().model_dump() == {
        "lines": 5,
        "pending": 1,
        "accepted": 2,
        "edited": 1,
        "rejected": 1,
    }
    entries = [json.loads(x) for x in log_path(path).read_text().splitlines()]
    assert [(e["action"], e["line"]) for e in entries] == [
        ("accept", 1),
        ("accept", 2),
        ("reject", 3),
        ("edit", 4),
    ]
    assert all(len(e["before"]) == 16 and e["time"] for e in entries)
    assert entries[3]["after"] and entries[3]["example"] == example(40)
    # a fresh queue replays the log: the decisions survive between CLI calls
    again = ReviewQueue(path)
    assert again.row(4).status == "edited"
    assert again.undo().action == "edit"
    assert again.undo().action == "reject"
    assert again.row(4).status == "pending" and again.row(3).status == "pending"
    assert again.counts().accepted == 2
    again.undo()
    again.undo()
    with pytest.raises(UserInputError, match="nothing to undo"):
        again.undo()


def test_invalid_lines_and_edits_are_refused_with_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "f.jsonl", [example(1), "{oops"])
    queue = ReviewQueue(path)
    with pytest.raises(UserInputError, match="line 2 cannot be accepted"):
        queue.accept([1, 2])
    assert queue.counts().accepted == 0  # all or nothing
    with pytest.raises(UserInputError, match="edit of line 1 is not a valid sft example"):
        queue.edit(1, {"messages": [{"role": "user", "content": "only a question"}]})
    with pytest.raises(UserInputError, match="line 9 is not in"):
        queue.reject([9])


def test_a_changed_line_makes_the_log_refuse_to_apply(tmp_path: Path) -> None:
    path = write(tmp_path / "f.jsonl", [example(1), example(2)])
    ReviewQueue(path).accept([2])
    write(path, [example(1), example(99)])
    with pytest.raises(DataFileError, match="line 2: this line changed since it was reviewed"):
        ReviewQueue(path)


def test_save_keeps_unreviewed_lines_edits_and_rejects(tmp_path: Path) -> None:
    path = write(tmp_path / "f.jsonl", [example(i) for i in range(1, 6)])
    queue = ReviewQueue(path)
    queue.accept([1])
    queue.reject([2])
    queue.edit(3, example(30))
    result = save(queue)
    assert (result.kept, result.rejected, result.added) == (4, 1, 0)
    kept = [json.loads(x) for x in path.read_text().splitlines()]
    assert kept == [example(1), example(30), example(4), example(5)]
    assert [json.loads(x) for x in rejects_path(path).read_text().splitlines()] == [example(2)]
    # accepted lines stay accepted under their new numbers; the log starts a new chapter
    assert [queue.row(n).status for n in (1, 2, 3)] == ["accepted", "accepted", "pending"]
    with pytest.raises(UserInputError, match="nothing to undo"):
        queue.undo()


def test_save_is_atomic_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "f.jsonl", [example(i) for i in range(3)])
    before = path.read_bytes()
    queue = ReviewQueue(path)
    queue.reject([1])

    from advisor.data.review import writer

    calls: list[int] = []
    real = writer._write

    def full_on_the_second_file(handle: object, lines: object) -> None:
        calls.append(1)
        if len(calls) == 2:  # the rejects file is written, then the disk fills up
            raise OSError(28, "No space left on device")
        real(handle, lines)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "_write", full_on_the_second_file)
    with pytest.raises(UserInputError, match="previous file is unchanged"):
        save(queue)
    assert path.read_bytes() == before
    assert rejects_path(path).read_text().count("\n") == 1  # in two files, never in none
    assert not list(tmp_path.glob(".f.jsonl.*"))  # no temporary file left behind
    assert ReviewQueue(path).row(1).status == "rejected"  # the decision is not lost


def test_accepted_drafts_move_into_the_training_file_without_the_draft_key(
    drafts: tuple[Path, Path],
) -> None:
    source, train = drafts
    queue = ReviewQueue(source, into=train)
    assert queue.page(1).rows[0].draft is not None
    assert queue.page(1).rows[0].draft.origin == "paraphrase"  # type: ignore[union-attr]
    assert validate_file(source, "sft").codes()[0] == "unreviewed_draft"
    assert accept_all_clean(queue) == 100
    queue.reject([])
    result = save(queue)
    assert (result.added, result.kept) == (100, 0)
    report = validate_file(train, "sft")
    assert report.ok and report.examples == 120
    assert all("draft" not in json.loads(x) for x in train.read_text().splitlines())


def test_lines_appended_meanwhile_survive_a_save(drafts: tuple[Path, Path]) -> None:
    source, train = drafts
    queue = ReviewQueue(source, into=train)
    queue.accept([1])
    with source.open("a", encoding="utf-8") as handle:  # `data grow` still writing
        handle.write(json.dumps(example(7, draft={"origin": "distill"})) + "\n")
    result = save(queue)
    assert (result.added, result.kept) == (1, 100)


def test_into_the_file_itself_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "f.jsonl", [example(1)])
    with pytest.raises(UserInputError, match="--into is the reviewed file itself"):
        ReviewQueue(path, into=path)


def test_the_method_is_detected_from_the_first_example(tmp_path: Path) -> None:
    dpo = {
        "input": {"messages": [{"role": "user", "content": "q"}]},
        "preferred_output": [{"role": "assistant", "content": "good"}],
        "non_preferred_output": [{"role": "assistant", "content": "bad"}],
    }
    rft = {"messages": [{"role": "user", "content": "q"}], "answer": "42"}
    assert ReviewQueue(write(tmp_path / "d.jsonl", [dpo])).method == "dpo"
    assert ReviewQueue(write(tmp_path / "r.jsonl", [rft])).method == "rft"
    assert ReviewQueue(write(tmp_path / "s.jsonl", ["", example(1)])).method == "sft"


@pytest.mark.parametrize(
    ("spec", "lines"), [("3", [3]), ("1-3,7", [1, 2, 3, 7]), ("all", [1, 2, 3, 4, 5, 6, 7, 8])]
)
def test_line_lists(spec: str, lines: list[int]) -> None:
    assert parse_lines(spec, 8) == lines


@pytest.mark.parametrize("spec", ["", "x", "1-", "5-2", "1-2-3"])
def test_bad_line_lists_are_one_sentence(spec: str) -> None:
    with pytest.raises(UserInputError):
        parse_lines(spec, 8)


def test_the_log_check_reads_far_lines_in_blocks(tmp_path: Path) -> None:
    lines = [example(i) for i in range(1500)]
    path = write(tmp_path / "f.jsonl", lines)
    ReviewQueue(path).accept([3, 1001, 1200])
    assert ReviewQueue(path).counts().accepted == 3
    lines[1199] = example(-1)
    write(path, lines)
    with pytest.raises(DataFileError, match="line 1200: this line changed"):
        ReviewQueue(path)
