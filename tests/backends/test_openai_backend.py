"""The openai and azure backends over a scripted HTTP transport: requests, retries, errors."""

from __future__ import annotations

import json
import logging
import threading
import time

import httpx2
import openai
import pytest

from advisor import errors
from advisor.settings import load_settings
from backends.openai_backend import AzureOpenAIBackend, OpenAIBackend, scrub
from backends.types import ChatMessage, GenerationParams
from tests.backends.openai_scripted import (
    BASE_URL,
    SECRET,
    ScriptedAPI,
    azure_backend,
    chat_json,
    error,
    make_settings,
    network_fault,
    ok,
    openai_backend,
)

HELLO = [ChatMessage(role="system", content="Be brief."), ChatMessage(role="user", content="Hi")]


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's own backoff, shortened so retry tests take milliseconds."""
    import openai._base_client as base_client

    monkeypatch.setattr(base_client, "INITIAL_RETRY_DELAY", 0.001)
    monkeypatch.setattr(base_client, "MAX_RETRY_DELAY", 0.002)


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)


# --- availability and configuration -------------------------------------------------------


def test_no_key_is_unusable_with_a_reason_that_names_the_fix() -> None:
    backend = OpenAIBackend(load_settings())
    availability = backend.availability()
    assert not availability.usable
    assert availability.reason == "no OPENAI_API_KEY: set OPENAI_API_KEY or choose --backend local"
    with pytest.raises(errors.BackendUnavailableError, match="set OPENAI_API_KEY"):
        backend.chat(HELLO)


def test_a_base_url_server_needs_no_key() -> None:
    api = ScriptedAPI().on("POST", "/chat/completions", ok(chat_json("hello")))
    backend = openai_backend(api, make_settings())
    assert backend.availability().usable
    assert backend.chat(HELLO).text == "hello"
    # The SDK insists on some key; the placeholder is harmless for keyless servers.
    assert api.requests[0].headers["authorization"] == "Bearer no-key-required"


def test_azure_needs_key_and_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    def reason() -> str:
        return AzureOpenAIBackend(load_settings()).availability().reason or ""

    assert "AZURE_OPENAI_API_KEY" in reason()
    with pytest.raises(errors.BackendUnavailableError, match="AZURE_OPENAI_API_KEY"):
        AzureOpenAIBackend(load_settings()).chat(HELLO)  # the key first, then the deployment
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET)
    assert "AZURE_OPENAI_ENDPOINT" in reason()
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com")
    assert AzureOpenAIBackend(load_settings()).availability().usable


# --- chat ---------------------------------------------------------------------------------


