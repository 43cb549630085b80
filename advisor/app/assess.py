"""Assess with the files and the measurement: the one implementation behind
``advisor assess --evidence/--results`` and the wizard's "check against files"
and its verdict after a Compare run (issue 13, items 2 and 3).

Stated answers are what the user says; the files and a finished bench are what
is so.  Where they disagree the measured value is scored and the stated one is
kept next to it, so nothing the user said is silently lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.bench.outcome import Outcome
    from advisor.bench.schema import BenchResults
    from advisor.criteria.result import Assessment
    from advisor.evidence import Evidence


def assessment_of(answers: Mapping[str, Any], lang: str = "en") -> Assessment:
    """Score ``answers`` with the lifecycle table in force (a refreshed one included).

    Raises:
        DataFileError: an answer is not valid for its question.
    """
    from advisor.criteria import Answers, assess
    from advisor.data.prices import load_lifecycle

    return assess(Answers(dict(answers)), lang=lang, lifecycle=load_lifecycle())


def answers_with_evidence(
    stated: Mapping[str, Any], target: str | Path
) -> tuple[dict[str, Any], Evidence]:
    """The answers to score after reading ``target`` (a folder or a scenario).

    Measured values win over ``stated`` ones; with no stated answers, a
    scenario's own ``[answers]`` are the stated ones.

    Raises:
        UserInputError: ``target`` is neither a folder nor a scenario.
    """
    from advisor.evidence import gather

    given = dict(stated) or scenario_answers(target)
    found = gather(target, given)
    return {**given, **found.measured_answers()}, found


def scenario_answers(target: str | Path) -> dict[str, Any]:
    """A scenario's own answers; none for a plain folder of files."""
    from advisor.evidence import refuse_a_data_file

    folder = refuse_a_data_file(target)
    if folder.is_dir() and not (folder / "scenario.toml").is_file():
        return {}
    from advisor.bench.scenario import load_scenario

    return dict(load_scenario(str(target)).answers)


def answers_of_results(results: BenchResults) -> dict[str, Any]:
    """The answers of the benchmarked scenario, found by its path or its name.

    Raises:
        UserInputError: neither names a scenario that can be loaded.
    """
    from advisor.bench.scenario import load_scenario
    from advisor.errors import UserInputError

    info = results.scenario
    for candidate in (info.path, info.name):
        if not candidate:
            continue
        try:
            return dict(load_scenario(candidate).answers)
        except UserInputError:
            continue
    raise UserInputError.from_catalog(
        "core.assess.no_answers", hint_key="core.assess.no_answers_hint", name=repr(info.name)
    )


def judge(results: BenchResults, assessment: Assessment) -> Outcome:
    """Confirmed, refuted, inconclusive or not run: the recommendation against the bench."""
    from advisor.bench.outcome import measured_outcome

    rec = assessment.recommendation
    return measured_outcome(results, rec.primary, list(rec.combination))


def status_label(outcome: Outcome, lang: str) -> str:
    """The outcome's status in words, in ``lang``."""
    from advisor.messages import text

    return text(f"core.outcome.status.{outcome.status}", lang)


def outcome_text(m: Outcome, lang: str) -> str:
    """The measured outcome in words, in ``lang`` (the JSON ``summary`` is English)."""
    from advisor.bench.outcome import outcome_text as rendered

    return rendered(m, lang)
