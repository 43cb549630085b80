"""Serve the wizard to a browser with textual-serve (kept here: only the TUI imports textual)."""

from __future__ import annotations

import shlex


def serve_in_browser(command: list[str], *, host: str, port: int) -> None:
    """Run ``command`` (an ``advisor tui`` invocation) per browser session until interrupted."""
    from textual_serve.server import Server

    Server(shlex.join(command), host=host, port=port, title="route advisor").serve()
