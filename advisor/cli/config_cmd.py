"""``advisor config show``: the effective settings, secrets masked."""

from __future__ import annotations

import typer

from advisor.cli import context
from advisor.cli.context import t as msg
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json

config_app = typer.Typer(help="Settings (ADVISOR_* variables and advisor.toml).")


@config_app.command("show")
def show(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Print the effective settings with API keys masked."""
    data = context.settings().public_dump()
    if fmt is OutputFormat.json:
        print_json(data)
        return
    for line in _flatten(data):
        echo(line)
    # A person who switched the language for this session would otherwise read
    # `language = en` in Japanese and think the switch had not taken.
    spoken = context.lang()
    if spoken != data.get("language"):
        echo(msg("config.session_language", spoken=spoken))


def _flatten(data: dict[str, object], prefix: str = "") -> list[str]:
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.extend(_flatten(value, f"{prefix}{key}."))
        else:
            lines.append(msg("config.line", name=f"{prefix}{key}", value=value))
    return lines


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
