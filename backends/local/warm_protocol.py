"""The warm local model's wire format: length-prefixed JSON frames over a Unix socket.

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON, one
pydantic model each (:data:`Request` from the client, :data:`Reply` from the
server).  One connection carries one request; the server answers with any
number of :class:`WaitFrame` (heartbeats while the request queues or
generates, so a client can tell a slow answer from a dead server) and
:class:`ChunkFrame` (streamed text), then exactly one :class:`ResultFrame`,
:class:`StatusFrame`, :class:`OkFrame` or :class:`ErrorFrame`.

Every request names a :class:`WarmKey`: the settings that decide what a model
answers (fingerprint), the model, its adapter folder, dtype and device.  The
server refuses a request whose key differs from the key it computes itself,
so a client never gets an answer from another model than the one it asked for.

An error crosses the socket as its catalog key and values (:func:`error_frame`,
:func:`error_of`), not only as English text: the client raises it again able to
say it in its reader's language.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, TypeAdapter

from advisor import errors, messages
from advisor.ids import LOCAL_FT_PREFIX, ModelRef
from advisor.precision import resolved_dtype
from backends.types import ChatMessage, ChatResult, GenerationParams

if TYPE_CHECKING:
    from advisor.settings import Settings

MAX_FRAME = 64 * 1024 * 1024  # a bench batch of long prompts stays far below this
HEARTBEAT_S = 2.0  # the server sends a WaitFrame at least this often while it works
SOCKET_NAME = "warm.sock"
LOCK_NAME = "warm.lock"
SETTINGS_ENV = "ADVISOR_WARM_SETTINGS"  # the client's settings, handed to the server it starts
_SUN_PATH_MAX = 100  # sockaddr_un holds 104-108 bytes depending on the platform
# Settings that change nothing a model answers: left out of the fingerprint.
_NOT_IN_FINGERPRINT = {"warm", "warm_idle_s", "warm_wait_s", "threads"}


class Said(Exception):
    """An internal exception whose sentence is a catalog message (``core.local.*``).

    People read it only quoted in an :class:`~advisor.errors.AdvisorError` (``{error}``);
    :meth:`localized` lets the quote follow the reader's language.
    """

    sentence: messages.Localized | None = None  # set by said(); None: raised with plain text

    @classmethod
    def said(cls, key: str, **values: Any) -> Self:
        sentence = messages.Localized(key, values)
        said = cls(str(sentence))
        said.sentence = sentence
        return said

    def localized(self, lang: str) -> str:
        return str(self) if self.sentence is None else self.sentence.localized(lang)


class FrameError(Said):
    """A frame could not be read or written: the peer closed, timed out or sent garbage."""


class WarmKey(BaseModel):
    """What a request must be answered with; compared whole by the server."""

    fingerprint: str
    model: str
    adapter: str | None = None
    dtype: str
    device: str


class PingRequest(BaseModel):
    op: Literal["ping"] = "ping"


class StopRequest(BaseModel):
    op: Literal["stop"] = "stop"


class ChatRequest(BaseModel):
    """Answer ``conversations`` (``stream``: exactly one, its text streamed in chunks)."""

    op: Literal["chat"] = "chat"
    key: WarmKey
    conversations: list[list[ChatMessage]]
    params: GenerationParams = Field(default_factory=GenerationParams)
    stream: bool = False


Request = Annotated[PingRequest | StopRequest | ChatRequest, Field(discriminator="op")]


class WaitFrame(BaseModel):
    type: Literal["wait"] = "wait"
    state: Literal["queued", "loading", "generating"] = "queued"


class ChunkFrame(BaseModel):
    type: Literal["chunk"] = "chunk"
    text: str


class ResultFrame(BaseModel):
    type: Literal["result"] = "result"
    results: list[ChatResult]


class StatusFrame(BaseModel):
    """``advisor backends warm status``: who serves, what it holds, how busy it is."""

    type: Literal["status"] = "status"
    pid: int
    socket: str
    fingerprint: str
    models: list[str] = Field(default_factory=list, description="Loaded, most recent last.")
    started_at: float
    idle_s: float = Field(description="Seconds since the last request ended.")
    idle_timeout_s: float
    requests: int = Field(default=0, description="Chat requests received.")
    busy: bool = False


class OkFrame(BaseModel):
    type: Literal["ok"] = "ok"


class Quoted(BaseModel):
    """A message value that is not plain JSON (a nested message, a quoted error), as text
    in each language; filled into the client's message like the object it stands for."""

    texts: dict[str, str]

    @classmethod
    def of(cls, value: Any) -> Self:
        """``value`` as each language's message fills it (:func:`advisor.messages.in_lang`)."""
        return cls(texts={lang: str(messages.in_lang(value, lang)) for lang in messages.LANGS})

    def __str__(self) -> str:
        return self.texts.get("en", "")

    def localized(self, lang: str) -> str:
        return self.texts.get(lang, str(self))