def test_chat_sends_the_request_and_reads_usage(keyed: None) -> None:
    api = ScriptedAPI().on("POST", "/chat/completions", ok(chat_json("Hello!", "m-1")))
    backend = openai_backend(api, make_settings(chat_model="m-1"))
    result = backend.chat(HELLO, params=GenerationParams(max_tokens=5, seed=7, stop=["\n"]))
    assert (result.text, result.model, result.backend) == ("Hello!", "m-1", "openai")
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (7, 2)
    assert result.finish_reason == "stop"
    body = api.body("POST", "/chat/completions")
    assert body["messages"] == [m.model_dump(exclude_none=True) for m in HELLO]
    assert body["temperature"] == 0.0
    assert body["seed"] == 7 and body["stop"] == ["\n"]
    # A base_url server gets the long-standing max_tokens field.
    assert body["max_tokens"] == 5 and "max_completion_tokens" not in body
    assert api.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_openai_itself_gets_max_completion_tokens(
    keyed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = ScriptedAPI().on("POST", "/chat/completions", ok(chat_json("x")))
    backend = OpenAIBackend(load_settings(), http_client=api.http_client())
    # Without base_url the SDK targets api.openai.com; the transport answers anyway.
    api.prefix = "/v1"
    backend.chat(HELLO, params=GenerationParams(max_tokens=9))
    assert api.requests[0].url.host == "api.openai.com"
    body = json.loads(api.requests[0].content)
    assert body["max_completion_tokens"] == 9 and "max_tokens" not in body


def test_stream_yields_chunks_and_a_result(keyed: None) -> None:
    events = [
        {"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}}]},
        {"choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}},
    ]
    sse = "".join(
        "data: " + json.dumps({"id": "c", "object": "chat.completion.chunk", "created": 1,
                               "model": "m-s", **e}) + "\n\n"
        for e in events
    ) + "data: [DONE]\n\n"  # fmt: skip
    api = ScriptedAPI().on(
        "POST",
        "/chat/completions",
        httpx2.Response(200, content=sse.encode(), headers={"content-type": "text/event-stream"}),
    )
    stream = openai_backend(api, make_settings()).stream(HELLO)
    assert list(stream) == ["Hel", "lo"]
    assert stream.result is not None
    assert (stream.result.text, stream.result.model) == ("Hello", "m-s")
    assert stream.result.usage.completion_tokens == 2
    assert api.body("POST", "/chat/completions")["stream_options"] == {"include_usage": True}


def test_chat_batch_keeps_order_and_bounds_concurrency(keyed: None) -> None:
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    def answer(request: httpx2.Request) -> httpx2.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.01)
        with lock:
            in_flight -= 1
        prompt = json.loads(request.content)["messages"][-1]["content"]
        return ok(chat_json(f"answer to {prompt}"))

    api = ScriptedAPI().on("POST", "/chat/completions", answer)
    backend = openai_backend(api, make_settings(concurrency=3))
    prompts = [f"q{i}" for i in range(10)]
    results = backend.chat_batch([[ChatMessage(role="user", content=p)] for p in prompts])
    assert [r.text for r in results] == [f"answer to {p}" for p in prompts]
    assert 1 <= peak <= 3


# --- embeddings and moderation --------------------------------------------------------------


def test_embed_orders_by_index_and_normalises(keyed: None) -> None:
    payload = {
        "object": "list",
        "model": "emb-1",
        "data": [
            {"object": "embedding", "index": 1, "embedding": [0.0, 2.0]},
            {"object": "embedding", "index": 0, "embedding": [3.0, 4.0]},
        ],
        "usage": {"prompt_tokens": 5, "total_tokens": 5},
    }
    api = ScriptedAPI().on("POST", "/embeddings", ok(payload))
    result = openai_backend(api, make_settings()).embed(["first", "second"])
    assert result.vectors == [[0.6, 0.8], [0.0, 1.0]]
    assert (result.model, result.dimensions, result.usage.prompt_tokens) == ("emb-1", 2, 5)
    assert api.body("POST", "/embeddings")["input"] == ["first", "second"]


def test_embed_refuses_a_short_answer(keyed: None) -> None:
    payload = {"object": "list", "model": "e", "data": [
        {"object": "embedding", "index": 0, "embedding": [1.0]}]}  # fmt: skip
    api = ScriptedAPI().on("POST", "/embeddings", ok(payload))
    with pytest.raises(errors.BackendError, match="1 embeddings for 2 texts"):
        openai_backend(api, make_settings()).embed(["a", "b"])


def test_moderate_lists_flagged_categories(keyed: None) -> None:
    result = {"flagged": True, "categories": {"hate": False, "violence": True},
              "category_scores": {"hate": 0.0, "violence": 0.9}}  # fmt: skip
    api = ScriptedAPI().on(
        "POST", "/moderations", ok({"id": "m", "model": "omni", "results": [result]})
    )
    [flag] = openai_backend(api, make_settings()).moderate(["something"])
    assert flag.flagged and flag.categories == ["violence"]


def test_a_server_without_moderation_is_a_capability_error(keyed: None) -> None:
    api = ScriptedAPI()  # every route answers 404
    with pytest.raises(errors.CapabilityError, match="no moderation endpoint"):
        openai_backend(api, make_settings()).moderate(["x"])


# --- retries and error translation -----------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_retries_429_and_5xx_then_succeeds(keyed: None, status: int) -> None:
    api = ScriptedAPI().on(
        "POST", "/chat/completions", error(status, "busy"), ok(chat_json("finally"))
    )
    assert openai_backend(api, make_settings()).chat(HELLO).text == "finally"
    assert len(api.calls("POST", "/chat/completions")) == 2


def test_retries_a_dropped_connection(keyed: None) -> None:
    api = ScriptedAPI().on(
        "POST", "/chat/completions", network_fault(httpx2.ConnectError), ok(chat_json("back"))
    )
    assert openai_backend(api, make_settings()).chat(HELLO).text == "back"


def test_gives_up_after_max_retries(keyed: None) -> None:
    api = ScriptedAPI().on("POST", "/chat/completions", error(429, "slow down"))
    with pytest.raises(errors.RateLimitError, match="rate-limiting") as caught:
        openai_backend(api, make_settings(max_retries=2)).chat(HELLO)
    assert len(api.calls("POST", "/chat/completions")) == 3  # first try + 2 retries
    assert isinstance(caught.value.__cause__, openai.RateLimitError)


def test_no_retry_on_a_bad_request(keyed: None) -> None:
    api = ScriptedAPI().on("POST", "/chat/completions", error(400, "messages is empty"))
    with pytest.raises(errors.BackendRequestError, match="messages is empty"):
        openai_backend(api, make_settings()).chat(HELLO)
    assert len(api.calls("POST", "/chat/completions")) == 1


@pytest.mark.parametrize(
    ("response", "expected", "words"),
    [
        (error(401, f"Incorrect API key provided: {SECRET}"), errors.AuthenticationError,
         "check OPENAI_API_KEY"),
        (error(403, "project lacks access"), errors.AuthenticationError, "project lacks access"),
        (error(404, "The model `nope` does not exist"), errors.ModelNotFoundError, "'nope'"),
        (error(422, "unprocessable"), errors.BackendRequestError, "unprocessable"),
        (error(409, "conflict"), errors.BackendRequestError, "conflict"),
        (error(429, "You exceeded your current quota", code="insufficient_quota"),
         errors.RateLimitError, "no quota left"),
        (error(500, "oops"), errors.BackendError, "server error"),
        (network_fault(httpx2.ReadTimeout), errors.BackendConnectionError, "did not answer"),
        (network_fault(httpx2.ConnectError), errors.BackendConnectionError, "cannot reach"),
    ],
)  # fmt: skip
def test_every_sdk_error_becomes_an_advisor_error(
    keyed: None, response: object, expected: type[errors.AdvisorError], words: str
) -> None:
    api = ScriptedAPI().on("POST", "/chat/completions", response)  # type: ignore[arg-type]
    backend = openai_backend(api, make_settings(max_retries=0))
    with pytest.raises(expected) as caught:
        backend.chat(HELLO, model="nope")
    message = str(caught.value)
    assert words in message
    assert SECRET not in message and "sk-test" not in message
    assert caught.value.__cause__ is not None  # raise ... from


def test_a_server_that_is_not_openai_compatible_is_named(keyed: None) -> None:
    page = httpx2.Response(
        200, content=b"<html>login</html>", headers={"content-type": "text/html"}
    )
    api = ScriptedAPI().on("POST", "/chat/completions", page)
    with pytest.raises(errors.BackendError, match="did not answer like an OpenAI-compatible"):
        openai_backend(api, make_settings()).chat(HELLO)


def test_key_never_reaches_logs_or_messages(keyed: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = ScriptedAPI().on(
        "POST", "/chat/completions", error(401, f"Incorrect API key provided: {SECRET}")
    )
    with pytest.raises(errors.AuthenticationError) as caught:
        openai_backend(api, make_settings()).chat(HELLO)
    assert SECRET not in caplog.text
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)


def test_scrub_masks_keys_and_key_shaped_text() -> None:
    assert scrub(f"bad key {SECRET}", [SECRET]) == "bad key ****"
    assert scrub("Incorrect API key provided: sk-proj-abc***********xyz") == (
        "Incorrect API key provided: sk-****"
    )


# --- azure --------------------------------------------------------------------------------


def test_azure_chat_uses_the_deployment_and_api_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com")
    settings = load_settings(azure={"deployment": "my-gpt", "api_version": "2025-04-01-preview"})
    api = ScriptedAPI(prefix="/openai").on(
        "POST", "/deployments/my-gpt/chat/completions", ok(chat_json("hi from azure"))
    )
    result = azure_backend(api, settings).chat(HELLO)
    assert (result.text, result.backend) == ("hi from azure", "azure")
    request = api.requests[0]
    assert request.url.host == "res.openai.azure.com"
    assert request.url.params["api-version"] == "2025-04-01-preview"
    assert request.headers["api-key"] == SECRET


def test_azure_without_a_deployment_says_which_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com")
    with pytest.raises(errors.ConfigError, match="ADVISOR_AZURE__DEPLOYMENT"):
        AzureOpenAIBackend(load_settings()).chat(HELLO)
    with pytest.raises(errors.CapabilityError):
        AzureOpenAIBackend(load_settings()).moderate(["x"])


def test_azure_auth_error_names_the_azure_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com")
    api = ScriptedAPI(prefix="/openai").on(
        "POST", "/deployments/d/chat/completions", error(401, "Access denied")
    )
    backend = azure_backend(api, load_settings(azure={"deployment": "d"}))
    with pytest.raises(errors.AuthenticationError, match="AZURE_OPENAI_API_KEY"):
        backend.chat(HELLO)


def test_base_url_is_used_verbatim(keyed: None) -> None:
    api = ScriptedAPI().on("POST", "/chat/completions", ok(chat_json("x")))
    openai_backend(api, make_settings()).chat(HELLO)
    assert str(api.requests[0].url) == BASE_URL + "/chat/completions"


def test_stream_errors_are_translated_while_iterating(keyed: None) -> None:
    api = ScriptedAPI().on("POST", "/chat/completions", error(401, f"bad key {SECRET}"))
    stream = openai_backend(api, make_settings()).stream(HELLO)
    with pytest.raises(errors.AuthenticationError) as caught:
        list(stream)
    assert SECRET not in str(caught.value)


def test_unknown_exceptions_become_backend_errors() -> None:
    from backends.openai_backend import translate_error

    error_ = translate_error(RuntimeError(f"boom {SECRET}"), backend="openai", action="chat",
                             secrets=[SECRET])  # fmt: skip
    assert isinstance(error_, errors.BackendError) and SECRET not in str(error_)


def test_a_failing_batch_stops_sending(keyed: None) -> None:
    def answer(request: httpx2.Request) -> httpx2.Response:
        prompt = json.loads(request.content)["messages"][-1]["content"]
        if prompt == "q0":
            return error(400, "bad conversation")
        time.sleep(0.02)
        return ok(chat_json("fine"))

    api = ScriptedAPI().on("POST", "/chat/completions", answer)
    backend = openai_backend(api, make_settings(concurrency=1))
    conversations = [[ChatMessage(role="user", content=f"q{i}")] for i in range(20)]
    with pytest.raises(errors.BackendRequestError, match="bad conversation"):
        backend.chat_batch(conversations)
    time.sleep(0.1)  # let a request already in flight finish
    assert len(api.calls("POST", "/chat/completions")) < 20


def _sdk_errors() -> list[tuple[Exception, type[errors.AdvisorError]]]:
    """One instance of each exception family the SDK raises, and what it must become."""
    request = httpx2.Request("POST", BASE_URL + "/chat/completions")

    def status(code: int) -> httpx2.Response:
        return httpx2.Response(code, request=request)

    body = {"error": {"message": "provider says no", "code": None}}
    return [
        (openai.BadRequestError("x", response=status(400), body=body), errors.BackendRequestError),
        (openai.AuthenticationError("x", response=status(401), body=body),
         errors.AuthenticationError),
        (openai.PermissionDeniedError("x", response=status(403), body=body),
         errors.AuthenticationError),
        (openai.NotFoundError("x", response=status(404), body=body), errors.ModelNotFoundError),
        (openai.ConflictError("x", response=status(409), body=body), errors.BackendRequestError),
        (openai.UnprocessableEntityError("x", response=status(422), body=body),
         errors.BackendRequestError),
        (openai.RateLimitError("x", response=status(429), body=body), errors.RateLimitError),
        (openai.InternalServerError("x", response=status(500), body=body), errors.BackendError),
        (openai.APIStatusError("x", response=status(418), body=body), errors.BackendRequestError),
        (openai.APITimeoutError(request=request), errors.BackendConnectionError),
        (openai.APIConnectionError(request=request), errors.BackendConnectionError),
        (openai.APIResponseValidationError(status(200), None), errors.BackendError),
        (openai.ContentFilterFinishReasonError(), errors.BackendRequestError),
        (openai.OpenAIError("Missing credentials"), errors.BackendUnavailableError),
    ]  # fmt: skip


@pytest.mark.parametrize(("exc", "expected"), _sdk_errors())
def test_translate_error_covers_every_sdk_exception_family(
    exc: Exception, expected: type[errors.AdvisorError]
) -> None:
    from backends.openai_backend import translate_error

    translated = translate_error(exc, backend="openai", action="chat", model="m")
    assert type(translated) is expected
    message = str(translated)
    assert message and "\n" not in message
    assert "Error code" not in message  # the provider's text, not the SDK's raw dump


@pytest.mark.parametrize(
    "echo",
    [
        "Incorrect API key provided: {head}****",  # the first part of the key
        "key ending in ...{tail}",  # the last characters
        "Access denied: key {middle} is not valid",  # any run from the middle
        "Incorrect API key provided: sk-ab***yz",  # a short masked echo of a key
    ],
)
def test_scrub_catches_partial_key_echoes(echo: str) -> None:
    key = "Zq8vN3kLw9XpR2tYb7Hc"
    text = echo.format(head=key[:10], tail=key[-8:], middle=key[5:15])
    scrubbed = scrub(text, [key])
    assert not any(key[i : i + 6] in scrubbed for i in range(len(key) - 5)), scrubbed
    assert "ab***yz" not in scrubbed


def test_one_translating_boundary_scrubs_what_it_raises() -> None:
    from backends.openai_errors import translating

    with pytest.raises(errors.BackendError) as caught, translating("openai", "chat", [SECRET]):
        raise RuntimeError(f"echo {SECRET[:12]}")
    assert SECRET[:12] not in str(caught.value) and "****" in str(caught.value)
    # Advisor errors pass through untouched.
    with pytest.raises(errors.ConfigError), translating("openai", "chat"):
        raise errors.ConfigError("as is")
