"""Yes/no questions in the switch's language: Click's ``confirm`` with its ``[y/N]`` suffix.

In English this is ``typer.confirm`` itself, byte for byte.  In Japanese the
suffix, the complaint about an answer that is neither yes nor no, and the
answers themselves (``はい`` / ``いいえ`` besides ``y`` / ``n``) come from
``advisor/messages.yaml``; a declined question with ``abort=True`` raises
``typer.Abort``, which the localized command classes show as ``中止しました。``.
"""

from __future__ import annotations

import unicodedata

import typer

from advisor import messages
from advisor.cli.help_i18n import help_lang

YES = ("y", "yes", "はい")
NO = ("n", "no", "いいえ")


def confirm(question: str, *, default: bool = False, abort: bool = False) -> bool:
    """Ask ``question`` on stderr; True for yes (``default`` on an empty answer)."""
    if help_lang() != "ja":
        return typer.confirm(question, default=default, abort=abort, err=True)
    suffix = messages.text("confirm.suffix_yes" if default else "confirm.suffix_no", "ja")
    while True:
        typed = typer.prompt(
            f"{question} {suffix}", default="", show_default=False, err=True, prompt_suffix=": "
        )
        # NFKC: a full-width ｙ typed with the Japanese input method counts as y.
        answer = unicodedata.normalize("NFKC", str(typed)).strip().lower()
        if answer in YES or answer in NO or not answer:
            chosen = default if not answer else answer in YES
            break
        typer.echo(messages.text("confirm.invalid", "ja"), err=True)
    if abort and not chosen:
        raise typer.Abort()
    return chosen
