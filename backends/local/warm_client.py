"""The client side of the warm local model (:mod:`backends.local.warm`).

:class:`~backends.local.backend.LocalBackend` calls :func:`chat_batch` and
:func:`stream` when ``local.warm`` is on.  They connect to the server for these
settings, starting it detached when no server answers (a missing or stale
socket), and raise :class:`WarmUnavailable` whenever the caller should simply
load the model in-process instead: the server cannot start, its key differs,
or it died before answering.  Errors the server reports on purpose (unknown
model, prompt too long, busy) come back as the same :mod:`advisor.errors` class.

This module imports neither torch nor transformers: a command that a warm
server answers never pays for them.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Generator, Sequence
from pathlib import Path

from advisor import errors
from advisor.settings import Settings
from backends.local.warm_protocol import (
    HEARTBEAT_S,
    SETTINGS_ENV,
    ChatRequest,
    ChunkFrame,
    ErrorFrame,
    FrameError,
    OkFrame,
    PingRequest,
    ResultFrame,
    Said,
    StatusFrame,
    StopRequest,
    WaitFrame,
    ensure_private_dir,
    error_of,
    model_key,
    recv_reply,
    send_frame,
    server_running,
    socket_path,
    warm_dir,
)
from backends.types import ChatMessage, ChatResult, GenerationParams

START_TIMEOUT_S = 60.0  # a fresh server answers pings before it loads torch
REPLY_TIMEOUT_S = HEARTBEAT_S * 15  # silence this long means the server is stuck or gone
STOP_TIMEOUT_S = 15.0
_spawned: list[subprocess.Popen[bytes]] = []  # reaped by stop_spawned (tests, long-lived shells)


class WarmUnavailable(Said):
    """No answer from a warm server: the caller loads the model in its own process."""


# --- connecting and starting -----------------------------------------------------------


def _connect(path: Path) -> socket.socket | None:
    """A connection to the socket at ``path``; None when it is missing or stale."""
    if not path.exists():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(REPLY_TIMEOUT_S)
    try:
        sock.connect(str(path))
    except OSError:  # ConnectionRefused: a socket file nobody listens on any more
        sock.close()
        return None
    return sock


def _server_env(settings: Settings) -> dict[str, str]:
    handed = settings.model_dump(mode="json", include={"data_dir", "cache_dir", "offline", "local"})
    root = str(Path(__file__).resolve().parents[2])  # the folder holding `backends/`
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        SETTINGS_ENV: json.dumps(handed),
        "PYTHONPATH": root if not path else f"{root}{os.pathsep}{path}",
    }


def start(settings: Settings, model: str | None = None) -> socket.socket:
    """Connect to the server for ``settings``, starting it first if none answers.

    Raises:
        WarmUnavailable: it could not be started or did not answer in time.
    """
    path = socket_path(settings)
    sock = _connect(path)
    if sock is not None:
        return sock
    try:
        ensure_private_dir(path.parent)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        log_fd = os.open(path.with_suffix(".log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        log = os.fdopen(log_fd, "ab")
    except OSError as exc:
        raise WarmUnavailable(f"cannot prepare {path.parent}: {exc}") from exc
    with log:
        command = [sys.executable, "-m", "backends.local.warm"]
        process = subprocess.Popen(
            [*command, *(["--model", model] if model else [])],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_server_env(settings),
            cwd=str(path.parent),
            start_new_session=True,  # Ctrl+C in the terminal does not stop the shared model
        )
    _spawned[:] = [p for p in _spawned if p.poll() is None]  # reap servers that exited
    _spawned.append(process)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        sock = _connect(path)
        if sock is not None:
            return sock
        if process.poll() is not None and not server_running(settings):
            code = process.returncode
            raise WarmUnavailable.said("core.local.warm_exited", code=code, log=log.name)
        time.sleep(0.05)
    raise WarmUnavailable.said("core.local.warm_no_answer", seconds=f"{START_TIMEOUT_S:.0f}")


def stop_spawned() -> None:
    """Terminate the servers this process started (pytest's session end)."""
    for process in _spawned:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=STOP_TIMEOUT_S)
        if process.poll() is None:
            process.kill()
            process.wait()
    _spawned.clear()


# --- requests ----------------------------------------------------------------------------


