"""One worker per job: an exclusive ``flock`` on ``<job folder>/worker.lock``.

The process that starts a worker takes the lock *before* it spawns, hands the
locked file descriptor to the worker (``pass_fds``) and closes its own copy, so
the worker (or the ``accelerate launch`` process that leads its ranks) holds the
lock for its whole lifetime and the kernel releases it when the last process
holding it exits, however it dies: no stale lock after a crash or a kill.
A second ``jobs resume`` that finds the lock taken starts nothing.  A worker
started by hand takes the lock itself (see :func:`acquire_for_worker`).

Where ``fcntl`` does not exist (Windows), the lock degrades to the pid file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "worker.lock"
LAUNCH_LOCK_NAME = "launch.lock"
INHERITED_ENV = "ADVISOR_JOB_LOCK_INHERITED"  # set by the spawner: the lock came with the fd


def lock_path(job_root: Path) -> Path:
    return job_root / LOCK_NAME


def try_lock(job_root: Path) -> int | None:
    """The fd of the job's lock, now held exclusively; None when another process holds it."""
    job_root.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(job_root), os.O_RDWR | os.O_CREAT, 0o600)
    if fcntl is None:  # pragma: no cover
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def release(fd: int) -> None:
    """Close this process's copy of the lock fd (a child given the fd keeps the lock)."""
    with contextlib.suppress(OSError):
        os.close(fd)


def is_locked(job_root: Path) -> bool:
    """True while some process (a worker of this job) holds the lock."""
    if fcntl is None or not lock_path(job_root).exists():  # pragma: no cover - no fcntl
        return False
    fd = try_lock(job_root)
    if fd is None:
        return True
    release(fd)
    return False


def acquire_for_worker(job_root: Path) -> int | bool | None:
    """Called first thing by a worker process.

    Returns True when the spawner handed the lock over, or when this process is
    a rank other than 0 under ``accelerate launch`` (rank 0 holds the lock for
    them all); the fd of a lock taken now (a worker started by hand; keep it
    open); or None when another worker of this job holds the lock (exit).
    """
    if os.environ.pop(INHERITED_ENV, None) == "1":
        return True
    if os.environ.get("RANK", "0") != "0":
        return True
    return try_lock(job_root)


@contextlib.contextmanager
def launching(job_root: Path) -> Iterator[None]:
    """Serialise starts of one job's worker (blocking; held for milliseconds).

    Concurrent ``jobs resume`` calls queue here, so the ones after the first
    see its worker holding the worker lock and report the job as it is.
    """
    job_root.mkdir(parents=True, exist_ok=True)
    fd = os.open(job_root / LAUNCH_LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
