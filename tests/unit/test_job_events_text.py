"""Every event the local and fake backends write to the job log has a Japanese template.

The messages are read from the code (each ``emit``/``_event`` call's message, with
sample values for its fields), so a new event without a template fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import backends.jobs
from advisor.app.job_events import EVENTS, event_text, level_text
from advisor.messages import catalog, placeholders
from backends.jobs import JobEvent
from tests.conftest import REPO
from tests.unit.stored_jobs import running_job

SOURCES = (
    "backends/local/service.py",
    "backends/local/trainer.py",
    "backends/local/worker.py",
    "backends/fake_jobs.py",
)
# Messages passed on in a variable: their texts are scanned where they are written.
PASSED_ON = {"message"}


def sample(node: ast.expr) -> str | None:
    """The message a call writes, with "7" for each value (", line 7" for a place in a file)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                where = isinstance(value.value, ast.Name) and value.value.id == "where"
                parts.append(", line 7" if where else "7")
            else:
                parts.append(sample(value) or "")
        return "".join(parts)
    if isinstance(node, ast.BinOp):
        left, right = sample(node.left), sample(node.right)
        return None if left is None else left + (right or "")
    if isinstance(node, ast.IfExp):
        return sample(node.body)
    if isinstance(node, ast.Name):
        value = getattr(backends.jobs, node.id, None)
        return value if isinstance(value, str) else None
    if isinstance(node, ast.Call):
        return "x"
    return None


def written_messages() -> list[str]:
    found: list[str] = []
    for source in SOURCES:
        tree = ast.parse((REPO / source).read_text("utf-8"))
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", getattr(call.func, "attr", ""))
            if name == "emit" and len(call.args) >= 3:
                message = call.args[2]
            elif name == "_event" and len(call.args) >= 2:
                message = call.args[1]
            elif name == "_finish" and len(call.args) >= 5:
                message = call.args[4]
            else:
                continue
            text = sample(message)
            if text is None:
                assert isinstance(message, ast.Name) and message.id in PASSED_ON, ast.dump(message)
                continue
            found.append(text)
    return found


def _text(message: str, lang: str) -> str:
    return event_text(JobEvent(id="ftevent-1", message=message), lang)


def test_every_event_the_backends_write_reads_in_japanese() -> None:
    messages = written_messages()
    assert len(messages) > 25  # the scan found the calls
    untranslated = [m for m in messages if _text(m, "ja") == m]
    assert not untranslated
    assert all(_text(m, "en") == m for m in messages)
    # The message the trainer builds in a variable before emitting it:
    assert _text("Training: 40 steps from step 0", "ja") == "学習: ステップ 0 から 40 ステップ"


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
