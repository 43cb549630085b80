"""The warm local model with the real embedded model: shared by two client processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from advisor.settings import Settings, load_settings
from backends.local import LocalBackend, warm_client
from backends.local.warm_protocol import socket_path
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
    finally:
        assert warm_client.stop(warm)
    deadline = time.monotonic() + 30
    while not _exited(status.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _exited(status.pid)
    assert not socket_path(warm).exists()
    assert warm_client.status(warm) is None
