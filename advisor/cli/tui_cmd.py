"""``advisor tui`` (the wizard in this terminal) and ``advisor serve`` (in a browser).

textual is imported only inside the commands, so ``advisor --help`` stays fast.
"""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import typer

from advisor.cli.context import lang as session_lang
from advisor.cli.context import t
from advisor.cli.output import echo
from advisor.errors import UserInputError

ANSWERS_OPTION = typer.Option(
    None, "--answers", "-a", help="Preload advisor answers (YAML, JSON or TOML)."
)
SESSION_OPTION = typer.Option(None, "--session", "-s", help="Open (and save to) this session file.")


def tui(
    answers: Path | None = ANSWERS_OPTION,
    session: Path | None = SESSION_OPTION,
) -> None:
    """Open the guided wizard: interview, results, data, run, compare, chat."""
    from advisor.tui import run

    code = run(answers=answers, session=session)
    if code:
        raise typer.Exit(code)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="Port to listen on."),
    public: bool = typer.Option(
        False,
        "--public",
        help="Allow a non-loopback --host: anyone who reaches it can drive the wizard.",
    ),
    public_url: str | None = typer.Option(
        None,
        "--public-url",
        envvar="ADVISOR_SERVE_PUBLIC_URL",
        help="The URL browsers use (behind a reverse proxy), e.g. https://advisor.example.com.",
    ),
    allow_origin: list[str] = typer.Option(
        [], "--allow-origin", help="Another origin whose pages may open the websocket (repeatable)."
    ),
    token: str | None = typer.Option(
        None,
        "--token",
        envvar="ADVISOR_SERVE_TOKEN",
        help="The access token in the URL (default: a new random one each run).",
    ),
    answers: Path | None = ANSWERS_OPTION,
    session: Path | None = SESSION_OPTION,
) -> None:
    """Serve the same wizard to a web browser (textual-serve); loopback only, with a token."""
    if not is_loopback(host):
        if not public:
            raise UserInputError.from_catalog(
                "serve.not_loopback", hint_key="serve.not_loopback_hint", host=host
            )
        echo(t("serve.public_warning", host=host), err=True)
    from advisor.messages import chosen_lang
    from advisor.tui.serve import serve_in_browser

    lang = chosen_lang()  # the wizard process starts in the language of this one
    command = [sys.executable, "-m", "advisor", *(["--lang", lang] if lang else []), "tui"]
    if answers is not None:
        command += ["--answers", str(answers.resolve())]
    if session is not None:
        command += ["--session", str(session.resolve())]
    if token is not None and len(token) < 16:
        raise UserInputError.from_catalog("serve.short_token", hint_key="serve.short_token_hint")
    serve_in_browser(
        command,
        host=host,
        port=port,
        public_url=public_url,
        allow_origins=allow_origin,
        token=token,
        lang=session_lang(),
    )


def register(app: typer.Typer) -> None:
    app.command("tui")(tui)
    app.command("serve")(serve)