def _raise_error(frame: ErrorFrame) -> None:
    """The server's error as the class it names; a key mismatch means: answer in-process."""
    if frame.code == "key_mismatch":
        raise WarmUnavailable(frame.message)
    raise error_of(frame)


def _exchange(settings: Settings, request: ChatRequest) -> Generator[str, None, list[ChatResult]]:
    """Send ``request``; yield streamed text; return the results.

    Raises :class:`WarmUnavailable` only before the first piece of text, so the
    caller can still fall back to loading the model itself.
    """
    sock = start(settings, request.key.model)
    streamed = False
    with sock:
        try:
            send_frame(sock, request)
            while True:
                frame = recv_reply(sock)
                if isinstance(frame, WaitFrame):
                    continue
                if isinstance(frame, ChunkFrame):
                    streamed = True
                    yield frame.text
                elif isinstance(frame, ResultFrame):
                    return frame.results
                elif isinstance(frame, ErrorFrame):
                    _raise_error(frame)
                else:
                    raise FrameError.said("core.local.unexpected_frame", type=frame.type)
        except FrameError as exc:
            if not streamed:
                raise WarmUnavailable(str(exc)) from exc
            raise errors.BackendError.from_catalog(
                "core.local.warm_stopped",
                hint_key="core.local.warm_stopped_hint",
                log=str(socket_path(settings).with_suffix(".log")),
            ) from exc


def chat_batch(
    settings: Settings,
    conversations: Sequence[Sequence[ChatMessage]],
    *,
    model: str | None,
    params: GenerationParams,
) -> list[ChatResult]:
    request = ChatRequest(
        key=model_key(settings, model),
        conversations=[list(c) for c in conversations],
        params=params,
    )
    exchange = _exchange(settings, request)
    try:
        while True:
            next(exchange)
    except StopIteration as done:
        results: list[ChatResult] = done.value
    if len(results) != len(conversations):
        raise WarmUnavailable.said(
            "core.local.warm_answer_count", answers=len(results), conversations=len(conversations)
        )
    return results


def stream(
    settings: Settings,
    messages: Sequence[ChatMessage],
    *,
    model: str | None,
    params: GenerationParams,
) -> Generator[str, None, ChatResult]:
    request = ChatRequest(
        key=model_key(settings, model), conversations=[list(messages)], params=params, stream=True
    )
    results = yield from _exchange(settings, request)
    if len(results) != 1:
        raise errors.BackendError.from_catalog(
            "core.local.warm_no_final", hint_key="core.local.warm_no_final_hint"
        )
    return results[0]


# --- control: advisor backends warm start|stop|status ------------------------------------


def _ask(sock: socket.socket, request: PingRequest | StopRequest) -> StatusFrame | OkFrame:
    with sock:
        send_frame(sock, request)
        frame = recv_reply(sock)
    if not isinstance(frame, StatusFrame | OkFrame):
        raise FrameError.said("core.local.unexpected_frame", type=frame.type)
    return frame


def status(settings: Settings) -> StatusFrame | None:
    """The running server's status; None when none answers."""
    sock = _connect(socket_path(settings))
    if sock is None:
        return None
    try:
        frame = _ask(sock, PingRequest())
    except FrameError:
        return None
    return frame if isinstance(frame, StatusFrame) else None


def start_server(settings: Settings, model: str | None = None) -> StatusFrame:
    """Start (or find) the server and load ``model`` in it.

    Raises:
        BackendUnavailableError: the server cannot start here.
    """
    try:
        frame = _ask(start(settings, model), PingRequest())
    except (WarmUnavailable, FrameError) as exc:
        raise errors.BackendUnavailableError.from_catalog(
            "core.local.warm_cannot_start",
            hint_key="core.local.warm_cannot_start_hint",
            error=exc,  # a Said: quoted in the reader's language
            folder=str(warm_dir(settings)),
        ) from exc
    assert isinstance(frame, StatusFrame)
    return frame


def stop(settings: Settings) -> bool:
    """Ask the server to exit and wait until it has; False when none was running."""
    sock = _connect(socket_path(settings))
    if sock is None:
        return False
    with contextlib.suppress(FrameError):
        _ask(sock, StopRequest())
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while server_running(settings) and time.monotonic() < deadline:
        time.sleep(0.05)
    for process in _spawned:
        process.poll()  # reap it, if this process started it
    return True
