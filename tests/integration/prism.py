"""A Prism mock server on loopback, for the OpenAI and Azure contract tests.

Prism (``node_modules/.bin/prism``, installed by ``npm install`` from
package.json) serves an OpenAPI document and answers 422 to any request that
breaks it; the tests skip with the fix when node or Prism is missing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO

PRISM = REPO / "node_modules" / ".bin" / "prism"
STARTUP_S = 180  # loading OpenAI's 3 MB specification takes ~20 s on a busy CPU


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_prism(spec: Path, log: Path) -> Iterator[str]:
    """Prism mocking ``spec`` on a free loopback port, its output in ``log``; the base URL."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed (Prism needs Node.js); install nodejs and npm")
    if not PRISM.exists():
        pytest.skip(f"Prism is not installed at {PRISM}; run `npm install` in the repository")
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
    try:
        deadline = time.monotonic() + STARTUP_S
        while "Prism is listening" not in log.read_text(errors="replace"):
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                pytest.fail(f"Prism exited with {process.returncode}:\n{tail}")
            if time.monotonic() > deadline:
                pytest.fail(f"Prism did not start within {STARTUP_S} s")
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
