"""A small OpenAI-compatible server on loopback for the backend contract tests.

It speaks the chat completions (plain and streamed as server-sent events) and
embeddings endpoints the way OpenAI-compatible servers (vLLM, Ollama,
llama.cpp) do.  The full API shape is checked separately against OpenAI's
published specification with Prism (tests/integration/test_prism_contract.py).
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

KNOWN_MODELS = {"stub-chat", "stub-embed"}


def _vector(text: str, dims: int = 16) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    raw = [b - 127.5 for b in digest[:dims]]
    norm = math.sqrt(sum(v * v for v in raw))
    return [v / norm for v in raw]


class _Handler(BaseHTTPRequestHandler):
    server_version = "openai-stub/1"

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        request = json.loads(self.rfile.read(length) or b"{}")
        self.server.requests.append((self.path, request))  # type: ignore[attr-defined]
        model = request.get("model")
        if model not in KNOWN_MODELS:
            self._json(
                404,
                {
                    "error": {
                        "message": f"model {model} not found",
                        "type": "invalid_request_error",
                        "code": "model_not_found",
                    }
                },
            )
            return
        if self.path.endswith("/chat/completions"):
            self._chat(request)
        elif self.path.endswith("/embeddings"):
            inputs = request["input"] if isinstance(request["input"], list) else [request["input"]]
            self._json(
                200,
                {
                    "object": "list",
                    "model": model,
                    "data": [
                        {"object": "embedding", "index": i, "embedding": _vector(t)}
                        for i, t in enumerate(inputs)
                    ],
                    "usage": {"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
                },
            )
        else:
            self._json(404, {"error": {"message": "no such endpoint", "type": "not_found"}})

    def _chat(self, request: dict[str, Any]) -> None:
        last = request["messages"][-1]["content"]
        text = f"stub answer to: {last}"
        created = int(time.time())
        if not request.get("stream"):
            self._json(
                200,
                {
                    "id": "chatcmpl-stub",
                    "object": "chat.completion",
                    "created": created,
                    "model": request["model"],
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": text},
                        }
                    ],
                    "usage": {
                        "prompt_tokens": 5,
                        "completion_tokens": len(text.split()),
                        "total_tokens": 5 + len(text.split()),
                    },
                },
            )
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        words = text.split(" ")
        for i, word in enumerate(words):
            chunk = {
                "id": "chatcmpl-stub",
                "object": "chat.completion.chunk",
                "created": created,
                "model": request["model"],
                "choices": [
                    {
                        "index": 0,
                        "delta": {"content": word if i == 0 else " " + word},
                        "finish_reason": None,
                    }
                ],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        final = {
            "id": "chatcmpl-stub",
            "object": "chat.completion.chunk",
            "created": created,
            "model": request["model"],
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": 5,
                "completion_tokens": len(words),
                "total_tokens": 5 + len(words),
            },
        }
        self.wfile.write(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode())


@contextmanager
def openai_stub() -> Iterator[tuple[str, list[tuple[str, dict[str, Any]]]]]:
    """Serve the stub on a free loopback port; yields (base_url, recorded requests)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1", server.requests  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
