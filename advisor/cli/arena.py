"""``advisor arena``: vote blind between two targets' answers; votes become DPO pairs.

``advisor arena PROMPTS --a TARGET --b TARGET --pairs OUT.jsonl`` asks every
prompt of PROMPTS through both targets, shows the answers as A and B (sides
drawn per prompt) and reads a vote for each: a, b, t (tie) or s (both bad).
Votes come from the terminal, from ``--votes FILE`` (one a line) or from a
pipe.  ``advisor arena tally FILE`` counts the votes of a session.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer
from pydantic import BaseModel

from advisor.app.arena_tally import ArenaTally
from advisor.cli import context
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json
from advisor.errors import UserInputError

if TYPE_CHECKING:
    from advisor.app.arena import Arena, VoteResult
    from advisor.app.arena_votes import ArenaRound, Vote

TALLY = "tally"
STOP_WORDS = ("q", "quit", "stop")


class RoundReport(BaseModel):
    prompt: str
    a: str
    b: str
    vote: str
    revealed: dict[str, str]
    pair_written: bool


class ArenaReport(BaseModel):
    """``advisor arena --format json``."""

    pairs: str
    session: str
    pairs_written: int
    rounds: list[RoundReport]
    remaining: int
    tally: ArenaTally


def arena(
    prompts: str = typer.Argument(
        ..., metavar="PROMPTS", help="Prompts file (text: one a line; JSONL), or `tally`."
    ),
    tally_file: Path | None = typer.Argument(
        None, metavar="[FILE]", help="With `tally`: the session or pairs file to count."
    ),
    target_a: str | None = typer.Option(
        None, "--a", help="First target: a route or model (see docs/arena.md)."
    ),
    target_b: str | None = typer.Option(None, "--b", help="Second target."),
    pairs: Path | None = typer.Option(None, "--pairs", help="DPO pairs file votes append to."),
    votes: Path | None = typer.Option(None, "--votes", help="Votes, one a line: a, b, t, s."),
    reveal: bool = typer.Option(False, "--reveal", help="Name the targets after each vote."),
    seed: int = typer.Option(0, "--seed", help="Seed of the blind sides."),
    backend: str | None = typer.Option(None, "--backend", help="Backend of both."),
    model: str | None = typer.Option(None, "--model", "-m", help="Model of both."),
    instructions: str | None = typer.Option(
        None, "--instructions", "-i", help="System prompt of both, and of the pairs."
    ),
    kb: str | None = typer.Option(None, "--kb", help="Knowledge base of a rag target."),
    max_tokens: int | None = typer.Option(None, "--max-tokens", min=1, help="Answer cap."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Answer PROMPTS with two targets, vote blind, save each vote as a DPO pair.

    `advisor arena tally FILE` prints the tally of a session (or of the pairs
    file beside it).
    """
    if prompts == TALLY:
        _tally(tally_file, fmt)
        return
    if tally_file is not None:
        raise UserInputError.from_catalog(
            "arena.unexpected_argument", hint_key="arena.unexpected_argument_hint", arg=tally_file
        )
    if not (target_a and target_b and pairs):
        raise UserInputError.from_catalog(
            "arena.needs_targets", hint_key="arena.needs_targets_hint"
        )
    from advisor.app.arena import Arena, TargetDefaults, read_prompts

    defaults = TargetDefaults(backend=backend, model=model, instructions=instructions, kb=kb)
    chosen = Arena.open(
        [target_a, target_b], pairs, context.settings(), context.backend,
        defaults=defaults, seed=seed,
    )  # fmt: skip
    todo = chosen.todo(read_prompts(Path(prompts)))
    source = votes.open(encoding="utf-8") if votes is not None else sys.stdin
    try:
        report = _vote_all(chosen, todo, source, reveal, fmt, max_tokens)
    finally:
        if votes is not None:
            source.close()
    if fmt is OutputFormat.json:
        print_json(report)
        return
    written = report.pairs_written
    key = "arena.appended_one" if written == 1 else "arena.appended"
    echo(context.t(key, count=written, pairs=report.pairs, session=report.session))
    if report.remaining:
        echo(context.t("arena.remaining", count=report.remaining))
    for line in _tally_lines(report.tally):
        echo(line)


