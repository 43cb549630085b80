"""``advisor backends warm start|stop|status``: the shared local model process."""

from __future__ import annotations

import typer

from advisor.cli import context
from advisor.cli.context import t as msg
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json

warm_app = typer.Typer(
    help="The warm local model: one process that local chat, ask and bench share."
)


def _show(action: str, model: str | None, fmt: OutputFormat) -> None:
    from advisor.app.warm import warm_control

    report = warm_control(action, context.settings(), model)  # type: ignore[arg-type]
    if fmt is OutputFormat.json:
        print_json(report)
        return
    if action == "stop":
        echo(msg("warm.stopped" if report.stopped else "warm.was_not_running"))
        return
    if not report.running:
        echo(msg("warm.not_running"))
    else:
        models = ", ".join(report.models) or msg("warm.none_loaded")
        echo(msg("warm.running", pid=report.pid, socket=report.socket))
        echo(msg("warm.models", models=models, requests=report.requests))
        idle, timeout = f"{report.idle_s or 0:.0f}", f"{report.idle_timeout_s or 0:.0f}"
        echo(msg("warm.idle", idle=idle, timeout=timeout))
    if not report.enabled:
        echo(msg("warm.disabled"))


@warm_app.command("start")
def start(
    model: str | None = typer.Option(None, "--model", "-m", help="Model to load now."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Start the warm local model now (the first local answer also starts it)."""
    _show("start", model, fmt)


@warm_app.command("stop")
def stop(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Stop the warm local model and free its memory."""
    _show("stop", None, fmt)


@warm_app.command("status")
def status(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Whether the warm local model runs, what it holds and how long until it exits."""
    _show("status", None, fmt)