WireValue = str | int | float | bool | None | Quoted


class ErrorFrame(BaseModel):
    """A failure; ``kind`` names an :mod:`advisor.errors` class the client raises again.

    ``message`` and ``hint`` are the English text; ``key``, ``hint_key`` and ``values``
    (an error from the catalog) let the client show it in another language, and
    ``path`` and ``line`` are a :class:`~advisor.errors.DataFileError`'s place.
    """

    type: Literal["error"] = "error"
    code: Literal["key_mismatch", "busy", "bad_request", "failed"]
    kind: str = "BackendError"
    message: str
    hint: str | None = None
    key: str | None = None
    hint_key: str | None = None
    values: dict[str, WireValue] = Field(default_factory=dict)
    path: str | None = None
    line: int | None = None


Reply = Annotated[
    WaitFrame | ChunkFrame | ResultFrame | StatusFrame | OkFrame | ErrorFrame,
    Field(discriminator="type"),
]
REQUEST: TypeAdapter[PingRequest | StopRequest | ChatRequest] = TypeAdapter(Request)
REPLY: TypeAdapter[WaitFrame | ChunkFrame | ResultFrame | StatusFrame | OkFrame | ErrorFrame] = (
    TypeAdapter(Reply)
)


# --- errors across the socket ---------------------------------------------------------


def wire_values(values: Mapping[str, Any]) -> dict[str, WireValue]:
    """A message's values as JSON: plain ones as they are, others as text in each language."""
    return {
        name: value
        if value is None or isinstance(value, str | int | float | bool)
        else Quoted.of(value)
        for name, value in values.items()
    }


def error_frame(
    exc: errors.AdvisorError | Said,
    code: Literal["key_mismatch", "busy", "bad_request", "failed"] = "failed",
) -> ErrorFrame:
    """``exc`` as the frame that makes the client raise it again (an :class:`AdvisorError`)."""
    if isinstance(exc, Said):
        said = exc.sentence
        return ErrorFrame(
            code=code,
            message=str(exc),
            key=said.key if said else None,
            values=wire_values(said.values if said else {}),
        )
    where = exc if isinstance(exc, errors.DataFileError) else None
    return ErrorFrame(
        code=code,
        kind=type(exc).__name__,
        message=exc.message,
        hint=exc.hint,
        key=exc.key,
        hint_key=exc.hint_key,
        values=wire_values(exc.values),
        path=where.path if where else None,
        line=where.line if where else None,
    )


def error_of(frame: ErrorFrame) -> errors.AdvisorError:
    """The error ``frame`` reports, as the :mod:`advisor.errors` class it names.

    The English is the server's own text; a key this installation's catalog knows
    makes the error speak the reader's language too (:meth:`AdvisorError.localized`).
    """
    found = getattr(errors, frame.kind, None)
    cls: type[errors.AdvisorError] = errors.BackendError
    if isinstance(found, type) and issubclass(found, errors.AdvisorError):
        cls = found
    known = messages.catalog().keys()
    keyed = frame.key in known and (frame.hint_key is None or frame.hint_key in known)
    if issubclass(cls, errors.DataFileError):
        if keyed and frame.key is not None:  # its place comes with it
            return cls.from_catalog(
                frame.key, hint_key=frame.hint_key, path=frame.path, line=frame.line, **frame.values
            )
        cls = errors.BackendError  # its constructor needs a path the frame may not have
    error = cls(frame.message, hint=frame.hint)
    if keyed and frame.key is not None:  # the English stays the server's own
        values = dict(frame.values)
        hint = None if frame.hint_key is None else messages.Localized(frame.hint_key, values)
        error.saying(messages.Localized(frame.key, values), hint)
    return error


# --- framing ----------------------------------------------------------------------------