def _vote_all(
    chosen: Arena,
    todo: list[str],
    source: TextIO,
    reveal: bool,
    fmt: OutputFormat,
    max_tokens: int | None,
) -> ArenaReport:
    from advisor.app.arena_tally import tally
    from backends.types import GenerationParams

    params = GenerationParams(max_tokens=max_tokens)
    interactive = source.isatty()
    show = echo if fmt is OutputFormat.text else _to_stderr
    done: list[RoundReport] = []
    for number, prompt in enumerate(todo, start=1):
        found = chosen.answer(prompt, params)
        _show_round(found, number, len(todo), show)
        vote = _read_vote(source, interactive)
        if vote is None:
            break
        result = chosen.vote(found, vote)
        done.append(_round_report(found, result))
        if vote in ("A", "B") and not result.pair_written:
            show("  " + context.t("arena.same_answers"))
        if reveal:
            show("  " + context.t("arena.revealed", a=result.revealed["A"], b=result.revealed["B"]))
    return ArenaReport(
        pairs=str(chosen.pairs),
        session=str(chosen.session_file),
        pairs_written=sum(r.pair_written for r in done),
        rounds=done,
        remaining=len(todo) - len(done),
        tally=tally(chosen.session),
    )


def _to_stderr(text: str = "") -> None:
    echo(text, err=True)


def _show_round(found: ArenaRound, number: int, total: int, show: Callable[[str], None]) -> None:
    show(f"[{number}/{total}] {found.prompt}")
    for label in ("A", "B"):
        show(f"--- {label} ---")
        show(found.answer(label))
    show("")


def _read_vote(source: TextIO, interactive: bool) -> Vote | None:
    """The next vote, or None when the votes ran out or the person stopped (q)."""
    from advisor.app.arena_votes import parse_vote

    while True:
        if interactive:
            typer.echo(context.t("arena.vote_prompt") + " ", nl=False, err=True)
        line = source.readline()
        if not line or line.strip().lower() in STOP_WORDS:
            return None
        if not line.strip():
            continue
        try:
            return parse_vote(line)
        except UserInputError as exc:
            if not interactive:
                raise
            echo(context.t("arena.vote_error", error=exc.localized(context.lang())), err=True)


def _round_report(found: ArenaRound, result: VoteResult) -> RoundReport:
    return RoundReport(
        prompt=found.prompt,
        a=found.answer("A"),
        b=found.answer("B"),
        vote=str(found.vote),
        revealed=result.revealed,
        pair_written=result.pair_written,
    )


def _tally(path: Path | None, fmt: OutputFormat) -> None:
    from advisor.app.arena_tally import tally_file

    if path is None:
        raise UserInputError.from_catalog(
            "arena.tally_needs_file", hint_key="arena.tally_file_hint"
        )
    result = tally_file(path)
    if fmt is OutputFormat.json:
        print_json(result)
        return
    for line in _tally_lines(result):
        echo(line)


def _tally_lines(tally: ArenaTally) -> list[str]:
    """The tally for people, in the session's language (``ArenaTally.lines`` is English)."""
    t = context.t
    out = [t("arena.votes", votes=tally.votes, skipped=tally.skipped, pending=tally.pending)]
    for score in tally.scores:
        out.append("  " + t("arena.score", target=score.target, wins=score.wins,
                            losses=score.losses, ties=score.ties))  # fmt: skip
    if tally.share_a is None:
        out.append(t("arena.no_votes"))
        return out
    low, high = tally.interval
    out.append(t("arena.preferred", target=tally.targets[0], share=f"{tally.share_a:.0%}",
                 low=f"{low:.0%}", high=f"{high:.0%}", p=f"{tally.p_value:.3f}"))  # fmt: skip
    out.append(t("arena.better", target=tally.better) if tally.better else t("arena.no_winner"))
    return out


def register(app: typer.Typer) -> None:
    app.command("arena")(arena)
