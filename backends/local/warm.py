"""``python -m backends.local.warm``: one long-lived local model process for every command.

Loading dominates a short local command (issue 19: about 85% of a cold 7 s
answer), so the first local generation starts this server detached and later
``advisor chat``, ``ask``, bench workers and the wizard send their requests to
it over a Unix socket (:mod:`backends.local.warm_protocol`) instead of loading
the model again.  It answers through an ordinary in-process
:class:`~backends.local.backend.LocalBackend`, so its answers are the ones the
caller would have computed itself.

* One generation at a time (one lock): concurrent clients queue; a request that
  waits longer than ``local.warm_wait_s`` gets a ``busy`` error, and heartbeats
  every :data:`HEARTBEAT_S` let a client tell a slow answer from a dead server.
* It exits after ``local.warm_idle_s`` without a request, on a ``stop`` request
  or SIGTERM, and as soon as its socket file is removed or replaced or the data
  directory disappears (a test's temporary folder, ``rm -rf`` of the data dir).
* The socket is 0600 in a 0700 folder: only this user can ask it anything.
* A flock on ``<fingerprint>.lock`` makes it the only server for its socket;
  the kernel frees the lock however it dies, so a leftover socket is stale.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

from advisor.errors import AdvisorError, BackendError, BackendUnavailableError
from advisor.settings import Settings, load_settings
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
    WaitFrame,
    ensure_private_dir,
    error_frame,
    fingerprint,
    lock_path,
    model_key,
    recv_request,
    send_frame,
    socket_path,
    try_flock,
)

WATCH_S = 1.0  # how often the accept loop looks at the idle clock and the socket file
READ_REQUEST_S = 30.0  # a client that connects and sends nothing is dropped
_Frame = WaitFrame | ChunkFrame | ResultFrame | ErrorFrame


def server_settings() -> Settings:
    """The settings the starting client handed over (``SETTINGS_ENV``), never warm itself."""
    raw = os.environ.get(SETTINGS_ENV)
    settings = Settings(**json.loads(raw)) if raw else load_settings()
    local = settings.local.model_copy(update={"warm": False})
    return settings.model_copy(update={"local": local})


class WarmServer:
    """Accepts connections on ``listener`` and answers them with one local backend."""

    def __init__(
        self, settings: Settings, listener: socket.socket, path: Path, backend: Any = None
    ) -> None:
        from backends.local.backend import LocalBackend

        self.settings = settings
        self.listener = listener
        self.path = path
        self.inode = path.stat().st_ino
        # ``backend``: a stand-in with chat_batch/stream/load, for the protocol's tests.
        self.backend = backend if backend is not None else LocalBackend(settings)
        self.generation = threading.Lock()  # one generation at a time: the cores are few
        self.state = threading.Lock()
        self.active = 0
        self.requests = 0
        self.started_at = time.time()
        self.last_done = time.monotonic()
        self.loaded: list[str] = []
        self.stopping = threading.Event()

    # --- lifetime -----------------------------------------------------------------

    def serve(self) -> None:
        self.listener.settimeout(WATCH_S)
        while not self.stopping.is_set() and not self._should_exit():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _should_exit(self) -> bool:
        if not self.settings.data_dir.is_dir():
            return True
        try:
            if self.path.stat().st_ino != self.inode:
                return True  # another server (or a person) replaced the socket
        except OSError:
            return True
        with self.state:
            idle = time.monotonic() - self.last_done
            return self.active == 0 and idle > self.settings.local.warm_idle_s

    def preload(self, model: str | None) -> None:
        """Load ``model`` now, in the background, so the first request finds it loading."""

        def work() -> None:
            # A failure here is reported properly by the request that needs the model.
            with self.generation, contextlib.suppress(Exception):
                # The configured engine's load (torch or onnx); test stand-ins have only load.
                getattr(self.backend, "preload", self.backend.load)(model)
                self._note_loaded(model)

        threading.Thread(target=work, daemon=True).start()

    def _note_loaded(self, model: str | None) -> None:
        name = model or self.settings.local.model
        with self.state:
            if name in self.loaded:
                self.loaded.remove(name)
            self.loaded.append(name)
            del self.loaded[:-2]  # the backend's cache holds two

    def status(self) -> StatusFrame:
        with self.state:
            return StatusFrame(
                pid=os.getpid(),
                socket=str(self.path),
                fingerprint=fingerprint(self.settings),
                models=list(self.loaded),
                started_at=self.started_at,
                idle_s=0.0 if self.active else time.monotonic() - self.last_done,
                idle_timeout_s=self.settings.local.warm_idle_s,
                requests=self.requests,
                busy=self.active > 0,
            )

    # --- one connection -----------------------------------------------------------

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(READ_REQUEST_S)
            try:
                request = recv_request(conn)
            except FrameError as exc:
                with contextlib.suppress(FrameError):
                    send_frame(conn, error_frame(exc, "bad_request"))
                return
            with contextlib.suppress(FrameError):  # a client that left needs no answer
                if isinstance(request, PingRequest):
                    send_frame(conn, self.status())
                elif isinstance(request, ChatRequest):
                    self._answer(conn, request)
                else:
                    send_frame(conn, OkFrame())
                    self.stopping.set()

    def _answer(self, conn: socket.socket, request: ChatRequest) -> None:
        expected = model_key(self.settings, request.key.model)
        if expected != request.key:
            held = Said.said("core.local.warm_key_mismatch", held=expected.model_dump_json())
            send_frame(conn, error_frame(held, "key_mismatch"))
            return
        events: queue.Queue[_Frame] = queue.Queue()
        left = threading.Event()
        phase = ["queued"]
        with self.state:
            self.active += 1
            self.requests += 1
        try:
            worker = threading.Thread(
                target=self._generate, args=(request, events, left, phase), daemon=True
            )
            worker.start()
            while True:
                try:
                    frame: _Frame = events.get(timeout=HEARTBEAT_S)
                except queue.Empty:
                    frame = WaitFrame.model_validate({"state": phase[0]})
                send_frame(conn, frame)
                if isinstance(frame, ResultFrame | ErrorFrame):
                    return
        except FrameError:
            left.set()  # the client went away; stop streaming to nobody
        finally:
            with self.state:
                self.active -= 1
                self.last_done = time.monotonic()

    def _generate(
        self,
        request: ChatRequest,
        events: queue.Queue[_Frame],
        left: threading.Event,
        phase: list[str],
    ) -> None:
        wait_s = self.settings.local.warm_wait_s
        if not self.generation.acquire(timeout=wait_s):
            busy = BackendUnavailableError.from_catalog(
                "core.local.warm_busy",
                hint_key="core.local.warm_busy_hint",
                seconds=f"{wait_s:.0f}",
            )
            events.put(error_frame(busy, "busy"))
            return
        try:
            if left.is_set():
                return
            phase[0] = "generating"
            events.put(self._run(request, events, left))
        except AdvisorError as exc:  # its key and values travel: the client may read Japanese
            events.put(error_frame(exc))
        except Exception as exc:  # reported to the client; the server keeps serving
            failed = BackendError.from_catalog(
                "core.local.warm_failed",
                hint_key="core.local.warm_failed_hint",
                error=f"{type(exc).__name__}: {exc}",  # the library's words, as they are
            )
            events.put(error_frame(failed))
        finally:
            self.generation.release()

    def _run(
        self, request: ChatRequest, events: queue.Queue[_Frame], left: threading.Event
    ) -> ResultFrame:
        model = request.key.model
        if not request.stream:
            results = self.backend.chat_batch(
                request.conversations, model=model, params=request.params
            )
            self._note_loaded(model)
            return ResultFrame(results=results)
        stream = self.backend.stream(request.conversations[0], model=model, params=request.params)
        self._note_loaded(model)
        for piece in stream:
            if left.is_set():
                break
            events.put(ChunkFrame(text=piece))
        return ResultFrame(results=[stream.result] if stream.result is not None else [])


def bind(path: Path) -> socket.socket:
    """A listening socket at ``path``, 0600 from the moment it exists (umask)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # we hold the lock, so a socket file left here is stale
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(str(path))
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    listener.listen(16)
    return listener


