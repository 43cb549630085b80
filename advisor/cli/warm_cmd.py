"""``advisor backends warm start|stop|status``: the shared local model process."""

from __future__ import annotations

import typer

from advisor.cli import context
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
        echo(
            "stopped the warm local model" if report.stopped else "no warm local model was running"
        )
        return
    if not report.running:
        echo("no warm local model is running; the next local answer starts one")
    else:
        models = ", ".join(report.models) or "none loaded yet"
        echo(f"running: pid {report.pid}, socket {report.socket}")
        echo(f"models: {models}; requests so far: {report.requests}")
        echo(
            f"idle {report.idle_s or 0:.0f} s of {report.idle_timeout_s or 0:.0f} s before it exits"
        )
    if not report.enabled:
        echo("local.warm is false: commands load the model themselves and do not use it")


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
