"""The ``advisor`` command: a thin shell over the headless core.

Command modules must stay cheap to import: heavy libraries are imported inside
the command functions, so ``advisor --help`` starts fast (a test enforces it).
"""

from __future__ import annotations

import sys

import typer

from advisor import __version__, messages
from advisor.cli import advise, backends_cmd, chat, config_cmd, report_cmd, tui_cmd
from advisor.cli import arena as arena_cmd
from advisor.cli import ask as ask_cmd
from advisor.cli import assistant as assistant_cmd
from advisor.cli import bench as bench_cmd
from advisor.cli import cost as cost_cmd
from advisor.cli import data as data_cmd
from advisor.cli import export as export_cmd
from advisor.cli import graders as graders_cmd
from advisor.cli import jobs as jobs_cmd
from advisor.cli import rag as rag_cmd
from advisor.cli import scenarios as scenarios_cmd
from advisor.cli import tune as tune_cmd
from advisor.cli.context import t
from advisor.cli.help_i18n import localize
from advisor.cli.output import error_line
from advisor.errors import AdvisorError

app = typer.Typer(
    name="advisor",
    help=(
        "Decide between system prompts, RAG, a custom assistant and fine-tuning "
        "(SFT, DPO, RFT), run the chosen route, and prove it with benchmarks."
    ),
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"advisor {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", "-V", callback=_version, is_eager=True, help="Show the version."
    ),
    lang: str | None = typer.Option(
        None, "--lang", help="Language of everything people read: en or ja (or ADVISOR_LANG)."
    ),
) -> None:
    """Without a command, open the guided wizard (`advisor tui`)."""
    _set_lang(lang)
    if ctx.invoked_subcommand is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            # No terminal to draw the wizard in (a pipe, CI): show the demo instead.
            from advisor.cli.demo import demo

            typer.echo(t("no_terminal"), err=True)
            demo(backend=None, model=None, question=None)
            return
        from advisor.cli.tui_cmd import tui

        tui(answers=None, session=None)


def _set_lang(lang: str | None) -> None:
    if lang is not None and messages.as_lang(lang) is None:
        raise typer.BadParameter("use en or ja", param_hint="--lang")
    messages.set_lang(lang)


advise.register(app)
chat.register(app)
backends_cmd.register(app)
config_cmd.register(app)
tui_cmd.register(app)
scenarios_cmd.register(app)
bench_cmd.register(app)
data_cmd.register(app)
rag_cmd.register(app)
ask_cmd.register(app)
arena_cmd.register(app)
assistant_cmd.register(app)
tune_cmd.register(app)
jobs_cmd.register(app)
graders_cmd.register(app)
cost_cmd.register(app)
report_cmd.register(app)
export_cmd.register(app)

from advisor.cli import demo as _demo  # noqa: E402  (registration order = help order)

_demo.register(app)
localize(app)  # --help and usage errors follow the language switch


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: runs the app and maps our errors to exit codes.

    Typer handles its own usage errors (exit 2) and --help; everything the
    product raises on purpose is an AdvisorError, printed as one sentence.
    """
    try:
        app(args=argv, prog_name="advisor")
    except AdvisorError as exc:
        typer.echo(error_line(exc), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo(t("cancelled"), err=True)
        sys.exit(130)
    except BrokenPipeError:  # `advisor ... | head` closed the pipe: not an error
        sys.exit(0)
