"""Running ``advisor`` on a pseudo-terminal: what a person sees, bars and hints included
(rich and the wait line draw only on terminals)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from tests.conftest import REPO


def on_a_terminal(*args: str, env: dict[str, str], exit_code: int = 0) -> str:
    """The text a person sees: ``advisor`` run with stdout and stderr on a pseudo-terminal
    (and ending with ``exit_code``)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        cwd=REPO,
        env=env,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            piece = os.read(leader, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not piece:
            break
        seen += piece
    process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == exit_code, seen.decode(errors="replace")
    return seen.decode(errors="replace")
