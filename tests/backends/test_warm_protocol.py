"""The warm local model's protocol and server, with a stand-in backend (no torch, no model)."""

from __future__ import annotations

import socket
import stat
import struct
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from advisor.errors import BackendUnavailableError, ModelNotFoundError
from advisor.settings import Settings
from backends.local import warm_client
from backends.local.warm import WarmServer, bind
from backends.local.warm_protocol import (
    MAX_FRAME,
    REPLY,
    REQUEST,
    ChatRequest,
    ChunkFrame,
    ErrorFrame,
    FrameError,
    PingRequest,
    ResultFrame,
    StatusFrame,
    encode_frame,
    ensure_private_dir,
    fingerprint,
    model_key,
    recv_reply,
    recv_request,
    send_frame,
    socket_path,
)
from backends.types import ChatMessage, ChatResult, ChatStream, GenerationParams

HI = [ChatMessage(role="user", content="hi")]


class StubBackend:
    """Answers ``echo: <last message>``; streams it word by word; can fail or block."""

    def __init__(self) -> None:
        self.fail: Exception | None = None
        self.gate = threading.Event()
        self.gate.set()

    def load(self, model: str | None = None) -> None:
        return None

    def _answer(self, conversation: Sequence[ChatMessage], model: str | None) -> ChatResult:
        self.gate.wait(10)
        if self.fail is not None:
            raise self.fail
        return ChatResult(
            text=f"echo: {conversation[-1].content}", model=model or "", backend="local"
        )

    def chat_batch(self, conversations: Any, *, model: str | None, params: Any) -> list[ChatResult]:
        return [self._answer(c, model) for c in conversations]

    def stream(self, messages: Any, *, model: str | None, params: Any) -> ChatStream:
        def chunks() -> Generator[str, None, ChatResult]:
            result = self._answer(messages, model)
            for word in result.text.split(" "):
                yield word + " "
            return result

        return ChatStream(chunks())


@pytest.fixture
def warm_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "d", cache_dir=tmp_path / "c", local={"warm": True})


@pytest.fixture
def served(warm_settings: Settings) -> Iterator[tuple[WarmServer, StubBackend]]:
    """A server on the settings' socket path, serving from a thread."""
    warm_settings.data_dir.mkdir(parents=True)
    path = socket_path(warm_settings)
    ensure_private_dir(path.parent)
    backend = StubBackend()
    server = WarmServer(warm_settings, bind(path), path, backend=backend)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield server, backend
    server.stopping.set()
    thread.join(10)
    server.listener.close()


# --- framing and models ----------------------------------------------------------------


def test_a_frame_is_a_big_endian_length_and_json() -> None:
    frame = encode_frame(PingRequest())
    assert frame[:4] == struct.pack(">I", len(frame) - 4)
    assert REQUEST.validate_json(frame[4:]) == PingRequest()


def test_frames_round_trip_over_a_socket_pair() -> None:
    left, right = socket.socketpair()
    with left, right:
        request = ChatRequest(key=model_key(Settings(), None), conversations=[HI], stream=True)
        send_frame(left, request)
        assert recv_request(right) == request
        send_frame(right, ChunkFrame(text="héllo"))
        assert recv_reply(left) == ChunkFrame(text="héllo")


def test_a_short_read_an_oversized_length_and_garbage_are_frame_errors() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(struct.pack(">I", 10) + b"{}")
        left.shutdown(socket.SHUT_WR)
        with pytest.raises(FrameError, match="closed"):
            recv_request(right)
    left, right = socket.socketpair()
    with left, right:
        left.sendall(struct.pack(">I", MAX_FRAME + 1))
        with pytest.raises(FrameError, match="exceeds"):
            recv_request(right)
    left, right = socket.socketpair()
    with left, right:
        left.sendall(struct.pack(">I", 13) + b'{"op": "rm"}\n')
        with pytest.raises(FrameError, match="not a request"):
            recv_request(right)


