"""The arena's tally: wins, losses and ties per target, and how sure "which is better" is.

The share of target A (``--a``) counts a win as 1 and a tie as 1/2 over all
votes but skips ("both bad" says nothing about which is better); its 95%
interval is the Wilson score interval the benchmarks use
(:func:`advisor.bench.stats.wilson_interval`), and the p-value is the exact
two-sided sign test on the decisive votes (:func:`advisor.bench.stats.mcnemar_exact`,
which is that test on discordant pairs).  A target is called better only when
the whole interval lies on its side of 1/2.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from advisor.app.arena_votes import SESSION_SUFFIX, ArenaSession, session_path
from advisor.bench.stats import mcnemar_exact, wilson_interval
from advisor.errors import UserInputError


class TargetScore(BaseModel):
    target: str
    wins: int
    losses: int
    ties: int


class ArenaTally(BaseModel):
    """``advisor arena tally --format json``."""

    targets: list[str]
    scores: list[TargetScore]
    votes: int = Field(description="Votes given, skips included.")
    skipped: int = Field(description="Both answers bad: counted out of the share.")
    pending: int = Field(description="Prompts answered but not voted on yet.")
    share_a: float | None = Field(description="Target A's wins plus half the ties, per vote.")
    interval: tuple[float, float] = Field(description="95% Wilson interval of share_a.")
    p_value: float = Field(description="Exact two-sided sign test on the decisive votes.")
    better: str | None = Field(description="The target the interval favours, or None.")

    def lines(self) -> list[str]:
        """The tally for people."""
        out = [f"{self.votes} votes ({self.skipped} both bad, {self.pending} waiting)"]
        for score in self.scores:
            out.append(
                f"  {score.target}: {score.wins} wins, {score.losses} losses, {score.ties} ties"
            )
        if self.share_a is None:
            out.append("no decisive or tied votes yet")
            return out
        low, high = self.interval
        out.append(
            f"{self.targets[0]} preferred in {self.share_a:.0%} "
            f"(95% interval {low:.0%}-{high:.0%}, sign test p={self.p_value:.3f})"
        )
        if self.better:
            out.append(f"better: {self.better}")
        else:
            out.append("no clear winner yet: vote on more prompts to narrow the interval")
        return out


def tally(session: ArenaSession) -> ArenaTally:
    """Count the session's votes."""
    voted = [r for r in session.rounds if r.vote is not None]
    wins = [sum(1 for r in voted if r.winner == i) for i in (0, 1)]
    ties = sum(1 for r in voted if r.vote == "tie")
    skipped = sum(1 for r in voted if r.vote == "skip")
    counted = wins[0] + wins[1] + ties
    share = (wins[0] + ties / 2) / counted if counted else None
    interval = wilson_interval(wins[0] + ties / 2, counted)
    better = None
    if interval[0] > 0.5:
        better = session.targets[0]
    elif interval[1] < 0.5:
        better = session.targets[1]
    scores = [
        TargetScore(target=session.targets[i], wins=wins[i], losses=wins[1 - i], ties=ties)
        for i in (0, 1)
    ]
    return ArenaTally(
        targets=list(session.targets),
        scores=scores,
        votes=len(voted),
        skipped=skipped,
        pending=len(session.rounds) - len(voted),
        share_a=None if share is None else round(share, 4),
        interval=(round(interval[0], 4), round(interval[1], 4)),
        p_value=round(mcnemar_exact(wins[0], wins[1]), 4),
        better=better,
    )


def tally_file(path: Path) -> ArenaTally:
    """Tally a session file, or the session kept beside a pairs file.

    A pairs file alone cannot be tallied: OpenAI's format has no room for which
    target wrote which answer, so the session beside it holds that.
    """
    if path.name.endswith(SESSION_SUFFIX) or path.suffix == ".json":
        return tally(ArenaSession.load(path))
    beside = session_path(path)
    if not beside.is_file():
        raise UserInputError.from_catalog(
            "core.arena.no_session",
            hint_key="core.arena.no_session_hint",
            path=str(path),
            name=beside.name,
        )
    return tally(ArenaSession.load(beside))
