"""The trusted harness inside the grader sandbox; run as ``python -I -S -B harness.py FD REQUEST``.

Standard library only, and nothing from the product: it runs inside bubblewrap
(see ``sandbox.py``), where only the interpreter and this file are visible.

Two processes, so that grader code never holds the result channel:

* the **harness** (this process) reads the request file, keeps file
  descriptor ``FD`` (the result pipe to the product), makes itself
  non-dumpable (no ptrace, no ``/proc/<pid>/fd`` access from grader code) and
  forks a worker;
* the **worker** closes ``FD``, sets its resource limits, installs a seccomp
  filter (no new processes, no programs, no ptrace) and only then compiles and
  runs the grader source.  It answers one line per case over its own pipe.

The harness gives each ``grade()`` call ``timeout_s`` of wall-clock time; a
worker that overruns, crashes or garbles its answer is killed, that case gets
an error, and a fresh worker takes the remaining cases.  Every result line the
product reads was written by the harness after checking the value.

Request file (REQUEST): {"source", "timeout_s", "memory_mb", "file_mb", "cases": [{"sample",
"item"}]}.  Result lines: {"i", "score"} | {"i", "error"}, then {"done": true}.
"""

import contextlib
import ctypes
import json
import math
import os
import platform
import resource
import select
import signal
import struct
import sys
import time
from typing import Any

MAX_REPLY = 64 * 1024
_ERROR_CHARS = 1000  # of an error message passed on to the product
_LIBC = ctypes.CDLL(None, use_errno=True)

# --- seccomp: a classic BPF program, assembled here because the worker cannot import libseccomp.
_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_CLONE = {"x86_64": 56, "aarch64": 220}
_EPERM, _EAGAIN, _ENOSYS = 1, 11, 38
# System calls refused in the worker: process creation, program execution, access to
# other processes, and kernel interfaces a grader has no use for.  clone is handled
# apart (threads are allowed); clone3 fails with ENOSYS so that libc falls back to clone.
_DENY = {
    "x86_64": {
        "fork": 57, "vfork": 58, "execve": 59, "execveat": 322, "ptrace": 101,
        "process_vm_readv": 310, "process_vm_writev": 311, "unshare": 272, "setns": 308,
        "add_key": 248, "request_key": 249, "keyctl": 250, "bpf": 321,
        "perf_event_open": 298, "userfaultfd": 323,
    },
    "aarch64": {
        "execve": 221, "execveat": 281, "ptrace": 117, "process_vm_readv": 270,
        "process_vm_writev": 271, "unshare": 97, "setns": 268, "add_key": 217,
        "request_key": 218, "keyctl": 219, "bpf": 280, "perf_event_open": 241,
        "userfaultfd": 282,
    },
}  # fmt: skip
_DENY_COMMON = {"clone3": 435, "pidfd_getfd": 438, "io_uring_setup": 425}  # same everywhere
_ERRNO = {"fork": _EAGAIN, "vfork": _EAGAIN, "clone3": _ENOSYS}
_CLONE_THREAD = 0x00010000


def _filter(machine: str) -> bytes:
    ld, jeq, jset, ret = 0x20, 0x15, 0x45, 0x06
    allow, kill = 0x7FFF0000, 0x80000000

    def errno(code: int) -> int:
        return 0x00050000 | code

    prog = [(ld, 0, 0, 4), (jeq, 1, 0, _ARCH[machine]), (ret, 0, 0, kill), (ld, 0, 0, 0)]
    if machine == "x86_64":  # x32 system calls carry bit 30
        prog += [(jset, 0, 1, 0x40000000), (ret, 0, 0, errno(_EPERM))]
    for name, number in {**_DENY[machine], **_DENY_COMMON}.items():
        prog += [(jeq, 0, 1, number), (ret, 0, 0, errno(_ERRNO.get(name, _EPERM)))]
    prog += [
        (jeq, 1, 0, _CLONE[machine]),
        (ret, 0, 0, allow),
        (ld, 0, 0, 16),  # low 32 bits of the first argument: the clone flags
        (jset, 0, 1, _CLONE_THREAD),  # a thread shares this process: allowed
        (ret, 0, 0, allow),
        (ret, 0, 0, errno(_EAGAIN)),  # a new process: refused
    ]
    return b"".join(struct.pack("HBBI", *op) for op in prog)


def _no_new_processes() -> None:
    """Install the seccomp filter; it holds for this process and cannot be removed."""
    if not sys.platform.startswith("linux"):
        return  # unsandboxed on another system: the user trusts this code
    machine = platform.machine()
    if _LIBC.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if machine not in _ARCH:
        # No filter for this architecture: fall back to the process-count limit.
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
        return
    code = _filter(machine)
    buffer = ctypes.create_string_buffer(code)
    fprog = struct.pack("HxxxxxxP", len(code) // 8, ctypes.addressof(buffer))
    prog = ctypes.create_string_buffer(fprog)
    pointer = ctypes.c_void_p(ctypes.addressof(prog))  # a bare int would be passed as 32 bits
    if _LIBC.prctl(22, 2, pointer, 0, 0) != 0:  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")


def _limit_worker(request: dict[str, Any], cases_left: int) -> None:
    cpu = math.ceil(request["timeout_s"] * (cases_left + 1)) + 1
    memory = request["memory_mb"] * 1024 * 1024
    size = request["file_mb"] * 1024 * 1024
    for limit, value in (
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_FSIZE, size),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_CORE, 0),
    ):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            if sys.platform.startswith("linux"):
                raise  # in the sandbox every limit must hold
            # Unsandboxed elsewhere (macOS refuses some limits): the user trusts this code.


def _send(fd: int, message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(fd, data) :]


