"""Run grader code in a bubblewrap sandbox, and read its results with bounded memory.

The product starts ``bwrap`` (bubblewrap, the sandbox Flatpak uses), which
starts the harness (``_sandbox_child.py``) in fresh user, pid, network, ipc,
uts and cgroup namespaces, with a read-only view of the interpreter and system
libraries, a size-capped private ``/tmp``, its own ``/proc`` and an empty
environment.  docs/security.md explains each flag.

The harness writes results to a pipe passed as an extra file descriptor; the
grader's own stdout and stderr are a separate pipe, read as logs in bounded
chunks and never parsed.  A run past its wall-clock budget, or one that prints
more than :data:`OUTPUT_CAP`, is ended by killing bwrap's process group: the
harness (pid 1 of the sandbox's pid namespace) dies with bwrap, and every
process inside dies with it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor import messages

HARNESS = Path(__file__).with_name("_sandbox_child.py")
#: Where :func:`find_bwrap` looks (a ``PATH``-style string); ``None`` means ``$PATH``.
BWRAP_SEARCH_PATH: str | None = None
OUTPUT_CAP = 1024 * 1024  # bytes of grader stdout + stderr read before the run is killed
LOG_TAIL = 2000  # characters of that output kept for error details
DISK_MB = 128  # size of the private /tmp, the only writable place
STARTUP_S = 10.0  # wall-clock allowance for starting bwrap and the interpreter
#: The only environment grader code sees; nothing is passed from the product's.
SANDBOX_ENV = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "PYTHONDONTWRITEBYTECODE": "1",
}
_SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")


@dataclass
class Outcome:
    """What came back from one harness run."""

    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    log: str = ""
    failure: str | None = None  # why cases without a result have none


def find_bwrap() -> str | None:
    """The bwrap executable, or ``None`` off Linux or when it is not installed."""
    if not sys.platform.startswith("linux"):
        return None
    return shutil.which("bwrap", path=BWRAP_SEARCH_PATH)


@functools.lru_cache(maxsize=4)
def probe(bwrap: str) -> str | None:
    """``None`` when bwrap can build our sandbox here, else its complaint (cached)."""
    if not _supports(bwrap, "--size"):
        return "it is too old to cap the size of /tmp; bubblewrap 0.7 or later is needed"
    argv = _argv(bwrap, [], [interpreter(), "-I", "-S", "-c", ""])
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode == 0:
        return None
    return (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]


def unavailable_reason() -> messages.Localized | None:
    """Why code graders cannot be sandboxed here (a catalog message); ``None`` when they can."""
    bwrap = find_bwrap()
    if bwrap is None:
        if sys.platform.startswith("linux"):
            return messages.Localized("core.graders.no_bwrap")
        return messages.Localized("core.graders.no_bwrap_on", {"platform": sys.platform})
    problem = probe(bwrap)
    if problem is None:
        return None
    return messages.Localized("core.graders.sandbox_broken", {"problem": problem})


@functools.lru_cache(maxsize=4)
def _supports(bwrap: str, option: str) -> bool:
    try:
        done = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return option in done.stdout + done.stderr


def _namespace_flags(bwrap: str) -> list[str]:
    flags = [
        "--unshare-user",  # own user namespace: no capabilities on the host
        "--unshare-pid",  # own pid namespace: sees only its own processes
        "--as-pid-1",  # the harness is pid 1: no bwrap init whose memory grader code could write
        "--unshare-net",  # own network namespace with no interfaces up: no network
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--uid", "65534", "--gid", "65534",  # nobody inside
        "--cap-drop", "ALL",
        "--die-with-parent",  # dies if the product dies
        "--new-session",  # no controlling terminal: no TIOCSTI keystroke injection
        "--clearenv",
    ]  # fmt: skip
    if _supports(bwrap, "--disable-userns"):
        flags.append("--disable-userns")  # no nested user namespaces (kernel attack surface)
    return flags


def _read_only_binds() -> list[str]:
    binds: list[str] = []
    for path in _SYSTEM_PATHS:
        if os.path.islink(path):  # merged /usr: /lib -> usr/lib
            binds += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            binds += ["--ro-bind", path, path]
    for path in _ETC_FILES:
        binds += ["--ro-bind-try", path, path]
    # An interpreter outside /usr (pyenv, uv, a source build): the binary, its standard
    # library and its shared library only, never the whole prefix (which may be a home).
    for path in _interpreter_files():
        if not path.startswith("/usr/"):
            binds += ["--ro-bind", path, path]
    return binds


def _interpreter_files() -> list[str]:
    files = [interpreter(), os.path.realpath(os.path.dirname(os.__file__))]
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        libdir, soname = sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("INSTSONAME")
        library = os.path.join(str(libdir), str(soname))
        if os.path.exists(library):
            files.append(os.path.realpath(library))
    return files


def interpreter() -> str:
    """The real interpreter behind ``sys.executable`` (a venv's python is a link to it)."""
    return os.path.realpath(sys.executable)


def bwrap_argv(bwrap: str, request: Path, result_fd: int) -> list[str]:
    """The command line that runs the harness on ``request``, writing results to ``result_fd``."""
    harness = ["--ro-bind", str(HARNESS), "/sandbox/harness.py"]
    harness += ["--ro-bind", str(request), "/sandbox/request.json"]
    command = [interpreter(), "-I", "-S", "-B", "/sandbox/harness.py", str(result_fd)]
    return _argv(bwrap, harness, [*command, "/sandbox/request.json"])


def _argv(bwrap: str, binds: list[str], command: list[str]) -> list[str]:
    env = [arg for key, value in SANDBOX_ENV.items() for arg in ("--setenv", key, value)]
    return [
        bwrap,
        *_namespace_flags(bwrap),
        *env,
        *_read_only_binds(),
        *binds,
        "--proc", "/proc",  # a new procfs: only the sandbox's processes
        "--dev", "/dev",  # null, zero, random, urandom, tty; no disks
        "--size", str(DISK_MB * 1024 * 1024), "--perms", "1777", "--tmpfs", "/tmp",
        "--remount-ro", "/",
        "--chdir", "/tmp",
        "--hostname", "grader",
        "--",
        *command,
    ]  # fmt: skip


def run(request: dict[str, Any], budget_s: float, *, sandboxed: bool) -> Outcome:
    """Run the harness on ``request``; results by case index, with the grader's log."""
    with tempfile.TemporaryDirectory(prefix="advisor-grader-") as workdir:
        request_file = Path(workdir) / "request.json"
        request_file.write_text(json.dumps(request), encoding="utf-8")
        result_r, result_w = os.pipe()
        try:
            if sandboxed:
                bwrap = find_bwrap()
                assert bwrap is not None
                argv = bwrap_argv(bwrap, request_file, result_w)
                cwd = "/"
                env = {"PATH": SANDBOX_ENV["PATH"], "LANG": "C.UTF-8"}
            else:  # trusted code only: docs/security.md
                harness = [str(HARNESS), str(result_w), str(request_file)]
                argv = [interpreter(), "-I", "-S", "-B", *harness]
                cwd = workdir
                env = {**SANDBOX_ENV, "HOME": workdir, "TMPDIR": workdir}
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(result_w,),
                cwd=cwd,
                env=env,
                start_new_session=True,  # one process group to kill
            )
        except OSError:
            os.close(result_r)
            raise
        finally:
            os.close(result_w)
        return _collect(process, result_r, budget_s, expected=len(request["cases"]))


