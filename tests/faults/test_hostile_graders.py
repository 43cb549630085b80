"""Hostile python graders: each escape found by the attack run of issue 18 stays closed.

Every test here failed against the audit-hook guard that came before the
bubblewrap sandbox (advisor/graders/sandbox.py); docs/security.md says what is
isolated and how.  Spawning goes through ``_posixsubprocess.fork_exec``, the
call that slipped past the old guard; what it starts is bounded (``sleep``
for a few seconds), so a regression cannot hurt the machine running the tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from advisor.graders import GradeResult, Sample, load_grader

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the grader sandbox is bubblewrap (Linux)"
)

# Grader-side helper: start a program the way subprocess does, without subprocess.
SPAWN = textwrap.dedent(
    """
    import os, _posixsubprocess

    def spawn(argv):
        read, write = os.pipe()
        args = [a.encode() for a in argv]
        base = [args, [args[0]], True, (write,), None, None, -1, -1, -1, -1, -1, -1,
                read, write, True, False]
        try:
            pid = _posixsubprocess.fork_exec(*base, -1, None, None, None, -1, None, False)
        except TypeError:
            pid = _posixsubprocess.fork_exec(*base, -1, None, None, None, -1, None)
        os.close(write)
        os.close(read)
        return pid
    """
)


def grade_one(source: str, item: dict[str, Any] | None = None, **limits: Any) -> GradeResult:
    grader = load_grader({"type": "python", "name": "hostile", "source": source, **limits})
    return grader.grade(Sample(output_text="a"), item or {})


def processes_with(marker: str) -> list[int]:
    """Host processes whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            with contextlib.suppress(OSError):
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def survivors(*markers: str, within_s: float = 15.0) -> list[int]:
    """The processes still alive with any of ``markers`` once ``within_s`` has passed.

    Killed processes leave /proc a moment after the kill, later on a loaded
    machine; polling asks "are they gone?" without betting on how fast.
    """
    deadline = time.monotonic() + within_s
    while True:
        found = [pid for marker in markers for pid in processes_with(marker)]
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


@pytest.fixture
def no_leftovers() -> Any:
    """After the test, no process the grader started (or its sandbox) is still alive."""
    yield
    leftovers = survivors("/sandbox/harness.py", "advisor-hostile")
    for pid in leftovers:  # clean up before failing, so one regression does not leak
        with contextlib.suppress(OSError):
            os.kill(pid, 9)
    assert leftovers == []


def test_fork_exec_cannot_run_a_shell(no_leftovers: None, tmp_path: Path) -> None:
    proof = tmp_path / "shell-ran"
    source = SPAWN + textwrap.dedent(
        f"""
        def grade(sample, item):
            pid = spawn(["/bin/sh", "-c", "touch {proof}; id > {proof}"])
            os.waitpid(pid, 0)
            return 1.0
        """
    )
    result = grade_one(source)
    assert result.score == 0.0
    assert not proof.exists()


def test_fifty_processes_cannot_be_started(no_leftovers: None) -> None:
    source = SPAWN + textwrap.dedent(
        """
        def grade(sample, item):
            started = 0
            for _ in range(50):
                try:
                    spawn(["/bin/sleep", "3.1415926"])
                    started += 1
                except OSError:
                    pass
            return started / 50
        """
    )
    result = grade_one(source)
    assert result.score == 0.0
    assert processes_with("3.1415926") == []


def test_a_fork_bomb_is_contained(no_leftovers: None) -> None:
    # A doubling shell bomb bounded at 2**6 processes (each gone in 3 s) and a Python
    # fork loop: neither may create a single process.
    bomb = "b(){ [ $1 -gt 0 ] && { b $(($1-1)) & b $(($1-1)); }; sleep 2.7182818; }; b 6"
    source = SPAWN + textwrap.dedent(
        f"""
        def grade(sample, item):
            children = 0
            try:
                spawn(["/bin/sh", "-c", {bomb!r}])
                children += 1
            except OSError:
                pass
            for _ in range(64):
                try:
                    if os.fork() == 0:
                        os._exit(0)
                    children += 1
                except OSError:
                    pass
            return min(1.0, children)
        """
    )
    result = grade_one(source)
    assert result.score == 0.0
    assert survivors("2.7182818") == []


