"""Serve the wizard to a browser with textual-serve (kept here: only the TUI imports textual).

textual-serve's server is wrapped, not forked: a middleware requires the access
token (see :mod:`advisor.tui.serve_guard`) on everything but the package's
static files, the websocket also needs an allowed Origin, and the page is our
copy of its template with local fonts (``web/``), so loading it sends no request
beyond this server.  Asset and websocket URLs come from ``--public-url`` or from
the address the browser used, never from the bind address (``0.0.0.0``).
"""

from __future__ import annotations

import errno
import secrets
import shlex
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from advisor import messages
from advisor.errors import UserInputError
from advisor.tui import serve_guard

WEB = Path(__file__).resolve().parent / "web"
ADVISOR_STATIC = "/advisor-static"
Handler = Callable[[Any], Awaitable[Any]]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _guard(token: str, allowed: frozenset[str], *, wildcard: bool, lang: str = "en") -> Any:
    """The middleware that asks every request for the token and every socket for its origin."""
    from aiohttp import web

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> Any:
        path = request.path
        if path.startswith(("/static/", ADVISOR_STATIC + "/")):
            return await handler(request)  # the packages' public files: no secrets
        given = request.query.get("token")
        from_path = request.match_info.get("token")
        if not serve_guard.token_matches(token, given, from_path, request.cookies.get(COOKIE)):
            raise web.HTTPForbidden(text=messages.text("serve.forbidden_token", lang) + "\n")
        if path == "/ws" or path.startswith("/ws/"):
            origin = request.headers.get("Origin")
            if not serve_guard.origin_allowed(
                origin, request.host, request.scheme, allowed, wildcard=wildcard
            ):
                text = messages.text("serve.forbidden_origin", lang, origin=origin)
                raise web.HTTPForbidden(text=text + "\n")
        response = await handler(request)
        if given is not None and path == "/":
            # Downloads open /download/<key> without the token: the cookie carries it.
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
        return response

    return guard


def make_server(
    command: list[str],
    *,
    host: str,
    port: int,
    token: str,
    public_url: str | None = None,
    allow_origins: list[str] | None = None,
    lang: str = "en",
) -> Any:
    """A textual-serve Server locked down as the module docstring says (its lines in ``lang``)."""
    from aiohttp import web
    from textual_serve.server import Server

    wildcard = host in serve_guard.WILDCARD_HOSTS
    allowed = serve_guard.allowed_origins(
        host, port, public_url=public_url, extra=allow_origins or []
    )
    base_url = public_url.rstrip("/") if public_url else None

    guard = _guard(token, allowed, wildcard=wildcard, lang=lang)

    class LockedServer(Server):
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.router.add_get("/ws/{token}", self.handle_websocket)
            app.router.add_static(ADVISOR_STATIC, WEB, name="advisor-static")
            app.middlewares.append(guard)
            return app

        async def handle_index(self, request: web.Request) -> web.Response:
            import aiohttp_jinja2

            origin = base_url or f"{request.scheme}://{request.host}"
            secure = origin.startswith("https")
            socket_base = ("wss:" if secure else "ws:") + origin.split(":", 1)[1]
            context = {
                "font_size": serve_guard_font_size(request.query.get("fontsize", "16")),
                "app_websocket_url": f"{socket_base}/ws/{token}",
                "config": {"static": {"url": f"{base_url or ''}/static/"}},
                "advisor_static_url": f"{base_url or ''}{ADVISOR_STATIC}/",
                "application": {"name": self.title},
            }
            return aiohttp_jinja2.render_template("app_index.html", request, context)

        async def on_startup(self, app: web.Application) -> None:
            shown = base_url or f"http://{'127.0.0.1' if wildcard else host_for_url(host)}:{port}"
            url = f"{shown}/?token={token}"
            print(messages.text("serve.serving", lang, url=url), flush=True)
            print(messages.text("serve.anyone", lang), flush=True)

    return LockedServer(
        shlex.join(command),
        host=host,
        port=port,
        title="route advisor",
        public_url=base_url,
        templates_path=WEB,
    )


COOKIE = serve_guard.COOKIE


def serve_guard_font_size(value: str) -> int:
    try:
        return max(6, min(int(value), 48))
    except ValueError:
        return 16


def host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _bind_error(host: str, port: int, exc: OSError) -> UserInputError:
    if exc.errno == errno.EADDRINUSE or "address already in use" in str(exc):
        return UserInputError.from_catalog(
            "serve.port_in_use", hint_key="serve.port_in_use_hint", port=port, host=host
        )
    return UserInputError.from_catalog(
        "serve.cannot_listen",
        hint_key="serve.cannot_listen_hint",
        host=host,
        port=port,
        reason=exc.strerror or exc,
    )


def check_port_free(host: str, port: int) -> None:
    """Bind and release the address first, so a busy port fails before anything prints.

    Raises:
        UserInputError: the port is taken or the address cannot be bound.
    """
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        for family, kind, proto, _, address in infos:
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
                probe.bind(address)
    except OSError as exc:
        raise _bind_error(host, port, exc) from exc


def serve_in_browser(
    command: list[str],
    *,
    host: str,
    port: int,
    public_url: str | None = None,
    allow_origins: list[str] | None = None,
    token: str | None = None,
    lang: str = "en",
) -> None:
    """Run ``command`` (an ``advisor tui`` invocation) per browser session until interrupted.

    Raises:
        UserInputError: the port is taken or the address cannot be bound.
    """
    check_port_free(host, port)
    server = make_server(
        command,
        host=host,
        port=port,
        token=token or new_token(),
        public_url=public_url,
        allow_origins=allow_origins,
        lang=lang,
    )
    try:
        server.serve()
    except OSError as exc:  # taken between the check and the bind
        raise _bind_error(host, port, exc) from exc