def _collect(
    process: subprocess.Popen[bytes], result_r: int, budget_s: float, expected: int
) -> Outcome:
    """Read results and logs until both pipes close, the budget ends or the output cap is hit."""
    assert process.stdout is not None
    outcome = Outcome()
    log_fd = process.stdout.fileno()
    selector = selectors.DefaultSelector()
    selector.register(log_fd, selectors.EVENT_READ)
    selector.register(result_r, selectors.EVENT_READ)
    deadline = time.monotonic() + budget_s
    printed, tail, pending = 0, b"", b""
    result_cap = 16384 * (expected + 1)  # a line is at most ~7 kB: an escaped 1000-char error
    try:
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                outcome.failure = f"timeout: the grader ran past {budget_s:.0f} s"
                break
            for key, _ in selector.select(left):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fd)
                elif key.fd == log_fd:
                    printed += len(chunk)
                    tail = (tail + chunk)[-LOG_TAIL * 4 :]
                else:
                    pending += chunk
            if printed > OUTPUT_CAP:
                outcome.failure = f"output limit: the grader printed more than {OUTPUT_CAP} bytes"
                break
            if len(pending) > result_cap:
                outcome.failure = "the sandbox sent more results than asked for"
                break
    finally:
        selector.close()
        _kill_group(process)
        os.close(result_r)
        process.stdout.close()
    outcome.log = tail.decode("utf-8", "replace")[-LOG_TAIL:]
    _parse_results(pending, expected, outcome)
    if outcome.failure is None and len(outcome.results) < expected:
        last = outcome.log.strip().splitlines()[-1:] or [f"exit status {process.returncode}"]
        outcome.failure = f"the grader sandbox failed: {last[0]}"
    return outcome


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill bwrap's process group (and so the sandbox's pid namespace); reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _parse_results(data: bytes, expected: int, outcome: Outcome) -> None:
    """Keep well-formed lines for known, not yet answered cases; the grader writes none."""
    for line in data.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        index = message.get("i") if isinstance(message, dict) else None
        if type(index) is int and 0 <= index < expected and index not in outcome.results:
            outcome.results[index] = message
