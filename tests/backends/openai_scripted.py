"""A scripted OpenAI API on an in-process HTTP transport (no sockets).

``ScriptedAPI`` answers each (method, path) from a queue of responses: an
``httpx2.Response``, an exception to raise (a network fault), or a callable
``request -> response``.  The last queued item keeps answering.  Every request
is recorded so tests can assert what was sent, and how often.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2

from advisor.settings import Settings, load_settings
from backends.openai_backend import AzureOpenAIBackend, OpenAIBackend

BASE_URL = "http://api.test/v1"
SECRET = "sk-test-0123456789abcdefSECRET"
Responder = httpx2.Response | Exception | Callable[[httpx2.Request], Any]


class ScriptedAPI:
    def __init__(self, prefix: str = "/v1") -> None:
        self.prefix = prefix
        self.routes: dict[tuple[str, str], list[Responder]] = {}
        self.requests: list[httpx2.Request] = []

    def on(self, method: str, path: str, *responses: Responder) -> ScriptedAPI:
        self.routes.setdefault((method, self.prefix + path), []).extend(responses)
        return self

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        queue = self.routes.get((request.method, request.url.path))
        if not queue:
            return error(404, f"no route {request.method} {request.url.path}")
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(item) and not isinstance(item, httpx2.Response):
            item = item(request)
        if isinstance(item, Exception):
            raise item
        assert isinstance(item, httpx2.Response)
        return item

    def http_client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))

    def calls(self, method: str, path: str) -> list[httpx2.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == self.prefix + path]

    def body(self, method: str, path: str, index: int = -1) -> dict[str, Any]:
        return dict(json.loads(self.calls(method, path)[index].content))


def ok(payload: dict[str, Any], **headers: str) -> httpx2.Response:
    return httpx2.Response(200, json=payload, headers=headers)


def error(status: int, message: str, code: str | None = None) -> httpx2.Response:
    # retry-after-ms keeps the SDK's backoff short in tests.
    return httpx2.Response(
        status,
        json={"error": {"message": message, "type": "error", "param": None, "code": code}},
        headers={"retry-after-ms": "1"},
    )


def network_fault(kind: type[Exception]) -> Callable[[httpx2.Request], Any]:
    def raise_it(request: httpx2.Request) -> Any:
        raise kind("scripted network fault", request=request)  # type: ignore[call-arg]

    return raise_it


def chat_json(text: str, model: str = "gpt-4.1-mini") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": text},
            }
        ],
        "usage": {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9},
    }


def job_json(job_id: str = "ftjob-abc", status: str = "queued", **fields: Any) -> dict[str, Any]:
    job: dict[str, Any] = {
        "id": job_id,
        "object": "fine_tuning.job",
        "created_at": 1_700_000_000,
        "error": None,
        "fine_tuned_model": None,
        "finished_at": None,
        "hyperparameters": {"n_epochs": "auto", "batch_size": "auto",
                            "learning_rate_multiplier": "auto"},
        "model": "gpt-4.1-mini-2025-04-14",
        "organization_id": "org-1",
        "result_files": [],
        "seed": 1,
        "status": status,
        "trained_tokens": None,
        "training_file": "file-train",
        "validation_file": None,
        "metadata": {},
        "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 3}}},
    }  # fmt: skip
    job.update(fields)
    return job


def page(items: list[dict[str, Any]], has_more: bool = False) -> dict[str, Any]:
    return {"object": "list", "data": items, "has_more": has_more}


def make_settings(**openai: Any) -> Settings:
    return load_settings(openai={"base_url": BASE_URL, "max_retries": 2, **openai})


def openai_backend(api: ScriptedAPI, settings: Settings) -> OpenAIBackend:
    return OpenAIBackend(settings, http_client=api.http_client())


def azure_backend(api: ScriptedAPI, settings: Settings) -> AzureOpenAIBackend:
    return AzureOpenAIBackend(settings, http_client=api.http_client())