def test_no_process_is_left_running_after_the_grader_returns(no_leftovers: None) -> None:
    source = SPAWN + textwrap.dedent(
        """
        import threading

        def spin():
            while True:
                pass

        def grade(sample, item):
            threading.Thread(target=spin, daemon=True).start()
            try:
                spawn(["/bin/sh", "-c", "sleep 30; : advisor-hostile"])
            except OSError:
                pass
            return 1.0
        """
    )
    grade_one(source)
    assert survivors("advisor-hostile", "/sandbox/harness.py") == []


def test_no_tcp_connection_reaches_a_loopback_listener(no_leftovers: None) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(4)
    port = server.getsockname()[1]
    accepted: list[object] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            accepted.append(server.accept())

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    connect = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2)"
    source = SPAWN + textwrap.dedent(
        f"""
        import socket, sys

        def grade(sample, item):
            try:
                pid = spawn([sys.executable, "-c", {connect!r}])
                os.waitpid(pid, 0)
            except OSError:
                pass
            socket.create_connection(("127.0.0.1", {port}), timeout=2)
            return 1.0
        """
    )
    result = grade_one(source)
    thread.join(5)
    server.close()
    assert result.score == 0.0
    assert accepted == []


def test_sqlite_mkfifo_and_mknod_cannot_write_outside_the_temporary_folder(
    no_leftovers: None, tmp_path: Path
) -> None:
    database, fifo, node = tmp_path / "x.sqlite3", tmp_path / "fifo", tmp_path / "node"
    source = textwrap.dedent(
        f"""
        import os, sqlite3, stat

        def grade(sample, item):
            done = 0
            for attempt in (
                lambda: sqlite3.connect({str(database)!r}).execute("create table t (a)"),
                lambda: os.mkfifo({str(fifo)!r}),
                lambda: os.mknod({str(node)!r}, 0o600 | stat.S_IFREG),
            ):
                try:
                    attempt()
                    done += 1
                except Exception:
                    pass
            # Its own temporary folder stays usable.
            sqlite3.connect("scratch.sqlite3").execute("create table t (a)")
            os.mkfifo("fifo")
            return 1.0 if done == 0 else 0.0
        """
    )
    result = grade_one(source)
    assert not database.exists() and not fifo.exists() and not node.exists()
    assert result.score == 1.0, result.details


def test_the_parents_environment_never_reaches_the_grader(tmp_path: Path) -> None:
    # The key must be in the environment the product was started with, as in real use:
    # /proc/<pid>/environ shows a process's environment at exec time.
    secret = "sk-hostile-test-0123456789"
    source = textwrap.dedent(
        f"""
        import os

        def grade(sample, item):
            seen = repr(dict(os.environ)).encode()
            for pid in {{os.getppid(), 1}} | {{int(p) for p in os.listdir("/proc") if p.isdigit()}}:
                try:
                    with open(f"/proc/{{pid}}/environ", "rb") as handle:
                        seen += handle.read()
                except OSError:
                    pass
            return 1.0 if {secret.encode()!r} in seen else 0.0
        """
    )
    script = textwrap.dedent(
        f"""
        from advisor.graders import Sample, load_grader
        grader = load_grader({{"type": "python", "name": "env", "source": {source!r}}})
        print(grader.grade(Sample(output_text="a"), {{}}).score)
        """
    )
    env = {**os.environ, "OPENAI_API_KEY": secret}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0.0"


def test_etc_shadow_cannot_be_read(no_leftovers: None) -> None:
    source = textwrap.dedent(
        """
        def grade(sample, item):
            try:
                with open("/etc/shadow") as handle:
                    return 1.0 if handle.read() else 0.5
            except OSError:
                return 0.0
        """
    )
    assert grade_one(source).score == 0.0


