"""The fine-tuning job log in the switch's language (issue 14 item 4).

`advisor --lang ja jobs events` on the fake backend's simulated jobs: the events are
stored in English (JSON unchanged) and shown in Japanese; English is as before.
"""

from __future__ import annotations

import json

from tests.cli.test_tune_cli import create, fresh_fake_jobs, invoke

__all__ = ["fresh_fake_jobs"]  # the autouse fixture, used by name


def test_job_events_in_japanese_and_english() -> None:
    job = json.loads(create().stdout)
    english = invoke("jobs", "events", job["id"]).stdout
    japanese = invoke("--lang", "ja", "jobs", "events", job["id"]).stdout
    assert f"Created fine-tuning job: {job['id']}" in english
    assert "The job has successfully completed" in english
    assert f"ファインチューニングジョブを作成しました: {job['id']}" in japanese
    assert "ファインチューニングジョブを開始しました（模擬）" in japanese
    assert (
        f"新しいファインチューニング済みモデルを作成しました: {job['fine_tuned_model']}" in japanese
    )
    assert "ジョブが正常に完了しました" in japanese
    assert "ステップ 12/12: loss=" in japanese
    for word in ("Created", "started", "Step ", "completed", "model created"):
        assert word not in japanese, japanese
    assert len(english.splitlines()) == len(japanese.splitlines())
    as_json = [
        invoke(*lang, "jobs", "events", job["id"], "--format", "json").stdout
        for lang in ((), ("--lang", "ja"))
    ]
    drop = ("id", "created_at")
    en_events, ja_events = (
        [{k: v for k, v in e.items() if k not in drop} for e in json.loads(text)]
        for text in as_json
    )
    assert en_events == ja_events


def test_a_failed_job_says_so_in_japanese_with_the_error_as_raised() -> None:
    from backends.fake_jobs import FakeFineTuning

    FakeFineTuning.fail_next("out of memory (simulated)")
    result = create("--wait")
    job_id = json.loads(result.stdout)["id"]
    japanese = invoke("--lang", "ja", "jobs", "events", job_id).stdout
    assert "エラー 学習に失敗しました: out of memory (simulated)" in japanese, japanese
    english = invoke("jobs", "events", job_id).stdout
    assert "ERROR Training failed: out of memory (simulated)" in english, english


def test_the_json_keeps_the_english_and_adds_each_events_sentence() -> None:
    job = json.loads(create().stdout)
    events = json.loads(invoke("jobs", "events", job["id"], "--format", "json").stdout)
    first = events[0]
    assert first["message"] == f"Created fine-tuning job: {job['id']}"
    assert first["sentence"] == {
        "key": "core.job_event.created",
        "values": {"id": job["id"]},
        "hint": None,
    }
    assert {"id", "created_at", "level", "message", "type", "data", "message_ja"} <= set(first)
    assert all(e["sentence"]["key"].startswith("core.job_event.") for e in events)
