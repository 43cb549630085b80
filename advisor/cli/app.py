"""The ``advisor`` command: a thin shell over the headless core.

Command modules must stay cheap to import: heavy libraries are imported inside
the command functions, so ``advisor --help`` starts fast (a test enforces it).
A command named on the command line is built alone (:func:`build_app`): a
second ``advisor chat --backend local``, answered by the warm model in about a
second, does not pay for importing and building every other command (about
half of its own CPU time before, issue 19).
"""

from __future__ import annotations

import sys
from functools import cache
from importlib import import_module

import typer

from advisor import __version__, messages
from advisor.cli.context import t
from advisor.cli.help_i18n import localize
from advisor.cli.output import error_line
from advisor.errors import AdvisorError

# Top-level command -> the module of advisor.cli whose register() adds it, in the order
# `advisor --help` lists them (a test checks this table against the modules).
COMMANDS: dict[str, str] = {
    "questions": "advise",
    "assess": "advise",
    "chat": "chat",
    "backends": "backends_cmd",
    "config": "config_cmd",
    "tui": "tui_cmd",
    "serve": "tui_cmd",
    "scenarios": "scenarios",
    "bench": "bench",
    "data": "data",
    "rag": "rag",
    "ask": "ask",
    "arena": "arena",
    "assistant": "assistant",
    "tune": "tune",
    "jobs": "jobs",
    "graders": "graders",
    "cost": "cost",
    "prices": "cost",
    "report": "report_cmd",
    "export": "export",
    "demo": "demo",
}


def _new_app() -> typer.Typer:
    """The root of the command tree, with no commands yet."""
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
    app.callback(invoke_without_command=True)(root)
    return app


def _version(value: bool) -> None:
    if value:
        typer.echo(f"advisor {__version__}")
        raise typer.Exit()


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


@cache
def build_app(command: str | None = None) -> typer.Typer:
    """The command tree: every command, or only ``command`` (one of :data:`COMMANDS`)."""
    app = _new_app()
    wanted = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for module in wanted:
        import_module(f"advisor.cli.{module}").register(app)
    localize(app)  # --help and usage errors follow the language switch
    return app


def command_of(args: list[str]) -> str | None:
    """The top-level command ``args`` invoke (None: none, an unknown one, or only options)."""
    rest = list(args)
    while rest and rest[0].startswith("--lang"):  # the one root option that takes a value
        rest = rest[2:] if rest[0] == "--lang" else rest[1:]
    return rest[0] if rest and rest[0] in COMMANDS else None


def __getattr__(name: str) -> typer.Typer:
    """``app``: the whole command tree (tests, the help catalogue), built on first use."""
    if name == "app":
        return build_app(None)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: runs the app and maps our errors to exit codes.

    Typer handles its own usage errors (exit 2) and --help; everything the
    product raises on purpose is an AdvisorError, printed as one sentence.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        build_app(command_of(args))(args=args, prog_name="advisor")
    except AdvisorError as exc:
        typer.echo(error_line(exc), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo(t("cancelled"), err=True)
        sys.exit(130)
    except BrokenPipeError:  # `advisor ... | head` closed the pipe: not an error
        sys.exit(0)
