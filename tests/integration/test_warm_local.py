"""The warm local model with the real embedded model: shared by two client processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from advisor.errors import ModelNotFoundError
from advisor.settings import Settings, load_settings
from backends.local import LocalBackend, warm_client
from backends.local.warm_protocol import ensure_private_dir, socket_path
from backends.types import ChatMessage, GenerationParams

pytestmark = [pytest.mark.slow, pytest.mark.integration]

PROMPT = "Name one colour of the sky."
MAX_TOKENS = 12


def _exited(pid: int) -> bool:
    """Gone, or a zombie nobody reaps (a container whose pid 1 does not reap)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return state in ("Z", "X")


def _chat_process() -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "advisor", "chat", PROMPT, "--backend", "local"]
    return subprocess.Popen(
        [*command, "--max-tokens", str(MAX_TOKENS), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_client_processes_get_the_in_process_greedy_answer(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not settings.local.warm  # the test suite's default: no server per test
    params = GenerationParams(max_tokens=MAX_TOKENS)
    expected = LocalBackend(settings).chat(
        [ChatMessage(role="user", content=PROMPT)], params=params
    )

    monkeypatch.setenv("ADVISOR_LOCAL__WARM", "true")
    warm = load_settings()
    status = warm_client.start_server(warm, warm.local.model)
    try:
        clients = [_chat_process(), _chat_process()]  # concurrent: the server serialises them
        outputs = [client.communicate(timeout=600) for client in clients]
        for client, (out, err) in zip(clients, outputs, strict=True):
            assert client.returncode == 0, err
            assert json.loads(out)["text"] == expected.text
        after = warm_client.status(warm)
        assert after is not None and after.pid == status.pid and after.requests == 2
        assert after.models == [warm.local.model]
        # In this process too: streamed, and errors come back as the same class.
        backend = LocalBackend(warm)
        stream = backend.stream([ChatMessage(role="user", content=PROMPT)], params=params)
        assert "".join(stream).strip() == expected.text
        assert stream.result is not None and stream.result.text == expected.text
        with pytest.raises(ModelNotFoundError):
            backend.chat([ChatMessage(role="user", content="hi")], model="./no-such-model")
        assert warm_client.status(warm).requests == 4  # type: ignore[union-attr]
    finally:
        assert warm_client.stop(warm)
    deadline = time.monotonic() + 30
    while not _exited(status.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _exited(status.pid)
    assert not socket_path(warm).exists()
    assert warm_client.status(warm) is None


@pytest.mark.timeout(180)
def test_a_socket_left_by_a_crashed_server_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_LOCAL__WARM", "true")
    warm = load_settings()
    path = socket_path(warm)
    ensure_private_dir(path.parent)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # the file stays and nobody listens, as after a kill -9
    assert warm_client.status(warm) is None
    status = warm_client.start_server(warm)
    try:
        assert status.socket == str(path) and status.pid != os.getpid()
    finally:
        assert warm_client.stop(warm)
    assert not path.exists()
