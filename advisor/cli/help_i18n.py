"""``--help`` and Click's usage errors in the language of the switch (issue 14).

:func:`localize` gives every command and group of the app the classes below (it
sets ``cls`` on Typer's registrations, so no command module changes).  Nothing
is translated at import: the switch is read when a help page or a usage error
is formatted.  In English every method hands over to Typer's own, so the
English help is byte for byte what Typer prints; in Japanese the texts come
from ``help_ja.yaml`` (:mod:`advisor.cli.help_catalog`) and lines are wrapped
in terminal cells (a full-width character takes two), which Click's formatter
(it counts characters and breaks only at spaces) cannot do.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import IO, Any

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand, TyperGroup
from typer.models import DefaultPlaceholder

from advisor import messages
from advisor.cli import help_catalog

# Short [notes], ASCII words and runs of spaces stay whole; any other character may end a line.
_TOKEN = re.compile(r"\s+|\[[^\]\n]{1,20}\]|[\x21-\x7e]+|.", re.DOTALL)
# Marks that must not start a line (kinsoku): they pull the previous token along.
# ASCII closers count too: the catalog writes "（既定: …）" with an ASCII colon.
_NO_LINE_START = frozenset(
    "、。，．）」』】〉》・：；！？ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ:;,.)]!?"
)


def cells(text: str) -> int:
    """Width of ``text`` in terminal cells (rich's measure: full-width characters are 2)."""
    from rich.cells import cell_len

    return cell_len(text)


def wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """``text`` (one paragraph) as lines of at most ``width`` cells, indents included."""
    lines: list[str] = []
    line: list[str] = [first]
    space = ""
    for token in _TOKEN.findall(text):
        if token.isspace():  # kept as written ("text.  [required]"), a line break as one space
            space = "" if len(line) == 1 else " " if "\n" in token else token
            continue
        if len(line) == 1 or cells("".join(line)) + cells(space + token) <= width:
            line += [space, token] if space else [token]
        else:
            carried: list[str] = []
            # A closing mark may not start a line: it takes the word before it along.
            while len(line) > 2 and (carried or [token])[0][0] in _NO_LINE_START:
                carried.insert(0, line.pop())
                if line[-1].isspace():
                    line.pop()
                    break
            lines.append("".join(line).rstrip())
            line = [rest, *carried, token]
        space = ""
    lines.append("".join(line).rstrip())
    return lines


def _paragraphs(text: str) -> list[str]:
    blocks = re.split(r"\n\s*\n", text.strip())
    return [" ".join(part.strip() for part in block.splitlines()) for block in blocks]


class JapaneseHelpFormatter(HelpFormatter):
    """Click's help layout with Japanese headings, measured and wrapped in terminal cells."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = help_catalog.heading("Usage:") + " "
        usage_prefix = f"{prefix:>{self.current_indent}}{prog} "
        text_width = self.width - self.current_indent
        if text_width >= cells(usage_prefix) + 20:
            lines = wrap(args, text_width, usage_prefix, " " * cells(usage_prefix))
        else:  # the prefix is too long: the arguments go on the next lines
            indent = " " * (max(self.current_indent, cells(prefix)) + 4)
            lines = [usage_prefix.rstrip(), *wrap(args, text_width, indent, indent)]
        self.write("\n".join(lines) + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{help_catalog.heading(heading)}:\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        blocks = ["\n".join(wrap(p, self.width, indent, indent)) for p in _paragraphs(text)]
        self.write("\n\n".join(blocks) + "\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        first_col = min(max((cells(first) for first, _ in rows), default=0), col_max)
        first_col += col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if cells(first) <= first_col - col_spacing:
                self.write(" " * (first_col - cells(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            text_width = max(self.width - first_col - 2, 10)
            lines = [line for p in _paragraphs(second) for line in wrap(p, text_width)]
            pad = " " * (first_col + self.current_indent)
            self.write(lines[0] + "\n" + "".join(f"{pad}{line}\n" for line in lines[1:]))


def help_lang() -> str:
    """The switch's language (``--lang``, ADVISOR_LANG, the ``language`` setting)."""
    from advisor.cli.context import lang

    return lang()


class LocalizedContext(typer.Context):
    """Hands out the Japanese formatter when the switch says ja (help pages and usage lines)."""

    def make_formatter(self) -> HelpFormatter:
        if help_lang() == "ja":
            width, max_width = self.terminal_width, self.max_content_width
            return JapaneseHelpFormatter(width=width, max_width=max_width)
        return super().make_formatter()


def command_path(ctx: Any) -> str:
    """``"data validate"`` for ``advisor data validate`` (the catalog's key; ``""`` is the root)."""
    names: list[str] = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def _extras(text: str, help_text: str) -> str:
    """``text`` with Click's ``[required; default: x]`` note after ``help_text`` translated."""
    tail = text[len(help_text) :] if text.startswith(help_text) else ""
    note = tail.strip()
    if not (note.startswith("[") and note.endswith("]")):
        return text
    items = [help_catalog.translate(item, "extras") for item in note[1:-1].split("; ")]
    return f"{help_text}{tail[: len(tail) - len(tail.lstrip())]}[{'; '.join(items)}]"


def param_record(param: Any, ctx: typer.Context) -> tuple[str, str] | None:
    """The help row of ``param`` with its Japanese text (English when the catalog lacks it)."""
    english = getattr(param, "help", None) or ""
    japanese = help_catalog.option_help(english) if english else None
    if japanese is not None:
        param = copy.copy(param)  # the command's own parameter keeps its English
        param.help = japanese
    record = param.get_help_record(ctx)
    if record is None:
        return None
    name, text = record
    return name, _extras(text, japanese if japanese is not None else english)


def _write_params(command: Any, ctx: typer.Context, formatter: HelpFormatter) -> None:
    arguments: list[tuple[str, str]] = []
    options: list[tuple[str, str]] = []
    for param in command.get_params(ctx):
        record = param_record(param, ctx)
        if record is not None:
            (arguments if param.param_type_name == "argument" else options).append(record)
    for heading, rows in (("Arguments", arguments), ("Options", options)):
        if rows:
            with formatter.section(heading):
                formatter.write_dl(rows)


def _write_help_text(command: Any, ctx: typer.Context, formatter: HelpFormatter) -> None:
    text = help_catalog.command_help(command_path(ctx)) or command.help or ""
    if text:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(text)


def short_help(japanese: str, limit: int) -> str:
    """The first sentence of ``japanese``, cut to ``limit`` cells with ``...``."""
    sentence = japanese.strip().split("。", 1)[0] + ("。" if "。" in japanese else "")
    if cells(sentence) <= limit:
        return sentence
    kept = ""
    for char in sentence:
        if cells(kept + char) > limit - 3:
            break
        kept += char
    return kept.rstrip("、。 ") + "..."


class LocalizedCommand(TyperCommand):
    """A command whose help follows the switch."""

    context_class = LocalizedContext

    def format_help_text(self, ctx: Any, formatter: HelpFormatter) -> None:
        if not isinstance(formatter, JapaneseHelpFormatter):
            return super().format_help_text(ctx, formatter)
        _write_help_text(self, ctx, formatter)

    def format_options(self, ctx: Any, formatter: HelpFormatter) -> None:
        if not isinstance(formatter, JapaneseHelpFormatter):
            return super().format_options(ctx, formatter)
        _write_params(self, ctx, formatter)


class LocalizedGroup(TyperGroup):
    """A group whose help, and the usage errors raised under it, follow the switch."""

    context_class = LocalizedContext

    def format_help_text(self, ctx: Any, formatter: HelpFormatter) -> None:
        if not isinstance(formatter, JapaneseHelpFormatter):
            return super().format_help_text(ctx, formatter)
        _write_help_text(self, ctx, formatter)

    def format_options(self, ctx: Any, formatter: HelpFormatter) -> None:
        if not isinstance(formatter, JapaneseHelpFormatter):
            return super().format_options(ctx, formatter)
        _write_params(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: Any, formatter: HelpFormatter) -> None:
        if not isinstance(formatter, JapaneseHelpFormatter):
            return super().format_commands(ctx, formatter)
        named = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        shown = [(name, command) for name, command in named if command and not command.hidden]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        prefix = f"{command_path(ctx)} ".lstrip()
        rows = []
        for name, command in shown:
            japanese = help_catalog.command_help(prefix + name)
            text = short_help(japanese, limit) if japanese else command.get_short_help_str(limit)
            rows.append((name, text))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        if parent is None:
            # The root's --lang is applied before its eager --help, which runs while parsing.
            messages.set_lang(root_lang(args))
        try:
            return super().make_context(info_name, args, parent, **extra)
        except ClickException as exc:
            error = localized_error(exc)
            if error is exc:
                raise
            raise error from exc

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ClickException as exc:
            error = localized_error(exc)
            if error is exc:
                raise
            raise error from exc
        except typer.Abort:  # a declined confirm(abort=True): Click would print "Aborted!"
            if help_lang() != "ja":
                raise
            typer.echo(messages.text("cancelled", "ja"), err=True)
            raise typer.Exit(1) from None


def root_lang(args: Sequence[str]) -> str | None:
    """The value of the root's ``--lang`` in ``args`` (before the command name), if any."""
    tokens = iter(args)
    for arg in tokens:
        if arg == "--lang":
            return next(tokens, None)
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if not arg.startswith("-"):
            return None  # the command: a --lang after it is the command's own
    return None


class JapaneseUsageError(UsageError):
    """A usage error shown in Japanese: usage line, the ``-h`` hint, ``エラー:``."""

    def show(self, file: IO[Any] | None = None) -> None:
        if self.ctx is not None:
            hint = ""
            if self.ctx.command.get_help_option(self.ctx) is not None:
                option = self.ctx.help_option_names[0]
                text = help_catalog.catalog().try_help
                hint = text.format(command=self.ctx.command_path, option=option) + "\n"
            typer.echo(f"{self.ctx.get_usage()}\n{hint}", file=file, err=file is None)
        line = messages.text("error.line", "ja", message=self.format_message())
        typer.echo(line, file=file, err=file is None)


class JapaneseClickError(ClickException):
    """Any other Click error (a file that cannot be opened) with the Japanese prefix."""

    def show(self, file: IO[Any] | None = None) -> None:
        line = messages.text("error.line", "ja", message=self.format_message())
        typer.echo(line, file=file, err=file is None)


def localized_error(exc: ClickException) -> ClickException:
    """``exc`` in Japanese when the switch says ja; otherwise (or already done) ``exc`` itself."""
    japanese = (JapaneseUsageError, JapaneseClickError, NoArgsIsHelpError)
    if isinstance(exc, japanese) or help_lang() != "ja":
        return exc  # NoArgsIsHelpError is the help page itself, already in the language
    message = help_catalog.translate(exc.format_message())
    error: ClickException
    if isinstance(exc, UsageError):
        error = JapaneseUsageError(message, exc.ctx)
    else:
        error = JapaneseClickError(message)
    error.exit_code = exc.exit_code
    return error


def _unset(value: object) -> bool:
    """No class of its own: Typer's default (``app.command()`` fills in TyperCommand itself)."""
    return value in (None, TyperCommand, TyperGroup) or isinstance(value, DefaultPlaceholder)


def localize(app: typer.Typer) -> None:
    """Give ``app``, its commands and its sub-apps (recursively) the classes of this module."""
    if _unset(app.info.cls):
        app.info.cls = LocalizedGroup
    for command in app.registered_commands:
        if _unset(command.cls):
            command.cls = LocalizedCommand
    for group in app.registered_groups:
        if _unset(group.cls):
            group.cls = LocalizedGroup
        if group.typer_instance is not None:
            localize(group.typer_instance)