def encode_frame(message: BaseModel) -> bytes:
    body = message.model_dump_json().encode("utf-8")
    if len(body) > MAX_FRAME:
        raise FrameError.said("core.local.frame_too_big", size=len(body), limit=MAX_FRAME)
    return struct.pack(">I", len(body)) + body


def send_frame(sock: socket.socket, message: BaseModel) -> None:
    try:
        sock.sendall(encode_frame(message))
    except OSError as exc:  # BrokenPipe, timeout, reset
        raise FrameError.said("core.local.cannot_send", error=exc) from exc


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        try:
            chunk = sock.recv(min(remaining, 1 << 20))
        except OSError as exc:  # includes socket.timeout
            raise FrameError.said("core.local.cannot_receive", error=exc or "timed out") from exc
        if not chunk:
            raise FrameError.said("core.local.peer_closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv_body(sock: socket.socket) -> bytes:
    """One frame's JSON bytes; :class:`FrameError` on a short read or an oversized length."""
    (size,) = struct.unpack(">I", _recv_exact(sock, 4))
    if size > MAX_FRAME:
        raise FrameError.said("core.local.frame_too_big", size=size, limit=MAX_FRAME)
    return _recv_exact(sock, size)


def recv_request(sock: socket.socket) -> PingRequest | StopRequest | ChatRequest:
    try:
        return REQUEST.validate_json(recv_body(sock))
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise FrameError.said("core.local.not_a_request", error=exc) from exc


def recv_reply(
    sock: socket.socket,
) -> WaitFrame | ChunkFrame | ResultFrame | StatusFrame | OkFrame | ErrorFrame:
    try:
        return REPLY.validate_json(recv_body(sock))
    except ValueError as exc:
        raise FrameError.said("core.local.not_a_reply", error=exc) from exc


# --- keys and places --------------------------------------------------------------------


def fingerprint(settings: Settings) -> str:
    """A digest of the settings that decide what the local model answers."""
    local = settings.local.model_dump(mode="json", exclude=_NOT_IN_FINGERPRINT)
    data = {
        "local": local,
        "data_dir": str(settings.data_dir.resolve()),
        "cache_dir": str(settings.cache_dir.resolve()),
        "offline": settings.offline,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def model_key(settings: Settings, model: str | None) -> WarmKey:
    """The key a request for ``model`` (None: the default) carries under ``settings``."""
    name = model or settings.local.model
    adapter = None
    if name.startswith(LOCAL_FT_PREFIX):
        ref = ModelRef.parse(name)
        if ref.job_id is not None:
            adapter = str((settings.adapters_dir / ref.job_id).resolve())
    return WarmKey(
        fingerprint=fingerprint(settings),
        model=name,
        adapter=adapter,
        # A server holding float32 weights must not answer a client that asked bfloat16.
        dtype=resolved_dtype(settings),
        device=settings.local.device,
    )


def warm_dir(settings: Settings) -> Path:
    """The folder of the socket and lock: ``<data dir>/warm``, or a short one under /tmp."""
    preferred = settings.data_dir / "warm"
    if len(str(preferred / f"{fingerprint(settings)}.sock")) <= _SUN_PATH_MAX:
        return preferred
    # A deep data dir (pytest's temp folders) does not fit in sockaddr_un: a per-user
    # folder named after the data dir; the server also watches the data dir itself.
    digest = hashlib.sha256(str(settings.data_dir.resolve()).encode()).hexdigest()[:12]
    return Path("/tmp") / f"advisor-warm-{os.getuid()}" / digest


def socket_path(settings: Settings) -> Path:
    """One server per data dir and settings fingerprint."""
    return warm_dir(settings) / f"{fingerprint(settings)}.sock"


def lock_path(settings: Settings) -> Path:
    return warm_dir(settings) / f"{fingerprint(settings)}.lock"


# --- the server's lock and folder -------------------------------------------------------


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` as 0700; refuse one that another user owns or others can enter.

    Raises:
        PermissionError: the folder is not this user's alone (someone could swap the socket).
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{path} is not private to this user (mode {info.st_mode & 0o777:o})")


def try_flock(path: Path) -> int | None:
    """An fd holding ``path``'s exclusive lock, or None while another process holds it."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def server_running(settings: Settings) -> bool:
    """True while a server holds the lock (the kernel frees it when the server dies)."""
    path = lock_path(settings)
    if not path.exists():
        return False
    fd = try_flock(path)
    if fd is None:
        return True
    os.close(fd)
    return False
