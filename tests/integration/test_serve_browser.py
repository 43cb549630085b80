"""The served wizard in a real browser, in Japanese, on a machine without CJK fonts (issue 14).

Headless Chromium runs with a fontconfig that holds Latin fonts only (as on a
machine without CJK fonts), so the only way it can draw Japanese is the font the
page itself serves; the test drives it
over the DevTools protocol (loopback only). It checks three things a client site
would see: the wizard in Japanese makes the page fetch the Japanese subsets of
its own font; those subsets draw real, distinct glyphs (the empty box that a
missing font draws is the same for every character), and so do the full-width
symbols that only the page's fallback font has; and every request the page
makes goes to the wizard's own loopback address.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

# The browser sees only these fonts, none of which has a Japanese glyph.
LATIN_ONLY_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation"),
)
# Characters of the wizard's Japanese footer and menu (終了 Quit, 回答 Answers, 設定 Settings).
JAPANESE = "終了回答設定"
# Full-width symbols of the wizard's Japanese text that M PLUS 1 Code lacks: they come
# from the fallback subset in the same family (scripts/make_fonts_css.py), and no
# Latin font has them.
SYMBOLS = "：？／＋＝"
FIRST_SCREEN = "() => document.body.classList.contains('-first-byte')"
DISTINCT_GLYPHS = """
async (family, chars) => {
  await document.fonts.load(`32px ${family}`, chars);
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 48;
  const g = canvas.getContext("2d");
  const pictures = [...chars].map((ch) => {
    g.clearRect(0, 0, 48, 48);
    g.font = `32px ${family}`;
    g.fillText(ch, 4, 38);
    return canvas.toDataURL();
  });
  return new Set(pictures).size;
}
"""


SERVED_URL = re.compile(r"http://127\.0\.0\.1:\d+/\S*")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """``advisor serve`` in Japanese on the fake backend; the URL with its token."""
    env = dict(os.environ, ADVISOR_BACKEND="fake", ADVISOR_LANGUAGE="ja")
    port = free_port()
    # Its output goes to a file: a pipe nobody reads fills up with the access log and
    # stalls the server once the browser's requests start.
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "advisor", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        # The "serving" line is in the session's language (Japanese here): find the URL itself.
        deadline = time.monotonic() + 120
        while not SERVED_URL.search(log.read_text()) and time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"advisor serve exited:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        found = SERVED_URL.search(log.read_text())
        assert found, f"advisor serve printed no URL:\n{log.read_text()[-2000:]}"
        yield found.group(0)
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[str]:
    """Headless Chromium that sees only Latin fonts; its DevTools websocket URL."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (scripts/install.sh installs it)")
    latin = next((d for d in LATIN_ONLY_FONTS if d.is_dir()), None)
    if latin is None:
        pytest.skip(
            "no Latin-only font folder (fonts-dejavu-core or fonts-liberation) to test with"
        )
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><dir>{latin}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>"
    )
    port = free_port()
    process = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}",
         f"--remote-debugging-port={port}", "--window-size=1000,700", "about:blank"],
        env=dict(os.environ, FONTCONFIG_FILE=str(conf)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield _page_socket(port, process)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _page_socket(port: int, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("chromium exited at start")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=2) as reply:
                targets = json.load(reply)
            return str(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
        except (OSError, StopIteration, ValueError):
            time.sleep(0.25)
    pytest.fail("chromium's DevTools endpoint did not answer within 60 s")


class DevTools:
    """The few DevTools calls the test needs; events are kept in order."""

    def __init__(self, socket_: Any) -> None:
        self.socket = socket_
        self.events: list[dict[str, Any]] = []
        self.next_id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        await self.socket.send_json({"id": self.next_id, "method": method, "params": params})
        while True:
            message = await self.socket.receive_json()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return dict(message["result"])
            self.events.append(message)

    async def evaluate(self, source: str, *args: Any) -> Any:
        call = f"({source})({', '.join(json.dumps(a) for a in args)})"
        reply = await self.call("Runtime.evaluate", expression=call, awaitPromise=True)
        return reply["result"].get("value")

    def requested(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]


async def _drive(page_socket: str, url: str, screenshot: Path) -> dict[str, Any]:
    import aiohttp

    async with aiohttp.ClientSession() as client, client.ws_connect(page_socket) as ws:
        tools = DevTools(ws)
        await tools.call("Network.enable")
        await tools.call("Page.navigate", url=url)
        started = False
        for _ in range(480):  # the wizard starts in a subprocess: up to two minutes
            await asyncio.sleep(0.25)
            # textual.js marks the page once the wizard's first screen has arrived.
            started = await tools.evaluate(FIRST_SCREEN)
            if started:
                break
        japanese_font = any("/m-plus-1-code-" in u for u in tools.requested())
        await asyncio.sleep(2)  # let the remaining subsets arrive and the screen settle
        shot = await tools.call("Page.captureScreenshot", format="png")
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        return {
            "started": started,
            "japanese_font": japanese_font,
            "served_glyphs": await tools.evaluate(DISTINCT_GLYPHS, '"Roboto Mono"', JAPANESE),
            "missing_font_glyphs": await tools.evaluate(DISTINCT_GLYPHS, "NoSuchFont", JAPANESE),
            "served_symbols": await tools.evaluate(DISTINCT_GLYPHS, '"Roboto Mono"', SYMBOLS),
            "missing_font_symbols": await tools.evaluate(DISTINCT_GLYPHS, "NoSuchFont", SYMBOLS),
            "requested": tools.requested(),
        }


def test_the_served_wizard_draws_japanese_with_its_own_font_offline(
    served: str, browser: str, tmp_path: Path
) -> None:
    screenshot = tmp_path / "served-ja.png"
    seen = asyncio.run(_drive(browser, served, screenshot))
    # Without a font this browser draws one and the same box for every character: the
    # check below can fail, and it is the page's own font that makes it pass.
    assert seen["started"], "the wizard never drew its first screen in the browser"
    assert seen["missing_font_glyphs"] == 1
    assert seen["japanese_font"], "the page never asked for its Japanese font subsets"
    assert seen["served_glyphs"] == len(JAPANESE)
    # The same for the symbols: one box each without the fallback, real glyphs with it.
    assert seen["missing_font_symbols"] == 1
    assert seen["served_symbols"] == len(SYMBOLS)
    origin = served.split("/?", 1)[0]
    outside = [u for u in seen["requested"] if not u.startswith((origin, "ws://", "data:"))]
    assert outside == [], f"requests left the wizard's address: {outside[:5]}"
    assert screenshot.stat().st_size > 5_000  # the picture, kept beside the test's files