def _flush() -> None:
    """Push what the grader printed to the log pipe: the worker ends with os._exit."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()


def _worker(request: dict[str, Any], start: int, commands: int, replies: int) -> None:
    """Runs in the forked worker; never returns."""
    try:
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        _limit_worker(request, len(request["cases"]) - start)
        _no_new_processes()
    except BaseException as exc:  # the sandbox could not be set up: run nothing
        _send(replies, {"fatal": f"the worker could not be locked down: {exc}"})
        os._exit(3)
    namespace: dict[str, Any] = {"__name__": "grader"}
    try:
        exec(compile(request["source"], "<grader>", "exec"), namespace)
        grade = namespace.get("grade")
        if not callable(grade):
            raise NameError("the source defines no function grade(sample, item)")
        _flush()
        _send(replies, {"loaded": True})
    except MemoryError:
        _flush()
        _send(replies, {"load_error": "memory limit: the grader source allocated too much"})
        os._exit(0)
    except BaseException as exc:  # user code: report, never crash the protocol
        _flush()
        _send(replies, {"load_error": f"{type(exc).__name__}: {exc}"})
        os._exit(0)
    reader = os.fdopen(commands, "r")
    for line in reader:
        case = request["cases"][int(line)]
        try:
            value = grade(case["sample"], case["item"])
            if not isinstance(value, int | float):
                raise TypeError(f"grade() returned {type(value).__name__}, not a number")
            reply: dict[str, Any] = {"score": float(value)}
        except MemoryError:
            reply = {"error": "memory limit: grade() allocated too much memory"}
        except BaseException as exc:
            reply = {"error": f"{type(exc).__name__}: {exc}"[:_ERROR_CHARS]}
        _flush()
        _send(replies, reply)
    os._exit(0)


def _check(reply: dict[str, Any]) -> dict[str, Any]:
    """The harness's own check of a worker answer: grader code may have written it."""
    if set(reply) == {"error"} and isinstance(reply["error"], str):
        return {"error": reply["error"][:_ERROR_CHARS]}
    score = reply.get("score") if set(reply) == {"score"} else None
    if type(score) is not float:
        return {"error": "the grader's answer was not a score"}
    if not math.isfinite(score) or not 0.0 <= score <= 1.0:
        return {"error": f"grade() returned {score!r}; a score must be a finite number from 0 to 1"}
    return {"score": score}


class _Worker:
    """One forked worker and the harness's ends of its two pipes."""

    def __init__(self, request: dict[str, Any], start: int, result_fd: int) -> None:
        commands_r, self.commands = os.pipe()
        self.replies, replies_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            for fd in (result_fd, self.commands, self.replies):
                os.close(fd)
            _worker(request, start, commands_r, replies_w)
        os.close(commands_r)
        os.close(replies_w)
        self.buffer = b""

    def read(self, timeout: float) -> dict[str, Any] | str:
        """The next answer, or why there is none: "timeout", "garbled" or "died"."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.replies], [], [], left)[0]:
                return "timeout"
            chunk = os.read(self.replies, MAX_REPLY)
            if not chunk:
                return "died"
            self.buffer += chunk
            if len(self.buffer) > MAX_REPLY:
                return "garbled"
        line, _, self.buffer = self.buffer.partition(b"\n")
        try:
            message = json.loads(line)
        except ValueError:
            return "garbled"
        return message if isinstance(message, dict) else "garbled"

    def stop(self) -> str:
        """Kill the worker; the reason it ended, for the error message."""
        for fd in (self.commands, self.replies):
            os.close(fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
            return "timeout: the grader used up its CPU time"
        return "the grader process died"


def _run_worker(request: dict[str, Any], start: int, out: int) -> int:
    """Grade cases from ``start`` with one worker; the index of the first case not graded."""
    cases = request["cases"]
    timeout = request["timeout_s"]
    worker = _Worker(request, start, out)
    loaded = worker.read(timeout)
    if not isinstance(loaded, dict) or "loaded" not in loaded:
        ended = worker.stop()
        if loaded == "timeout":
            reason = "timeout: the grader source took too long to load"
        elif isinstance(loaded, dict) and isinstance(loaded.get("load_error"), str):
            reason = loaded["load_error"][:_ERROR_CHARS]
        elif isinstance(loaded, dict) and isinstance(loaded.get("fatal"), str):
            reason = loaded["fatal"][:_ERROR_CHARS]
        else:
            reason = ended if loaded == "died" else "the grader's answer was garbled"
        for index in range(start, len(cases)):
            _send(out, {"i": index, "error": reason})
        return len(cases)
    for index in range(start, len(cases)):
        try:
            os.write(worker.commands, f"{index}\n".encode())
            reply = worker.read(timeout)
        except BrokenPipeError:  # the worker ended itself between two cases
            reply = "died"
        if isinstance(reply, dict):
            _send(out, {"i": index, **_check(reply)})
            continue
        ended = worker.stop()
        if reply == "timeout":
            reason = f"timeout: grade() ran longer than {timeout} s"
        elif reply == "died":
            reason = ended
        else:
            reason = "the grader's answer was garbled"
        _send(out, {"i": index, "error": reason})
        return index + 1
    worker.stop()
    return len(cases)


def main() -> None:
    out, request_path = int(sys.argv[1]), sys.argv[2]
    with open(request_path, encoding="utf-8") as handle:
        request = json.load(handle)
    if sys.platform.startswith("linux"):
        # Non-dumpable: grader code (same user) cannot ptrace this process or open its fds.
        _LIBC.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
    # As pid 1 of the sandbox only signals with a handler reach the harness from inside:
    # drop Python's SIGINT handler so that grader code cannot interrupt it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    start = 0
    while start < len(request["cases"]):
        start = _run_worker(request, start, out)
    _send(out, {"done": True})


if __name__ == "__main__":
    main()
