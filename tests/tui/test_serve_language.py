"""`advisor tui` / `advisor serve` messages follow the language switch (issue 14 item 4)."""

from __future__ import annotations

import asyncio
import errno

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from advisor.cli.app import main
from advisor.tui.serve import _bind_error, make_server

TOKEN = "t0ken-for-the-tests-only-0123456789"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_serve_refuses_a_public_address_in_japanese(capsys) -> None:
    code, _, err = run(capsys, "--lang", "ja", "serve", "--host", "0.0.0.0", "--port", "9")
    assert code == 2
    assert err.strip() == (
        "エラー: --host 0.0.0.0 はループバックアドレスではありません。"
        "この機械の外に公開するには --public を付けるか、--host 127.0.0.1 を使ってください"
    )


def test_the_public_warning_and_the_token_error_in_japanese(capsys, monkeypatch) -> None:
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    args = ("serve", "--host", "0.0.0.0", "--public", "--port", "9", "--token", "short")
    code, _, err = run(capsys, *args)
    assert code == 2  # refused before anything listens
    warning, error = err.strip().splitlines()
    assert warning.startswith("警告: 0.0.0.0 で公開します。")
    assert error.startswith("エラー: serve のトークンが 16 文字より短いです。")


def test_the_english_refusals_are_unchanged(capsys) -> None:
    args = ("serve", "--host", "0.0.0.0", "--public", "--port", "9", "--token", "short")
    code, _, err = run(capsys, *args)
    assert code == 2
    assert err.splitlines() == [
        "warning: serving on 0.0.0.0: anyone who can reach this address can use the wizard, "
        "its backends and your data directory",
        "error: the serve token is shorter than 16 characters: use a longer --token "
        "(or ADVISOR_SERVE_TOKEN), or omit it for a random one",
    ]


def test_a_busy_port_reads_in_both_languages() -> None:
    error = _bind_error("127.0.0.1", 8000, OSError(errno.EADDRINUSE, "Address already in use"))
    assert str(error) == (
        "port 8000 on 127.0.0.1 is already in use: "
        "pass --port with a free port, or stop the program that holds it"
    )
    assert error.localized("ja").startswith("127.0.0.1 のポート 8000 はすでに使われています。")


def test_the_server_lines_and_the_refusal_page_in_japanese(capsys) -> None:
    async def main_() -> str:
        server = make_server(["true"], host="127.0.0.1", port=8000, token=TOKEN, lang="ja")
        await server.on_startup(None)
        app = await server._make_app()
        async with (
            TestServer(app, host="127.0.0.1") as test_server,
            aiohttp.ClientSession() as client,
            client.get(f"http://127.0.0.1:{test_server.port}/") as reply,
        ):
            assert reply.status == 403
            return await reply.text()

    page = asyncio.run(main_())
    assert page.startswith("アクセスできません: `advisor serve` が表示した URL")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"ウィザードを公開しています: http://127.0.0.1:8000/?token={TOKEN}"
    assert printed[1].startswith("この URL を知っている人は誰でも")
