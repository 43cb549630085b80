"""The job log in Japanese: every event the local and fake backends write stores its
catalog sentence, and events stored before (English only) are still found by template.

The events are read from the code (each ``emit``/``_event``/``_finish`` call and each
``said_event`` key), so a new event written without its sentence, or with a key the
fallback does not know, fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import backends.jobs
from advisor import messages
from advisor.app.job_events import EVENTS, event_text, level_text
from advisor.messages import Message, catalog, placeholders
from backends.jobs import RESUME_IGNORED, JobEvent, said_event
from tests.conftest import REPO
from tests.unit.stored_jobs import running_job

SOURCES = (
    "backends/local/service.py",
    "backends/local/trainer.py",
    "backends/local/train_callback.py",
    "backends/local/worker.py",
    "backends/fake_jobs.py",
)
# Sentences passed on in a variable: their keys are scanned where they are made.
PASSED_ON = {"message", "said"}
WRITERS = {"emit": 2, "_event": 1, "_finish": 4}  # the message's position in each call


def _keys(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):  # said_event("resumed" if resume else "started")
        return _keys(node.body) + _keys(node.orelse)
    raise AssertionError(ast.dump(node))


def written_events() -> tuple[set[str], list[str]]:
    """The ``core.job_event.*`` keys the backends write, and the messages written without
    a sentence (a plain string where an event is emitted)."""
    keys: set[str] = set()
    plain: list[str] = []
    for source in SOURCES:
        tree = ast.parse((REPO / source).read_text("utf-8"))
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", getattr(call.func, "attr", ""))
            if name == "said_event":
                keys.update(f"core.job_event.{key}" for key in _keys(call.args[0]))
            elif name in WRITERS and len(call.args) > WRITERS[name]:
                message = call.args[WRITERS[name]]
                if isinstance(message, ast.Name) and message.id in PASSED_ON:
                    continue
                if any(keyword.arg == "sentence" for keyword in call.keywords):
                    continue  # English of its own (an error's), its sentence given beside it
                called = isinstance(message, ast.Call) and getattr(message.func, "id", "")
                if called != "said_event":
                    plain.append(f"{source}: {ast.unparse(message)}")
    return keys, plain


def _text(message: str, lang: str) -> str:
    return event_text(JobEvent(id="ftevent-1", message=message), lang)


def test_every_event_the_backends_write_carries_its_sentence() -> None:
    keys, plain = written_events()
    assert len(keys) > 25  # the scan found the calls
    assert plain == []
    # Every key stays among the fallback's templates: job stores written before sentences
    # were stored hold only the English of these.
    assert sorted(keys - set(EVENTS)) == []


@pytest.mark.parametrize("key", EVENTS)
def test_an_event_stored_in_english_only_is_still_recognised(key: str) -> None:
    english = catalog()[key].en
    names = placeholders(english)
    values = {name: "train.jsonl" if name == "file" else "7" for name in names}
    old = english.format(**values)  # as an older release stored it: no sentence
    japanese = catalog()[key].ja.format(**values)
    assert _text(old, "ja") == japanese
    assert _text(old, "en") == old


def test_an_event_written_now_reads_in_japanese_after_its_english_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from backends.local.train_callback import emit

    store, job = running_job("ftjob-ev2")
    emit(store, job.id, said_event("paused_resume", step=12))
    written = store.events(job.id)[-1]
    assert written.message == "Paused at step 12; resume with advisor jobs resume"
    assert written.sentence is not None and written.sentence.key == "core.job_event.paused_resume"
    assert written.sentence.values == {"step": 12}
    # A later release rewords the English: the stored English no longer fills the template,
    # the stored sentence still says it.
    key = "core.job_event.paused_resume"
    reworded = Message(en="Paused after step {step}", ja=catalog()[key].ja)
    monkeypatch.setitem(messages.catalog(), key, reworded)
    expected = "ステップ 12 で一時停止しました。advisor jobs resume で再開できます"
    assert event_text(written, "ja") == expected
    assert event_text(written, "en") == written.message  # the English as stored
    # Reverse parsing alone misreads it now (a shorter template half-fills it).
    older = JobEvent(id="ftevent-old", message=written.message)
    assert event_text(older, "ja") != expected


def test_a_sentence_this_release_cannot_say_falls_back_to_the_template() -> None:
    stored = messages.StoredSentence(key="core.job_event.renamed_later", values={"step": 3})
    event = JobEvent(id="ftevent-1", message="Cancelled at step 3", sentence=stored)
    assert event_text(event, "ja") == "ステップ 3 でキャンセルしました"


def test_a_sentence_this_release_cannot_say_reads_the_japanese_stored_beside_it() -> None:
    # The stored Japanese wins over the template's reading, as for an event with no sentence.
    stored = messages.StoredSentence(key="core.job_event.renamed_later", values={"step": 3})
    event = JobEvent(
        id="ftevent-1", message="Cancelled at step 3", message_ja="旧の訳", sentence=stored
    )
    assert event_text(event, "ja") == "旧の訳"
    assert event_text(event, "en") == "Cancelled at step 3"


def test_the_template_search_runs_only_for_an_event_its_stored_texts_cannot_say(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    searched: list[str] = []
    real = messages.recognised

    def counted(sentence: str, keys: tuple[str, ...], lang: str) -> str:
        searched.append(sentence)
        return real(sentence, keys, lang)

    monkeypatch.setattr(messages, "recognised", counted)
    event_text(JobEvent.said("ftevent-1", said_event("paused_resume", step=12)), "ja")
    event_text(JobEvent(id="ftevent-2", message="Cancelled at step 3", message_ja="旧の訳"), "ja")
    assert searched == []
    assert event_text(JobEvent(id="ftevent-3", message="Cancelled at step 3"), "ja") == (
        "ステップ 3 でキャンセルしました"
    )
    assert searched == ["Cancelled at step 3"]


def test_the_resume_ignored_sentence_is_the_english_the_app_looks_for() -> None:
    # advisor/app/jobs.py tells an ignored resume by this English (backends.jobs.RESUME_IGNORED)
    assert str(said_event("resume_ignored")) == RESUME_IGNORED


def test_templates_are_ordered_most_specific_first() -> None:
    said = "Paused at step 12; resume with advisor jobs resume"
    assert _text(said, "ja") == "ステップ 12 で一時停止しました。advisor jobs resume で再開できます"
    failed = "Training failed: train.jsonl, line 3: bad role"
    assert _text(failed, "ja") == "学習に失敗しました: train.jsonl, line 3: bad role"
    assert _text("a provider's own words", "ja") == "a provider's own words"


def test_a_failure_quoting_a_sentence_of_ours_reads_whole_in_japanese() -> None:
    from backends.local import worker

    store, job = running_job("ftjob-ev1")
    worker._fail(store, job.id, KeyboardInterrupt())
    failed = store.events(job.id)[-1]
    assert failed.message == "Training failed: the training process was interrupted"
    assert event_text(failed, "en") == failed.message
    assert event_text(failed, "ja") == "学習に失敗しました: 学習プロセスが中断されました"


def test_event_templates_have_both_languages() -> None:
    for key in EVENTS:
        message = catalog()[key]
        assert placeholders(message.en) == placeholders(message.ja), key
    assert level_text("error", "ja") == "エラー" and level_text("error", "en") == "ERROR"
    assert level_text("debug", "ja") == "DEBUG"
    assert Path(backends.jobs.__file__).is_file()


def test_the_trainers_events_keep_their_english_and_carry_their_sentence(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from backends.local.train_callback import Controls, StoreCallback

    store, job = running_job("ftjob-ev3")
    never = Controls(should_cancel=lambda: False, should_pause=lambda: False)
    tracker = StoreCallback(store, job, never, is_main=True)
    state = SimpleNamespace(global_step=4, max_steps=10, epoch=0.5, num_input_tokens_seen=0)
    tracker.on_log(state, {"loss": 1.23456, "learning_rate": 0.0001})
    tracker.on_save(SimpleNamespace(output_dir=str(tmp_path)), state)
    step, saved = store.events(job.id)[-2:]
    assert step.message == "Step 4/10: epoch=0.5, loss=1.235, learning_rate=0.0001"
    assert saved.message == "Checkpoint saved at step 4"
    assert event_text(step, "ja") == "ステップ 4/10: epoch=0.5, loss=1.235, learning_rate=0.0001"
    assert event_text(saved, "ja") == "ステップ 4 でチェックポイントを保存しました"
    assert step.sentence is not None and saved.sentence is not None
    assert step.model_dump(mode="json")["data"]["loss"] == 1.23456
