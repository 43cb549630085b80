"""`advisor serve`: the wizard served over HTTP on loopback; public binding needs a flag."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request

from typer.testing import CliRunner

from advisor.cli.app import app
from advisor.cli.tui_cmd import is_loopback


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def first_screen(port: int, token: str) -> str:
    """Terminal output the served app sends until its title appears (or 60 s pass)."""
    import aiohttp

    received = b""
    async with (
        aiohttp.ClientSession() as client,
        client.ws_connect(
            f"http://127.0.0.1:{port}/ws/{token}?width=80&height=24",
            origin=f"http://127.0.0.1:{port}",
        ) as socket_,
    ):
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(60):
                while b"route advisor" not in received:
                    message = await socket_.receive()
                    if message.type == aiohttp.WSMsgType.BINARY:
                        received += message.data
                    elif message.type == aiohttp.WSMsgType.TEXT:
                        received += message.data.encode()
                    else:
                        break
    return received.decode("utf-8", errors="replace")


def test_serve_answers_http_on_loopback() -> None:
    port = free_port()
    env = dict(os.environ, ADVISOR_BACKEND="fake")
    server = subprocess.Popen(
        [sys.executable, "-m", "advisor", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        printed = server.stdout.readline()  # "Serving the wizard on URL"
        url = printed.split(" on ", 1)[1].strip()
        assert url.startswith(f"http://127.0.0.1:{port}/?token=")
        token = url.split("token=", 1)[1]
        body = ""
        for _ in range(150):  # polls for up to ~30 s on a busy machine
            try:
                with urllib.request.urlopen(url, timeout=2) as reply:
                    assert reply.status == 200
                    body = reply.read().decode("utf-8")
                    break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError("advisor serve exited early") from None
                time.sleep(0.2)
        assert "route advisor" in body
        assert f"ws://127.0.0.1:{port}/ws/{token}" in body
        # The page's websocket starts the wizard and streams its screen.
        assert "route advisor" in asyncio.run(first_screen(port, token))
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_serve_refuses_a_public_address_without_the_flag() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "serve", "--host", "0.0.0.0", "--port", "9"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: --host 0.0.0.0 is not a loopback address")
    assert "--public" in result.stderr


def test_tui_and_serve_are_in_help() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert "tui" in result.output and "serve" in result.output


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.10")
