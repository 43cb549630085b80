"""The local backend's errors come from the catalog: the English is the sentence the
product always printed, and the same error reads in Japanese; an error raised in the
warm model server reaches the client still able to say it in Japanese."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from advisor.errors import (
    AdvisorError,
    BackendError,
    BackendUnavailableError,
    DataFileError,
    JobError,
    ModelNotFoundError,
    UserInputError,
)
from advisor.settings import Settings
from backends.jobs import JobRequest
from backends.local import limits
from backends.local.warm_protocol import (
    REPLY,
    ErrorFrame,
    FrameError,
    encode_frame,
    error_frame,
    error_of,
)
from tests.jobs_fixture import make_job

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def said(error: AdvisorError) -> tuple[str, str]:
    return str(error), error.localized("ja")


def test_an_id_that_is_not_a_local_fine_tune_keeps_its_english_and_speaks_japanese() -> None:
    from backends.local.backend import parse_fine_tuned_id

    with pytest.raises(ModelNotFoundError) as caught:
        parse_fine_tuned_id("nosuch")
    assert said(caught.value) == (
        "'nosuch' is not a local fine-tuned model id: "
        "expected local:ft:<base>:<suffix>:<job id>; see `advisor jobs list`",
        "'nosuch' はローカルのファインチューニング済みモデルの ID ではありません。"
        "local:ft:<base>:<suffix>:<job id> の形で指定してください。"
        "`advisor jobs list` で確認できます",
    )


def test_a_fine_tune_without_its_adapter_is_refused_in_japanese(settings: Settings) -> None:
    from backends.local.backend import LocalBackend

    model = "local:ft:smollm2-135m-instruct:x:ftjob-gone"
    with pytest.raises(ModelNotFoundError) as caught:
        LocalBackend(settings)._resolve(model)
    folder = settings.adapters_dir / "ftjob-gone"
    assert str(caught.value) == (
        f"no trained adapter for {model}: expected {folder}; check `advisor jobs show ftjob-gone`"
    )
    assert caught.value.localized("ja") == (
        f"{model} の学習済みアダプターがありません。{folder} にあるはずです。"
        "`advisor jobs show ftjob-gone` で確認してください"
    )


def test_a_model_that_cannot_load_keeps_its_english_and_speaks_japanese(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backends.local import backend

    monkeypatch.setattr(backend, "resolve_chat_model", lambda *_: str(tmp_path / "nosuch"))
    with pytest.raises(ModelNotFoundError) as caught:
        backend.LocalBackend(settings)._load_uncached("nosuch", None, "cpu")
    english, japanese = said(caught.value)
    assert english == (
        "cannot load local model 'nosuch': use a preset id (advisor backends list), a local "
        "folder, or a hub id with ADVISOR_OFFLINE=false on a machine that reaches the hub"
    )
    assert japanese.startswith("ローカルモデル 'nosuch' を読み込めません。プリセットの ID")
    assert "ADVISOR_OFFLINE=false" in japanese


def test_input_beyond_the_context_keeps_its_numbers_in_both_languages() -> None:
    with pytest.raises(UserInputError) as caught:
        limits.check_chars([200_000], 8192)
    assert said(caught.value) == (
        "the input is 200,000 characters, more than the local model can read "
        "(at most 131,072 characters: its context is 8,192 tokens): "
        "shorten it, or send it in parts",
        "入力は 200,000 文字で、ローカルモデルが読める長さを超えています"
        "（読めるのは 131,072 文字までです。コンテキストは 8,192 トークンです）。"
        "短くするか、分けて送ってください",
    )
    with pytest.raises(UserInputError) as caught:
        limits.check_tokens(9000, 8192)
    assert said(caught.value) == (
        "the conversation is 9,000 tokens, more than the local model's context of 8,192 tokens: "
        "shorten the message (or the system prompt and retrieved context)",
        "会話は 9,000 トークンで、ローカルモデルのコンテキスト 8,192 トークンを超えています。"
        "メッセージ（またはシステムプロンプトや検索したコンテキスト）を短くしてください",
    )


def test_job_control_refusals_keep_their_english_and_speak_japanese(settings: Settings) -> None:
    from backends.local.service import LocalFineTuning

    service = LocalFineTuning(settings, wait_for_stop_s=1)
    for status in ("validating_files", "succeeded"):
        service.store.save_job(make_job(id=f"ftjob-{status}", status=status))
    with pytest.raises(JobError) as caught:
        service.pause("ftjob-validating_files")  # no worker is alive
    assert said(caught.value) == (
        "job ftjob-validating_files is not running: nothing to pause",
        "ジョブ ftjob-validating_files は実行中ではありません。一時停止するものはありません",
    )
    with pytest.raises(JobError) as caught:
        service.resume("ftjob-succeeded")
    assert said(caught.value) == (
        "job ftjob-succeeded has already succeeded: nothing to resume",
        "ジョブ ftjob-succeeded はすでに成功しています。再開するものはありません",
    )
    request = JobRequest(method="sft", training_file="t.jsonl", suffix="a b")
    with pytest.raises(UserInputError) as caught:
        service.create(request)
    assert said(caught.value) == (
        "the suffix 'a b' cannot be part of a model id: use letters, digits, '_', '.' and '-' only",
        "サフィックス 'a b' はモデル ID に使えません。英数字と '_'、'.'、'-' だけを使ってください",
    )


def test_a_broken_training_line_points_at_its_place_in_both_languages(tmp_path: Path) -> None:
    from backends.local.trainingdata import read_examples

    path = tmp_path / "train.jsonl"
    path.write_text('{"messages": []}\n{oops\n', encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        read_examples(path)
    assert said(caught.value) == (
        f"{path}, line 2: not valid JSON",
        f"{path} の 2 行目: JSON として正しくありません",
    )


# --- the warm server: an error crosses the socket as key and values --------------------


def across(error: AdvisorError | FrameError) -> AdvisorError:
    """``error`` as the warm client raises it again after the socket."""
    frame = REPLY.validate_json(encode_frame(error_frame(error))[4:])
    assert isinstance(frame, ErrorFrame)
    return error_of(frame)


def test_an_error_from_the_warm_server_still_speaks_japanese_in_the_client() -> None:
    sent = UserInputError.from_catalog(
        "core.local.conversation_too_long",
        hint_key="core.local.conversation_too_long_hint",
        tokens="9,000",
        context="8,192",
    )
    got = across(sent)
    assert type(got) is UserInputError and got.exit_code == 2
    assert said(got) == said(sent)
    assert JAPANESE.search(got.localized("ja"))


def test_the_warm_servers_own_refusals_speak_japanese_in_the_client() -> None:
    busy = BackendUnavailableError.from_catalog(
        "core.local.warm_busy", hint_key="core.local.warm_busy_hint", seconds="30"
    )
    got = across(busy)
    assert str(got) == (
        "the warm local model was busy with other commands for 30 s: try again, raise "
        "ADVISOR_LOCAL__WARM_WAIT_S, or answer in this process with ADVISOR_LOCAL__WARM=false"
    )
    assert got.localized("ja").startswith("常駐ローカルモデルはほかのコマンドの処理で 30 秒間")
    bad = across(FrameError.said("core.local.peer_closed"))
    assert type(bad) is BackendError
    assert said(bad) == ("the peer closed the connection", "相手が接続を閉じました")


def test_a_quoted_value_and_a_files_place_cross_the_socket_in_both_languages() -> None:
    from backends.local.warm_client import WarmUnavailable

    reason = WarmUnavailable.said("core.local.warm_no_answer", seconds="60")
    sent = BackendUnavailableError.from_catalog(
        "core.local.warm_cannot_start",
        hint_key="core.local.warm_cannot_start_hint",
        error=reason,
        folder="/d/warm",
    )
    got = across(sent)
    assert said(got) == said(sent)
    assert got.localized("ja") == (
        "常駐ローカルモデルを起動できませんでした: 常駐サーバーが 60 秒以内に応答しませんでした。"
        "/d/warm のログを参照してください。各コマンドはこれまでどおりモデルを自分で読み込みます"
    )
    broken = DataFileError.from_catalog("core.local.not_json_line", path="/d/t.jsonl", line=3)
    back = across(broken)
    assert type(back) is DataFileError and (back.path, back.line) == ("/d/t.jsonl", 3)
    assert said(back) == said(broken)


def test_an_error_the_client_cannot_look_up_stays_as_the_server_said_it() -> None:
    # A server of another version may name a key this installation does not know.
    frame = ErrorFrame(code="failed", message="m", hint="h", key="core.local.gone", values={})
    got = error_of(frame)
    assert said(got) == ("m: h", "m: h")
    plain: Any = error_of(ErrorFrame(code="failed", kind="DataFileError", message="x"))
    assert type(plain) is BackendError and str(plain) == "x"


# The frame as this release's predecessor wrote it: a client and a server of different
# releases must still read each other's errors (the wire format is a public contract).
OLD_FRAME = (
    '{"type":"error","code":"busy","kind":"BackendUnavailableError",'
    '"message":"the warm local model could not start: the warm server did not answer within 60 s",'
    '"hint":"see the log in /d/warm; commands still load the model themselves",'
    '"key":"core.local.warm_cannot_start","hint_key":"core.local.warm_cannot_start_hint",'
    '"values":{"error":{"texts":{"en":"the warm server did not answer within 60 s",'
    '"ja":"常駐サーバーが 60 秒以内に応答しませんでした"}},"folder":"/d/warm"},'
    '"path":null,"line":null}'
)


def test_the_error_frame_is_written_and_read_as_before() -> None:
    from backends.local.warm_client import WarmUnavailable

    reason = WarmUnavailable.said("core.local.warm_no_answer", seconds="60")
    sent = BackendUnavailableError.from_catalog(
        "core.local.warm_cannot_start",
        hint_key="core.local.warm_cannot_start_hint",
        error=reason,
        folder="/d/warm",
    )
    assert error_frame(sent, "busy").model_dump_json() == OLD_FRAME
    frame = REPLY.validate_json(OLD_FRAME)
    assert isinstance(frame, ErrorFrame)
    assert said(error_of(frame)) == said(sent)
