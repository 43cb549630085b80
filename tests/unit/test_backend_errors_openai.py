"""The OpenAI and Azure backends' errors come from the catalog: the English is the
sentence they always printed, the Japanese reads whole, and the provider's own words
stay a value (scrubbed of keys in both languages)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import httpx2
import openai
import pytest
import yaml

from advisor import messages
from advisor.errors import AdvisorError
from advisor.settings import load_settings
from backends.openai_backend import AzureOpenAIBackend, OpenAIBackend
from backends.openai_errors import WIND_DOWN_HINT, doing, translate_error
from backends.types import ChatMessage
from tests.backends.openai_scripted import (
    SECRET,
    ScriptedAPI,
    error,
    make_settings,
    network_fault,
    openai_backend,
)
from tests.conftest import REPO

HI = [ChatMessage(role="user", content="Hi")]


def said(error: AdvisorError) -> tuple[str, str]:
    return str(error), error.localized("ja")


def chat_fails(api: ScriptedAPI, model: str | None = None) -> AdvisorError:
    backend = openai_backend(api, make_settings(max_retries=0))
    with pytest.raises(AdvisorError) as caught:
        backend.chat(HI, model=model)
    return caught.value


# --- what users meet most: the key, the server, the model ---------------------------------


def test_a_missing_key_keeps_its_english_and_speaks_japanese() -> None:
    with pytest.raises(AdvisorError) as caught:
        OpenAIBackend(load_settings()).chat(HI)
    assert said(caught.value) == (
        "no OPENAI_API_KEY: set OPENAI_API_KEY or choose --backend local",
        "OPENAI_API_KEY がありません: OPENAI_API_KEY を設定するか --backend local を選んでください",
    )
    assert caught.value.exit_code == 2


def test_a_rejected_key_is_named_in_both_languages_without_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    api = ScriptedAPI().on("POST", "/chat/completions", error(401, f"Incorrect key {SECRET}"))
    english, japanese = said(chat_fails(api))
    assert english == (
        "the openai backend rejected the API key while trying to chat: "
        "check OPENAI_API_KEY or choose --backend local"
    )
    assert japanese == (
        "openai バックエンドがチャットの際に API キーを拒否しました。"
        "OPENAI_API_KEY を確認するか、--backend local を選んでください"
    )


def test_an_unreachable_server_keeps_its_english_and_speaks_japanese() -> None:
    api = ScriptedAPI().on("POST", "/chat/completions", network_fault(httpx2.ConnectError))
    assert said(chat_fails(api)) == (
        "cannot reach http://api.test/v1 to chat: "
        "check the network or the base_url/endpoint setting",
        "チャットのために http://api.test/v1 に接続できません。"
        "ネットワークか、base_url / endpoint の設定を確認してください",
    )


def test_an_unknown_model_keeps_the_providers_words_in_both_languages() -> None:
    api = ScriptedAPI().on(
        "POST", "/chat/completions", error(404, "The model `nope` does not exist.")
    )
    failure = chat_fails(api, model="nope")
    assert said(failure) == (
        "the openai backend has no model 'nope': The model `nope` does not exist: "
        "check --model (on Azure: the deployment name)",
        "openai バックエンドにモデル 'nope' はありません（The model `nope` does not exist）。"
        "--model（Azure ではデプロイ名）を確認してください",
    )
    assert failure.exit_code == 2


def test_a_refusal_quotes_the_provider_scrubbed_in_japanese_too() -> None:
    api = ScriptedAPI().on("POST", "/chat/completions", error(400, f"bad input near {SECRET}"))
    english, japanese = said(chat_fails(api))
    assert english == "the openai backend refused to chat: bad input near sk-****"
    assert japanese == "openai バックエンドがチャットを拒否しました（bad input near sk-****）"
    assert SECRET not in english + japanese


def test_an_exhausted_quota_speaks_japanese() -> None:
    response = error(429, "You exceeded your current quota", code="insufficient_quota")
    api = ScriptedAPI().on("POST", "/chat/completions", response)
    assert said(chat_fails(api)) == (
        "the openai account has no quota left to chat: "
        "add credit or raise the quota, or choose --backend local",
        "openai のアカウントにはチャットに使えるクォータが残っていません。"
        "クレジットを追加するかクォータを引き上げるか、--backend local を選んでください",
    )


@pytest.mark.parametrize(
    ("call", "english", "japanese"),
    [
        (
            lambda backend: backend.chat(HI),
            "no Azure deployment to chat with: "
            "set ADVISOR_AZURE__DEPLOYMENT or pass --model <deployment>",
            "チャットに使う Azure のデプロイがありません。"
            "ADVISOR_AZURE__DEPLOYMENT を設定するか、--model <deployment> を指定してください",
        ),
        (
            lambda backend: backend.moderate(["x"]),
            "https://r.openai.azure.com has no moderation endpoint (it filters content itself): "
            "use --backend openai for moderation",
            "https://r.openai.azure.com にはモデレーションのエンドポイントがありません"
            "（コンテンツを自らフィルターします）。"
            "モデレーションには --backend openai を使ってください",
        ),
    ],
    ids=["chat without a deployment", "moderation"],
)
def test_what_azure_cannot_do_is_refused_in_japanese(
    monkeypatch: pytest.MonkeyPatch,
    call: Callable[[AzureOpenAIBackend], object],
    english: str,
    japanese: str,
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com")
    with pytest.raises(AdvisorError) as caught:
        call(AzureOpenAIBackend(load_settings()))
    assert said(caught.value) == (english, japanese)


# --- fine-tuning jobs ------------------------------------------------------------------


def test_an_unknown_job_speaks_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    api = ScriptedAPI().on("GET", "/fine_tuning/jobs/ftjob-nope", error(404, "No such job"))
    service = openai_backend(api, make_settings()).fine_tuning()
    with pytest.raises(AdvisorError) as caught:
        service.retrieve("ftjob-nope")
    assert said(caught.value) == (
        "the openai backend has no job 'ftjob-nope': see `advisor jobs list`",
        "openai バックエンドにジョブ 'ftjob-nope' はありません。"
        "`advisor jobs list` で確認してください",
    )


@pytest.mark.parametrize(
    ("verb", "japanese"), [("cancel", "キャンセル"), ("pause", "一時停止"), ("resume", "再開")]
)
def test_every_job_control_verb_has_its_phrase(verb: str, japanese: str) -> None:
    exc = openai.APIConnectionError(request=httpx2.Request("POST", "https://api.openai.com/v1"))
    failure = translate_error(exc, backend="openai", action=doing(verb, job="ftjob-1"), job_id="x")
    assert str(failure).startswith(f"cannot reach openai to {verb} job ftjob-1: ")
    assert failure.localized("ja").startswith(f"ジョブ ftjob-1 の{japanese}のために openai に")


def test_a_wind_down_refusal_keeps_its_hint_in_both_languages() -> None:
    body = {"error": {"message": "Fine-tuning is not available to new users."}}
    response = httpx2.Response(400, json=body, request=httpx2.Request("POST", "https://x"))
    exc = openai.BadRequestError("refused", response=response, body=body)
    failure = translate_error(exc, backend="openai", action=doing("create_job"), job_id="")
    assert str(failure) == (
        "the openai backend refused to create the fine-tuning job: "
        f"Fine-tuning is not available to new users: {WIND_DOWN_HINT}"
    )
    assert failure.localized("ja").startswith(
        "openai バックエンドがファインチューニングジョブの作成を拒否しました"
        "（Fine-tuning is not available to new users）。"
        "このアカウントではファインチューニングジョブをもう作成できないのかもしれません。"
    )


def test_request_limits_list_every_problem_in_both_languages() -> None:
    from backends.jobs import JobRequest
    from backends.openai_job_objects import check_limits

    request = JobRequest(method="sft", training_file="t.jsonl", suffix="", seed=-1)
    with pytest.raises(AdvisorError) as caught:
        check_limits(request, {})
    assert said(caught.value) == (
        "invalid fine-tuning request: suffix must be 1 to 64 characters; "
        "seed must be between 0 and 2147483647",
        "ファインチューニングのリクエストが正しくありません: suffix は 1〜64 文字にしてください。"
        "seed は 0 から 2147483647 までにしてください",
    )


def test_a_grader_openai_cannot_run_is_refused_in_japanese() -> None:
    from backends.openai_graders import to_openai_grader

    with pytest.raises(AdvisorError) as caught:
        to_openai_grader({"type": "regex", "name": "r", "pattern": "x"})
    english, japanese = said(caught.value)
    assert english.startswith(
        "grader type 'regex' is ours only, so OpenAI reinforcement fine-tuning cannot use it: use "
    )
    assert japanese.startswith(
        "採点器の種類 'regex' はこの製品だけのものなので、OpenAI の強化ファインチューニングでは"
        "使えません。string_check, "
    )
    assert caught.value.exit_code == 2


# --- Azure deployments -----------------------------------------------------------------


def test_an_arm_refusal_keeps_arms_words_and_hides_the_token() -> None:
    from backends.azure_deploy import translate_arm_error

    token = "eyJ0eXAiOiJKV1QiTOKEN"
    body = {"error": {"code": "AuthorizationFailed", "message": f"token {token} may not write"}}
    response = httpx.Response(403, json=body, request=httpx.Request("PUT", "https://m"))
    action = messages.Localized("core.azure.action.deploy", {"name": "ft-1"})
    english, japanese = said(translate_arm_error(response, action, (token,)))
    assert english.startswith(
        "Azure Resource Manager refused to deploy ft-1 (AuthorizationFailed): "
        "token **** may not write: renew ADVISOR_AZURE__ARM_TOKEN"
    )
    assert japanese.startswith(
        "Azure Resource Manager がデプロイ ft-1 の作成を拒否しました"
        "（AuthorizationFailed: token **** may not write）。ADVISOR_AZURE__ARM_TOKEN を更新し"
    )
    assert token not in english + japanese


# --- the catalog file --------------------------------------------------------------------


def test_the_wind_down_hint_constant_is_the_catalogs_english() -> None:
    assert messages.text("core.openai.wind_down_hint", "en") == WIND_DOWN_HINT


def test_every_key_of_the_openai_catalog_is_used_by_the_backends() -> None:
    """Keys built from a name (actions, request limits, grader types) count by their prefix."""
    keys = yaml.safe_load((REPO / "advisor" / "messages_backends_openai.yaml").read_text("utf-8"))
    sources = "".join(
        Path(path).read_text("utf-8")
        for pattern in ("openai*.py", "azure*.py")
        for path in sorted((REPO / "backends").glob(pattern))
    )
    built = (
        "core.openai.action.",
        "core.openai.limit.",
        "core.azure.action.",
        "core.openai.grader.type_",
    )
    unused = [key for key in keys if f'"{key}"' not in sources and not key.startswith(built)]
    assert unused == []


def test_the_stored_unconfirmed_note_is_found_again_in_japanese() -> None:
    note = "not confirmed yet; `advisor jobs show req-1` checks again"  # as the job store keeps it
    assert messages.text("core.openai.unconfirmed_note", "en", client_id="req-1") == note
    assert messages.recognised(note, ("core.openai.unconfirmed_note",), "ja") == (
        "まだ確認されていません。`advisor jobs show req-1` でもう一度確認します"
    )