def test_a_receive_that_times_out_says_so() -> None:
    left, right = socket.socketpair()
    with left, right:
        right.settimeout(0.01)  # socket.timeout("timed out"); an empty OSError says it too
        with pytest.raises(FrameError, match=r"^cannot receive: timed out$"):
            recv_request(right)


def test_replies_are_told_apart_by_their_type() -> None:
    assert isinstance(REPLY.validate_json('{"type": "result", "results": []}'), ResultFrame)
    error = REPLY.validate_json('{"type": "error", "code": "busy", "message": "m"}')
    assert isinstance(error, ErrorFrame) and error.kind == "BackendError"


def test_the_key_names_the_adapter_and_the_settings_that_change_answers(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    key = model_key(settings, "local:ft:smollm2-135m-instruct:x:ftjob-abc")
    assert key.adapter == str((tmp_path / "adapters" / "ftjob-abc").resolve())
    assert model_key(settings, None).model == settings.local.model
    assert model_key(settings, None).adapter is None
    longer = Settings(data_dir=tmp_path, local={"max_new_tokens": 9})
    idle = Settings(data_dir=tmp_path, local={"warm_idle_s": 5, "warm": False})
    assert fingerprint(longer) != fingerprint(settings)
    assert fingerprint(idle) == fingerprint(settings)


def test_a_deep_data_dir_gets_a_socket_path_that_fits(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 120)
    path = socket_path(Settings(data_dir=deep))
    assert len(str(path)) <= 100 and deep not in path.parents


def test_a_folder_others_can_enter_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    with pytest.raises(PermissionError):
        ensure_private_dir(shared)


# --- the server, through the client ---------------------------------------------------


def test_the_socket_is_private_and_answers_status(served: Any, warm_settings: Settings) -> None:
    path = socket_path(warm_settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    status = warm_client.status(warm_settings)
    assert isinstance(status, StatusFrame) and status.socket == str(path)


def test_batch_and_stream_answers_come_back(served: Any, warm_settings: Settings) -> None:
    params = GenerationParams()
    results = warm_client.chat_batch(warm_settings, [HI, HI], model=None, params=params)
    assert [r.text for r in results] == ["echo: hi", "echo: hi"]
    stream = ChatStream(warm_client.stream(warm_settings, HI, model="m", params=params))
    assert list(stream) == ["echo: ", "hi "]
    assert stream.result is not None and stream.result.model == "m"
    assert served[0].status().requests == 2


def test_a_key_mismatch_sends_the_client_back_to_in_process(
    served: Any, warm_settings: Settings
) -> None:
    other = warm_settings.model_copy(
        update={"local": warm_settings.local.model_copy(update={"max_new_tokens": 3})}
    )
    request = ChatRequest(key=model_key(other, None), conversations=[HI])
    sock = warm_client._connect(socket_path(warm_settings))
    assert sock is not None
    with sock:
        send_frame(sock, request)
        reply = recv_reply(sock)
    assert isinstance(reply, ErrorFrame) and reply.code == "key_mismatch"
    with pytest.raises(warm_client.WarmUnavailable):
        warm_client._raise_error(reply)


def test_errors_come_back_as_the_same_class(served: Any, warm_settings: Settings) -> None:
    served[1].fail = ModelNotFoundError("no such model", hint="pick another")
    with pytest.raises(ModelNotFoundError, match="pick another"):
        warm_client.chat_batch(warm_settings, [HI], model=None, params=GenerationParams())
    served[1].fail = RuntimeError("boom")
    with pytest.raises(Exception, match="boom"):
        warm_client.chat_batch(warm_settings, [HI], model=None, params=GenerationParams())
    assert served[0].status().requests == 2  # and it keeps serving


def test_a_request_that_waits_too_long_is_told_the_model_is_busy(
    tmp_path: Path, warm_settings: Settings, served: Any
) -> None:
    server, backend = served
    server.settings = server.settings.model_copy(
        update={"local": server.settings.local.model_copy(update={"warm_wait_s": 0.2})}
    )
    backend.gate.clear()  # the first request holds the generation lock
    first = threading.Thread(
        target=warm_client.chat_batch,
        args=(warm_settings, [HI]),
        kwargs={"model": None, "params": GenerationParams()},
        daemon=True,
    )
    first.start()
    time.sleep(0.3)
    try:
        with pytest.raises(BackendUnavailableError, match="busy"):
            warm_client.chat_batch(warm_settings, [HI], model=None, params=GenerationParams())
    finally:
        backend.gate.set()
        first.join(10)


def test_a_stale_socket_is_not_connected_to_and_is_replaced(warm_settings: Settings) -> None:
    path = socket_path(warm_settings)
    ensure_private_dir(path.parent)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # the file stays, nobody listens: a crashed server's leftover
    assert path.exists() and warm_client._connect(path) is None
    assert warm_client.status(warm_settings) is None
    listener = bind(path)
    with listener:
        assert warm_client._connect(path) is not None


@pytest.mark.parametrize("how", ["idle", "socket removed", "data dir removed"])
def test_the_server_exits_when_idle_or_orphaned(warm_settings: Settings, how: str) -> None:
    idle_s = 0.2 if how == "idle" else 600.0
    settings = warm_settings.model_copy(
        update={"local": warm_settings.local.model_copy(update={"warm_idle_s": idle_s})}
    )
    settings.data_dir.mkdir(parents=True)
    path = socket_path(settings)
    ensure_private_dir(path.parent)
    server = WarmServer(settings, bind(path), path, backend=StubBackend())
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    if how == "socket removed":
        path.unlink()
    elif how == "data dir removed":
        import shutil

        shutil.rmtree(settings.data_dir)
    thread.join(10)
    server.listener.close()
    assert not thread.is_alive()


# --- the backend falls back to loading the model itself ----------------------------------


class _LoadedHere(Exception):
    """Raised by a patched LocalBackend.load: the backend went for an in-process model."""


def test_without_a_warm_server_the_backend_loads_the_model_itself(
    warm_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backends.local import LocalBackend

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise warm_client.WarmUnavailable("cannot start here")

    def load(self: Any, model: str | None = None) -> Any:
        raise _LoadedHere

    monkeypatch.setattr(warm_client, "start", unavailable)
    monkeypatch.setattr(LocalBackend, "load", load)
    backend = LocalBackend(warm_settings)
    with pytest.raises(_LoadedHere):
        backend.chat(HI)
    with pytest.raises(_LoadedHere):
        list(backend.stream(HI))


def test_with_warm_off_the_server_is_never_asked(
    warm_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backends.local import LocalBackend

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("local.warm = false must not reach the warm server")

    def load(self: Any, model: str | None = None) -> Any:
        raise _LoadedHere

    monkeypatch.setattr(warm_client, "start", forbidden)
    monkeypatch.setattr(LocalBackend, "load", load)
    off = warm_settings.model_copy(
        update={"local": warm_settings.local.model_copy(update={"warm": False})}
    )
    with pytest.raises(_LoadedHere):
        LocalBackend(off).stream(HI)
    with pytest.raises(_LoadedHere):
        LocalBackend(off).chat(HI)


def test_an_orphan_removes_its_files_from_tmp(tmp_path: Path) -> None:
    from backends.local.warm import _tidy_orphan

    settings = Settings(data_dir=tmp_path / ("x" * 120))
    path = socket_path(settings)
    ensure_private_dir(path.parent)
    for suffix in (".lock", ".log"):
        path.with_suffix(suffix).touch()
    _tidy_orphan(settings.model_copy(update={"data_dir": tmp_path}), path)  # data dir exists
    assert path.with_suffix(".lock").exists()
    _tidy_orphan(settings, path)  # never created: gone
    assert not path.parent.exists()
