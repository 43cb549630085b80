"""`advisor serve` locked down (issues 18, 19, 14): token, Origin, local assets, busy port.

The server runs in-process on a loopback port (aiohttp's TestServer), so each
check is an HTTP request; none starts the wizard itself.
"""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from advisor.tui.serve import WEB, make_server
from advisor.tui.serve_guard import allowed_origins, normalise_origin, origin_allowed

TOKEN = "t0ken-for-the-tests-only-0123456789"


def with_server(
    check: Callable[[aiohttp.ClientSession, str], Awaitable[Any]],
    *,
    host: str = "127.0.0.1",
    **kw: Any,
) -> Any:
    """Run ``check(client, base_url)`` against a locked server bound to loopback."""

    async def main() -> Any:
        server = make_server(["true"], host=host, port=8000, token=TOKEN, **kw)
        app = await server._make_app()
        async with (
            TestServer(app, host="127.0.0.1") as test_server,
            aiohttp.ClientSession() as client,
        ):
            return await check(client, f"http://127.0.0.1:{test_server.port}")

    return asyncio.run(main())


async def status_of(client: aiohttp.ClientSession, url: str, **kw: Any) -> int:
    async with client.get(url, **kw) as reply:
        return reply.status


def test_the_page_needs_the_token() -> None:
    async def check(client: aiohttp.ClientSession, base: str) -> tuple[int, int, int]:
        return (
            await status_of(client, f"{base}/"),
            await status_of(client, f"{base}/?token=wrong"),
            await status_of(client, f"{base}/?token={TOKEN}"),
        )

    assert with_server(check) == (403, 403, 200)


def test_the_websocket_needs_the_token_and_its_own_origin() -> None:
    async def handshake(client: aiohttp.ClientSession, url: str, origin: str) -> int:
        try:
            async with client.ws_connect(url, origin=origin):
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status

    async def check(client: aiohttp.ClientSession, base: str) -> tuple[int, int, int]:
        async with aiohttp.ClientSession() as fresh:  # no cookie from a page load
            no_token = await handshake(fresh, f"{base}/ws", base)
        cross_site = await handshake(client, f"{base}/ws/{TOKEN}", "https://evil.example")
        rebound = await handshake(client, f"{base}/ws/{TOKEN}", "http://attacker.test:8000")
        return no_token, cross_site, rebound

    assert with_server(check) == (403, 403, 403)


def test_the_page_references_no_external_host_and_every_font_is_served() -> None:
    async def check(client: aiohttp.ClientSession, base: str) -> tuple[str, str, list[int]]:
        async with client.get(f"{base}/?token={TOKEN}") as reply:
            page = await reply.text()
        async with client.get(f"{base}/advisor-static/fonts.css") as reply:
            css = await reply.text()
        fonts = re.findall(r"url\(([^)]+)\)", css)
        statuses = [await status_of(client, f"{base}/advisor-static/{font}") for font in fonts]
        return base, page, statuses

    base, page, statuses = with_server(check)
    hosts = set(re.findall(r"(?:https?:|wss?:)?//([^/\"' ]+)", page))
    assert hosts == {base.removeprefix("http://")}, hosts  # the server itself, nothing else
    assert "fonts.googleapis" not in page and "/advisor-static/fonts.css" in page
    assert len(statuses) > 100 and set(statuses) == {200}
    assert (WEB / "fonts" / "OFL-M-PLUS-1-Code.txt").is_file()


def test_a_public_bind_never_writes_its_wildcard_address_into_the_page() -> None:
    async def check(client: aiohttp.ClientSession, base: str) -> str:
        async with client.get(f"{base}/?token={TOKEN}") as reply:
            return await reply.text()

    page = with_server(check, host="0.0.0.0")
    assert "0.0.0.0" not in page
    assert re.search(r'data-session-websocket-url="ws://127\.0\.0\.1:\d+/ws/', page)
    proxied = with_server(check, host="0.0.0.0", public_url="https://advisor.example.com")
    assert f'data-session-websocket-url="wss://advisor.example.com/ws/{TOKEN}"' in proxied
    assert 'href="https://advisor.example.com/advisor-static/fonts.css"' in proxied


def test_origin_rules() -> None:
    allowed = allowed_origins("127.0.0.1", 8000, public_url="https://a.example.com/", extra=[])
    assert normalise_origin("HTTPS://A.example.com:443/x") == "https://a.example.com"
    assert origin_allowed(
        "http://localhost:8000", "localhost:8000", "http", allowed, wildcard=False
    )
    assert origin_allowed("https://a.example.com", "x", "https", allowed, wildcard=False)
    assert origin_allowed(None, "x", "http", allowed, wildcard=False)  # not a browser: token only
    assert not origin_allowed("http://localhost:8001", "x", "http", allowed, wildcard=False)
    assert not origin_allowed("null", "x", "http", allowed, wildcard=False)
    # On 0.0.0.0, a page reached by IP address may connect; a name (rebindable) may not.
    lan = allowed_origins("0.0.0.0", 8000, public_url=None, extra=[])
    assert origin_allowed("http://192.168.1.5:8000", "192.168.1.5:8000", "http", lan, wildcard=True)
    assert not origin_allowed("http://evil.test:8000", "evil.test:8000", "http", lan, wildcard=True)


def test_serve_on_a_busy_port_says_so_in_one_sentence() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "advisor", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is already in use: "
        "pass --port with a free port, or stop the program that holds it"
    )
    assert "Serving" not in result.stdout


@pytest.mark.parametrize("token", ["short"])
def test_a_short_token_is_refused(token: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "serve", "--token", token, "--port", "9"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "shorter than 16" in result.stderr
