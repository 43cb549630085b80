"""Growing the training set: teacher prompts, reply parsing, the draft format, the use case."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson
import pytest
from pydantic import ValidationError

from advisor.app.grow import GrowRequest, plan_grow, run_grow
from advisor.app.grow_teacher import (
    grounded_messages,
    paraphrase_messages,
    parse_prompt,
    question_messages,
    teacher_prompts,
    variants_per_source,
)
from advisor.data.checks import check_record
from advisor.data.drafts import Draft, DraftInfo, prompt_of, user_text
from advisor.errors import UserInputError
from backends.fake import FakeBackend
from backends.types import ChatMessage, GenerationParams
from tests.conftest import FIXTURES

GROW = FIXTURES / "grow"
DOCS = FIXTURES / "rag" / "docs"


# --- teacher prompts ------------------------------------------------------------------


def test_prompts_file_has_both_languages_with_every_placeholder():
    prompts = teacher_prompts()
    for lang in (prompts.en, prompts.ja):
        assert "{prompt}" in lang.paraphrase.user and "{variation}" in lang.paraphrase.user
        assert "{passage}" in lang.question.user and "{angle}" in lang.question.user
        assert "{question}" in lang.answer.user and "{passage}" in lang.answer.user
    assert variants_per_source() >= 5


def test_paraphrase_prompt_is_in_the_language_of_the_example():
    en = paraphrase_messages("Can I return a tent?", 0)
    ja = paraphrase_messages("テントは返品できますか？", 0)
    assert [m.role for m in en] == ["system", "user"]
    assert "Can I return a tent?" in (en[1].content or "") and "Variation:" in (en[1].content or "")
    assert "テントは返品できますか？" in (ja[1].content or "") and "バリエーション" in (
        ja[1].content or ""
    )
    assert ja[0].content != en[0].content


def test_variations_differ_per_variant_and_wrap_around():
    n = len(teacher_prompts().en.variations)
    first, second = paraphrase_messages("Hi there", 0), paraphrase_messages("Hi there", 1)
    assert first[1].content != second[1].content
    assert paraphrase_messages("Hi there", n)[1].content == first[1].content


def test_question_and_grounded_answer_carry_the_passage():
    passage = "Customers may return unworn items within 45 days of delivery."
    question = question_messages(passage, 2)
    answer = grounded_messages(passage, "How long can I return items?")
    assert passage in (question[1].content or "") and passage in (answer[1].content or "")
    assert "How long can I return items?" in (answer[1].content or "")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Question: How long do refunds take?\nAnswer: five days", "How long do refunds take?"),
        ('\n\n1. "Can I return boots?"', "Can I return boots?"),
        ("質問：返品はできますか？", "返品はできますか？"),
        ("- What sizes do you stock?", "What sizes do you stock?"),
        ("fake reply: a b c", "fake reply: a b c"),  # an unknown label is kept
        ("  \n ok \n", None),  # too short to be a prompt
        ("", None),
    ],
)
def test_parse_prompt_reads_leniently(reply, expected):
    source = "テント" if "質問" in reply else "a tent"
    assert parse_prompt(reply, source) == expected


# --- the draft format -----------------------------------------------------------------


def test_draft_line_is_a_valid_sft_example_plus_the_draft_key():
    draft = Draft(
        messages=[{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}],
        draft=DraftInfo(origin="document", teacher="fake:fake-model", source="docs/a.md#0"),
    )
    record = draft.record()
    assert list(record) == ["messages", "draft"]
    assert record["draft"] == {
        "origin": "document",
        "teacher": "fake:fake-model",
        "source": "docs/a.md#0",
    }
    # A draft is refused for training until reviewed; without its draft key it is valid.
    assert [c for c, _ in check_record(record, "sft").errors] == ["unreviewed_draft"]
    reviewed = {k: v for k, v in record.items() if k != "draft"}
    found = check_record(reviewed, "sft")
    assert found.errors == [] and found.warnings == []


def test_draft_info_refuses_an_unknown_origin_or_key():
    with pytest.raises(ValidationError):
        DraftInfo(origin="magic", teacher="t", source="s")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        DraftInfo.model_validate({"origin": "distill", "teacher": "t", "source": "s", "x": 1})


def test_prompt_of_reads_every_record_shape():
    assert prompt_of({"prompt": "p"}) == "p" and prompt_of({"question": "q"}) == "q"
    messages = [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "x"},
        {"role": "user", "content": "two"},
    ]
    assert prompt_of({"messages": messages}) == "one\ntwo" == user_text(messages)
    assert prompt_of({"other": 1}) is None and prompt_of(3) is None and prompt_of("  ") is None


# --- the fake teacher -----------------------------------------------------------------


def test_fake_backend_samples_reproducibly_per_seed(settings):
    backend = FakeBackend(settings)
    text = [ChatMessage(role="user", content="one two three four five six")]

    def reply(**params: object) -> str:
        return backend.chat(text, params=GenerationParams(**params)).text  # type: ignore[arg-type]

    assert reply() == "fake reply: one two three four five six"  # greedy: the plain echo
    assert reply(temperature=0.9, seed=1) == reply(temperature=0.9, seed=1)
    assert reply(temperature=0.9, seed=1) != reply(temperature=0.9, seed=2)
    assert sorted(reply(temperature=0.9, seed=3).split()[2:]) == sorted(
        ["one", "two", "three", "four", "five", "six"]
    )


# --- the use case ---------------------------------------------------------------------


def _request(tmp_path: Path, **changes: object) -> GrowRequest:
    request = GrowRequest(
        train=GROW / "train20.jsonl", out=tmp_path / "drafts.jsonl", backend="fake"
    )
    for key, value in changes.items():
        setattr(request, key, value)
    return request


def _lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_twenty_examples_and_documents_give_120_distinct_drafts(settings, tmp_path):
    request = _request(
        tmp_path, docs=str(DOCS), test=GROW / "test.jsonl", distill=GROW / "prompts.txt", count=120
    )
    seen: list[tuple[int, int, str]] = []
    summary = run_grow(plan_grow(request, settings), progress=lambda *a: seen.append(a))
    assert summary.drafted == 120 and not summary.exhausted
    assert summary.by_origin["paraphrase"] > 0 and summary.by_origin["document"] > 0
    assert summary.by_origin["distill"] == 3  # the fourth prompt is a test prompt
    dropped = summary.dropped_as_duplicates
    assert any(d.reason == "duplicate_of_test" and d.source == "prompts line 5" for d in dropped)
    lines = _lines(request.out)
    assert len(lines) == 120
    examples = [{k: v for k, v in line.items() if k != "draft"} for line in lines]
    assert all(check_record(example, "sft").errors == [] for example in examples)
    assert {line["draft"]["teacher"] for line in lines} == {"fake:fake-model"}
    assert seen[-1] == (120, 120, "written")
    prompts = [user_text(line["messages"]) for line in lines]
    assert len(set(prompts)) == 120


def test_no_draft_is_a_near_duplicate_of_a_test_or_training_prompt(settings, tmp_path):
    from advisor.app.grow_sources import load_prompts
    from advisor.data.near_dup import NearDuplicateIndex

    request = _request(tmp_path, docs=str(DOCS), test=GROW / "test.jsonl", count=60)
    run_grow(plan_grow(request, settings))
    index = NearDuplicateIndex()
    for line, prompt in load_prompts(GROW / "test.jsonl") + load_prompts(GROW / "train20.jsonl"):
        index.add(prompt, str(line))
    assert all(index.find(user_text(d["messages"])) is None for d in _lines(request.out))


def test_drafts_that_repeat_the_training_set_are_dropped(settings, tmp_path):
    # The teacher "paraphrases" by returning the prompt unchanged: every draft is a repeat.
    FakeBackend.queue_replies(*["Can I return a tent I bought three weeks ago?", "Yes."] * 3)
    request = _request(tmp_path, count=1)
    summary = run_grow(plan_grow(request, settings))
    first = summary.dropped_as_duplicates[0]
    assert (first.reason, first.duplicate_of, first.similarity) == (
        "duplicate_of_train",
        "train line 1",
        1.0,
    )
    FakeBackend.clear_replies()


def test_paraphrases_keep_the_system_prompt_of_their_example(settings, tmp_path):
    request = _request(tmp_path, count=3)
    run_grow(plan_grow(request, settings))
    first = _lines(request.out)[0]
    assert [m["role"] for m in first["messages"]] == ["system", "user", "assistant"]
    assert first["draft"] == {
        "origin": "paraphrase",
        "teacher": "fake:fake-model",
        "source": "train line 1",
    }


def test_cancel_writes_the_drafts_so_far(settings, tmp_path):
    cancel = threading.Event()
    kept: list[int] = []

    def progress(done: int, total: int, label: str) -> None:
        kept.append(done)
        if done == 4:
            cancel.set()

    request = _request(tmp_path, count=50)
    summary = run_grow(plan_grow(request, settings), progress=progress, cancel=cancel)
    assert summary.cancelled and summary.drafted == 4 == len(_lines(request.out))


def test_a_teacher_failing_midway_keeps_the_drafts_so_far(settings, tmp_path):
    from advisor.errors import BackendConnectionError

    class Flaky(FakeBackend):
        calls = 0

        def chat(self, messages, *, model=None, params=None):  # type: ignore[no-untyped-def]
            Flaky.calls += 1
            if Flaky.calls > 6:  # three drafts of two calls each, then the server goes away
                raise BackendConnectionError("the server went away")
            return super().chat(messages, model=model, params=params)

    request = _request(tmp_path, count=10)
    plan = plan_grow(request, settings, backends=lambda name: Flaky(settings))
    with pytest.raises(BackendConnectionError):
        run_grow(plan)
    assert len(_lines(request.out)) == 3


def test_exhausted_sources_are_reported(settings, tmp_path):
    summary = run_grow(plan_grow(_request(tmp_path, count=10_000), settings))
    assert summary.exhausted and summary.drafted == 20 * variants_per_source()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"count": 0}, "--count 0"),
        ({"threshold": 1.5}, "--threshold"),
        ({"docs": "no-such-kb"}, "no such file, folder or knowledge base"),
        ({"train": GROW / "test.jsonl"}, "no chat examples"),
        ({"out": GROW / "train20.jsonl"}, "would be overwritten"),
    ],
)
def test_bad_requests_fail_before_the_teacher_is_called(settings, tmp_path, changes, words):
    with pytest.raises(UserInputError, match=words):
        plan_grow(_request(tmp_path, **changes), settings)


def test_japanese_examples_get_japanese_teacher_prompts_and_distinct_drafts(settings, tmp_path):
    train = tmp_path / "ja.jsonl"
    pairs = [
        ("テントは購入から三週間後でも返品できますか？", "未使用なら三十日以内は返品できます。"),
        ("登山靴の保証期間はどれくらいですか？", "一年間です。"),
        ("東京店の営業時間を教えてください。", "午前十時から午後八時までです。"),
    ]
    train.write_bytes(
        b"".join(
            orjson.dumps(
                {"messages": [{"role": "user", "content": u}, {"role": "assistant", "content": a}]}
            )
            + b"\n"
            for u, a in pairs
        )
    )
    systems: list[str] = []

    class Recording(FakeBackend):
        def chat(self, messages, *, model=None, params=None):  # type: ignore[no-untyped-def]
            systems.extend(m.content or "" for m in messages if m.role == "system")
            return super().chat(messages, model=model, params=params)

    request = _request(tmp_path, train=train, count=12)
    summary = run_grow(plan_grow(request, settings, backends=lambda name: Recording(settings)))
    assert summary.drafted == 12 and summary.dropped_as_duplicates == []
    assert systems and all(s == teacher_prompts().ja.paraphrase.system for s in systems)
    prompts = [user_text(d["messages"]) for d in _lines(request.out)]
    assert len(set(prompts)) == 12


def test_the_drafting_labels_read_in_japanese_and_store_english(settings, tmp_path):
    # The s11 audit: `data grow` drew "下書き中 paraphrase train line 1(1 回目)" in ja.
    from advisor.data.texts import label_in

    request = _request(tmp_path, distill=GROW / "prompts.txt", count=8)
    seen: list[str] = []
    run_grow(plan_grow(request, settings), progress=lambda done, total, label: seen.append(label))
    shown = [label_in(label, "ja") for label in seen]
    assert "蒸留 プロンプト 1 行目(1 回目)" in shown
    assert any(s.startswith("言い換え 学習データ ") for s in shown)
    assert "distill prompts line 1 (try 1)" in seen  # the English as before
    sources = {line["draft"]["source"] for line in _lines(request.out)}
    assert any(s.startswith(("train line ", "prompts line ")) for s in sources)