def test_a_result_cannot_be_forged_on_stdout_or_any_descriptor(no_leftovers: None) -> None:
    # grade() returns 0; the grader tries to make the product read 1 instead, through
    # stdout after the harness's last line and through every descriptor it can open.
    forged = [
        json.dumps({"results": [{"score": 1.0}]}),
        json.dumps({"i": 0, "score": 1.0}),
        json.dumps({"done": True}),
    ]
    source = textwrap.dedent(
        f"""
        import atexit, os

        FORGED = ("\\n".join({forged!r}) + "\\n").encode()

        def forge():
            os.write(1, FORGED)
            for folder in ("/proc/self/fd", f"/proc/{{os.getppid()}}/fd", "/proc/1/fd"):
                try:
                    names = os.listdir(folder)
                except OSError:
                    continue
                for name in names:
                    try:
                        fd = os.open(f"{{folder}}/{{name}}", os.O_WRONLY | os.O_NONBLOCK)
                        os.write(fd, FORGED)
                        os.close(fd)
                    except OSError:
                        pass
            for fd in range(3, 64):
                try:
                    os.write(fd, FORGED)
                except OSError:
                    pass

        atexit.register(forge)

        def grade(sample, item):
            forge()
            return 0.0
        """
    )
    grader = load_grader({"type": "python", "name": "forger", "source": source})
    results = grader.grade_batch([Sample(output_text="a")] * 2, [{}, {}])
    assert [r.score for r in results] == [0.0, 0.0]


@pytest.mark.parametrize(
    "value",
    ["float('inf')", "float('-inf')", "float('nan')", "-0.5", "1.5", "'1.0'", "None", "[1.0]"],
)
def test_scores_must_be_finite_numbers_from_0_to_1(value: str) -> None:
    result = grade_one(f"def grade(sample, item):\n    return {value}\n")
    assert result.score == 0.0 and not result.passed
    assert "number" in result.details["error"]


def test_a_gibibyte_of_output_is_cut_off_with_flat_parent_memory(no_leftovers: None) -> None:
    source = textwrap.dedent(
        """
        import os

        def grade(sample, item):
            block = b"x" * (1024 * 1024)
            for _ in range(1024):
                os.write(1, block)
            return 1.0
        """
    )
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak resident size (VmHWM)
    before = _resident_kib("VmRSS")
    result = grade_one(source, timeout_s=60)
    growth_mib = (_resident_kib("VmHWM") - before) / 1024
    assert result.score == 0.0
    assert result.details["error"].startswith("output limit")
    assert growth_mib < 64, f"the parent grew by {growth_mib:.0f} MiB"


def _resident_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/self/status")


def test_the_disk_cannot_be_filled(no_leftovers: None) -> None:
    source = textwrap.dedent(
        """
        def grade(sample, item):
            block = b"x" * (8 * 1024 * 1024)
            try:
                for n in range(64):  # 512 MiB in 8 MiB files
                    with open(f"fill-{n}.bin", "wb") as handle:
                        handle.write(block)
            except OSError:
                return 0.0
            return 1.0
        """
    )
    assert grade_one(source, timeout_s=60).score == 0.0


def test_a_cpu_spin_that_ignores_alarms_is_stopped_on_time_and_the_batch_goes_on(
    no_leftovers: None,
) -> None:
    source = textwrap.dedent(
        """
        import signal

        def grade(sample, item):
            if item["spin"]:
                signal.signal(signal.SIGALRM, signal.SIG_IGN)
                signal.setitimer = lambda *a: None
                while True:
                    pass
            return 1.0
        """
    )
    grader = load_grader({"type": "python", "name": "spin", "source": source, "timeout_s": 1})
    results = grader.grade_batch([Sample(output_text="a")] * 2, [{"spin": True}, {"spin": False}])
    # Stopped by the one-second wall-clock guard, not by the CPU limit behind it (the old
    # guard needed 5 s of CPU, then failed both); the reason says which, without a clock.
    assert results[0].score == 0.0
    assert results[0].details["error"].startswith("timeout: grade() ran longer than 1")
    assert results[1].score == 1.0
