"""Runs user grader code; executed as ``python -I -S _sandbox_child.py`` by the python grader.

Standard library only, and nothing from the product: the child must start fast
and must not give user code the product's modules.  Resource limits (CPU time,
address space, file size) are set by the parent before exec; this script adds
what rlimits cannot express, through an audit hook that cannot be removed:
no sockets, no subprocesses, no native code loading, and no file writes
outside the temporary working folder.

Protocol: one JSON object on stdin {"source", "timeout_s", "cases": [{"sample",
"item"}]}; one JSON line on stdout {"results": [{"score"} | {"error"}]}.
"""

import io
import json
import os
import signal
import sys
from typing import Any

_BLOCKED_PREFIXES = ("socket.", "subprocess.", "os.exec", "os.posix_spawn", "os.spawn", "ctypes.")
_RULE = "no network, no processes, writes only in the temporary folder"
_BLOCKED_EVENTS = {"os.system", "os.fork", "os.forkpty", "os.kill", "os.killpg", "pty.spawn"}
_PATH_EVENTS = {
    "os.remove",
    "os.rename",
    "os.rmdir",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.symlink",
    "os.link",
    "os.truncate",
    "os.utime",
    "shutil.rmtree",
}


def _install_guard(workdir: str) -> None:
    workdir = os.path.realpath(workdir)

    def inside(path: object) -> bool:
        if isinstance(path, int):  # an already opened descriptor
            return True
        try:
            real = os.path.realpath(os.fsdecode(path))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return real == workdir or real.startswith(workdir + os.sep)

    def guard(event: str, args: Any) -> None:
        if event.startswith(_BLOCKED_PREFIXES) or event in _BLOCKED_EVENTS:
            raise PermissionError(
                f"{event} is not allowed in a python grader (no network, no processes)"
            )
        if event == "open":
            path, mode, flags = args
            writes = (mode and any(c in mode for c in "wax+")) or (
                flags is not None and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND)
            )
            if writes and path is not None and not inside(path):
                raise PermissionError(
                    f"writing {path} is not allowed: only the temporary folder is writable"
                )
        elif event in _PATH_EVENTS:
            for arg in args[:2]:
                if isinstance(arg, (str, bytes, os.PathLike)) and not inside(arg):
                    raise PermissionError(f"{event} outside the temporary folder is not allowed")

    sys.addaudithook(guard)


class _Timeout(BaseException):
    """BaseException so that a bare ``except Exception`` in user code does not swallow it."""


def _on_alarm(signum: int, frame: object) -> None:
    raise _Timeout()


def main() -> None:
    request = json.loads(sys.stdin.read())
    real_stdout = sys.stdout
    sys.stdout = io.StringIO()  # user prints must not corrupt the protocol
    _install_guard(os.getcwd())
    signal.signal(signal.SIGALRM, _on_alarm)
    results: list[dict[str, object]] = []
    namespace: dict[str, object] = {"__name__": "grader"}
    try:
        signal.setitimer(signal.ITIMER_REAL, request["timeout_s"])
        exec(compile(request["source"], "<grader>", "exec"), namespace)
        signal.setitimer(signal.ITIMER_REAL, 0)
        grade = namespace.get("grade")
        if not callable(grade):
            raise NameError("the source defines no function grade(sample, item)")
    except _Timeout:
        results = [{"error": "timeout: the grader source took too long to load"}] * len(
            request["cases"]
        )
        grade = None
    except BaseException as exc:  # user code: report, never crash the protocol
        results = [{"error": f"{type(exc).__name__}: {exc}"}] * len(request["cases"])
        grade = None
    if grade is not None:
        for case in request["cases"]:
            try:
                signal.setitimer(signal.ITIMER_REAL, request["timeout_s"])
                value = grade(case["sample"], case["item"])
                signal.setitimer(signal.ITIMER_REAL, 0)
                results.append({"score": float(value)})
            except _Timeout:
                results.append(
                    {"error": f"timeout: grade() ran longer than {request['timeout_s']} s"}
                )
            except MemoryError:
                signal.setitimer(signal.ITIMER_REAL, 0)
                results.append({"error": "memory limit: grade() allocated too much memory"})
            except BaseException as exc:
                signal.setitimer(signal.ITIMER_REAL, 0)
                results.append({"error": f"{type(exc).__name__}: {exc}"})
    real_stdout.write(json.dumps({"results": results}) + "\n")
    real_stdout.flush()


if __name__ == "__main__":
    main()
