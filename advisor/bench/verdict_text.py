"""The bench verdict in words, in either language, from its structured fields.

:func:`advisor.bench.compare.decide` stores the English sentences in the
results (``verdict.summary`` and ``verdict.recommendation_note``: JSON never
changes with the language).  The shells show them in the user's language with
:func:`verdict_summary` and :func:`verdict_note`, which rebuild the same message
key and values from the results: best route, winner, tied routes, pass rates,
alpha.  Texts live in ``advisor/messages_core.yaml``.  Outside English the routes
are named as the rest of the product names them (``route_name`` of the criteria
catalog: "システムプロンプト", not ``system_prompt``); the English keeps the ids
it stores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from advisor import messages
from advisor.bench.schema import BenchResults

Message = tuple[str, dict[str, Any]]

# The notes the runner sets when the advisor cannot give a recommendation (no structure
# to rebuild them from but the sentence itself: they are matched against the English).
NO_RECOMMENDATION_KEYS = ("core.verdict.no_advisor", "core.verdict.advisor_failed")


@dataclass
class Standing:
    """What the verdict rests on: the routes that ran and how the best compares."""

    rates: dict[str, float]  # pass rate of every route that ran
    best: str
    winner: str | None
    beaten: list[str] = field(default_factory=list)
    tied: list[str] = field(default_factory=list)
    alpha: float = 0.05


def route_names(lang: str) -> Callable[[str], str]:
    """How a verdict names a route in ``lang``: English keeps the id results.json stores."""
    if lang == "en":
        return lambda route: route
    from advisor.criteria.catalog import load_catalog

    catalog = load_catalog()
    return lambda route: catalog.route_name(route, lang)


def _listed(routes: list[str], lang: str) -> str:
    name = route_names(lang)
    return messages.text("core.verdict.list_sep", lang).join(name(r) for r in routes)


def summary_message(s: Standing, lang: str = "en") -> Message:
    """Key and values of the verdict's summary, the routes named for ``lang``."""
    rate = f"{s.rates[s.best]:.0%}"
    best = route_names(lang)(s.best)
    if len(s.rates) == 1:
        return "core.verdict.only_one", {"best": best, "rate": rate}
    if s.rates[s.best] == 0.0:
        return "core.verdict.none_passed", {}
    if s.winner:
        values = {"best": best, "rate": rate, "beaten": _listed(s.beaten, lang), "alpha": s.alpha}
        return "core.verdict.wins", values
    return "core.verdict.no_winner", {
        "best": best, "rate": rate, "tied": _listed(s.tied, lang), "alpha": s.alpha,
    }  # fmt: skip


def note_message(
    s: Standing, recommended: str | None, lang: str = "en"
) -> tuple[bool | None, Message]:
    """Whether the advice holds (None: undecidable), and the note's key and values."""
    if recommended is None:
        return None, ("core.verdict.no_answers", {})
    name = route_names(lang)
    values = {
        "recommended": name(recommended),
        "best": name(s.best),
        "winner": None if s.winner is None else name(s.winner),
    }
    if recommended not in s.rates:
        return None, ("core.verdict.not_run", values)
    if s.rates[s.best] == 0.0:
        # A tie at zero says the model cannot do the task by any route, not that the advice holds.
        return None, ("core.verdict.zero", values)
    if s.winner is not None:
        if recommended == s.winner:
            return True, ("core.verdict.advice_won", values)
        return False, ("core.verdict.other_won", values)
    if recommended == s.best or recommended in s.tied:
        return True, ("core.verdict.advice_tied", values)
    return False, ("core.verdict.advice_beaten", values)


def render(message: Message, lang: str) -> str:
    key, values = message
    return messages.text(key, lang, **values)


def standing(results: BenchResults) -> Standing | None:
    """The standing behind ``results.verdict`` (None when no route ran)."""
    v = results.verdict
    rates = {
        name: r.metrics.pass_rate
        for name, r in results.routes.items()
        if r.status == "ok" and r.metrics is not None
    }
    if v.best is None or v.best not in rates:
        return None
    others = [
        c.route_b if c.route_a == v.best else c.route_a
        for c in results.comparisons
        if v.best in (c.route_a, c.route_b)
    ]
    beaten = [o for o in others if o not in v.tied]
    return Standing(rates, v.best, v.winner, beaten, list(v.tied), results.config.alpha)


def verdict_summary(results: BenchResults, lang: str) -> str:
    """The verdict's summary in ``lang`` (English: as stored in the results)."""
    summary = results.verdict.summary
    if lang == "en":
        return summary
    found = standing(results)
    if found is not None:
        return render(summary_message(found, lang), lang)
    if summary == messages.text("core.verdict.nothing", "en"):
        return messages.text("core.verdict.nothing", lang)
    return summary  # a summary from an older release: kept as written


def verdict_note(results: BenchResults, lang: str) -> str:
    """The advisor check in ``lang`` (English: as stored in the results)."""
    note = results.verdict.recommendation_note
    if lang == "en":
        return note
    found = standing(results)
    if found is not None and results.verdict.recommended is not None:
        return render(note_message(found, results.verdict.recommended, lang)[1], lang)
    for key in (*NO_RECOMMENDATION_KEYS, "core.verdict.no_answers", "core.verdict.compare_none"):
        values = _match(key, note)
        if values is not None:
            return messages.text(key, lang, **values)
    return note  # a note from an older release: kept as written


def _match(key: str, text: str) -> dict[str, str] | None:
    """The values that make ``key``'s English text equal ``text``, or None."""
    return messages.match(key, text)


def verdict_lines(results: BenchResults, lang: str) -> tuple[str, str]:
    """The report's two verdict sentences in ``lang``: the summary and the advisor check."""
    summary = messages.text("core.verdict.sentence", lang, text=verdict_summary(results, lang))
    note = messages.text("core.verdict.check", lang, note=verdict_note(results, lang))
    return summary, note