def _tidy_orphan(settings: Settings, path: Path) -> None:
    """With its data dir gone, remove the files a /tmp socket folder would keep forever."""
    if settings.data_dir.exists() or settings.data_dir in path.parents:
        return
    for leftover in (path.with_suffix(".lock"), path.with_suffix(".log")):
        with contextlib.suppress(OSError):
            leftover.unlink()
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # only when empty


def main(argv: list[str] | None = None) -> int:
    """Serve until idle, stopped or orphaned; 0 also when another server already serves."""
    args = sys.argv[1:] if argv is None else argv
    model = args[args.index("--model") + 1] if "--model" in args else None
    settings = server_settings()
    path = socket_path(settings)
    ensure_private_dir(path.parent)
    lock = try_flock(lock_path(settings))
    if lock is None:
        return 0  # another server won the start race; the client connects to it
    try:
        listener = bind(path)
        server = WarmServer(settings, listener, path)
        signal.signal(signal.SIGTERM, lambda *_: server.stopping.set())
        server.preload(model)
        try:
            server.serve()
        finally:
            listener.close()
            with contextlib.suppress(OSError):
                if path.stat().st_ino == server.inode:
                    path.unlink()
    finally:
        os.close(lock)
        _tidy_orphan(settings, path)
    # Daemon threads may still be generating for a client that left: do not wait.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
