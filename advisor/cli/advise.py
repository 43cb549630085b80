"""``advisor questions`` and ``advisor assess``: the interview and the explained recommendation."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from advisor.cli.output import FORMAT_OPTION, OutputFormat, ReportFormat, echo, print_json

if TYPE_CHECKING:
    from advisor.bench.outcome import Outcome
    from advisor.criteria import Answers
    from advisor.evidence import Evidence


class Lang(StrEnum):
    en = "en"
    ja = "ja"


LANG_OPTION: Any = typer.Option(
    None,
    "--lang",
    "-l",
    help="Language of all output: en or ja (default: advisor --lang, ADVISOR_LANG, else en).",
    show_default=False,
)


def resolve_lang(lang: Lang | None) -> Lang:
    """A command's own --lang wins over the global one (advisor --lang, ADVISOR_LANG)."""
    from advisor.cli.context import lang as session_lang

    return lang if lang is not None else Lang(session_lang())


def questions(
    lang: Lang | None = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    template: bool = typer.Option(
        False,
        "--template",
        help="Print an answers file to fill in (YAML, every question commented, defaults set).",
    ),
) -> None:
    """List the interview questions: ids, answer types, defaults and help."""
    from advisor.criteria.catalog import load_catalog, question_views

    lang = resolve_lang(lang)
    if template:
        from advisor.criteria.render import answers_template

        typer.echo(answers_template(lang.value), nl=False)
        return
    views = question_views(lang.value)
    if fmt is OutputFormat.json:
        print_json(views)
        return
    catalog = load_catalog()

    def m(key: str) -> str:
        return catalog.msg(key, lang.value)

    echo(f"{m('questions_title')} ({len(views)})")
    for view in views:
        question = catalog.question(view.id)
        default = question.label_of(view.default, lang.value, catalog.messages)
        details = [m(f"type_{view.type}"), f"{m('default')}: {default}"]
        if view.choices:
            details.append(f"{m('choices')}: " + ", ".join(c.value for c in view.choices))
        if view.type == "scale":
            details.append(f"{m('range')}: {view.min}-{view.max}")
        echo("")
        echo(f"{view.id}  ({'; '.join(details)})")
        echo(f"  {view.text}")
        echo(f"  {view.help}")
        for choice in view.choices:
            echo(f"    {choice.value}: {choice.label}")


def assess(
    answers: Path | None = typer.Option(
        None,
        "--answers",
        "-a",
        help="Answers file (.yaml, .json or .toml): question id -> value.",
        dir_okay=False,
    ),
    overrides: list[str] = typer.Option(
        [],
        "--set",
        "-s",
        help="Answer or override one question, e.g. --set example_count=200 (repeatable).",
    ),
    lang: Lang | None = LANG_OPTION,
    fmt: ReportFormat = typer.Option(
        ReportFormat.text,
        "--format",
        "-f",
        help="text for people, json for programs, md for a one-page client brief.",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the result to this file instead of stdout."
    ),
    evidence: str | None = typer.Option(
        None,
        "--evidence",
        "-e",
        help="A folder or scenario whose files are measured; measured values win over answers.",
    ),
    results: Path | None = typer.Option(
        None,
        "--results",
        "-r",
        help="A bench results.json: show whether the measurement confirms the recommendation.",
        dir_okay=False,
    ),
) -> None:
    """Score every route for ANSWERS and explain the recommendation."""
    lang = resolve_lang(lang)
    import json

    from advisor.app.assess import assessment_of
    from advisor.criteria import Answers, load_answers, render_markdown, render_text
    from advisor.errors import UserInputError

    if answers is None and not overrides and evidence is None and results is None:
        raise UserInputError.from_catalog("assess.nothing", hint_key="assess.nothing_hint")
    given = _apply(load_answers(answers) if answers is not None else Answers(), overrides)
    if answers is not None and not given.root and evidence is None and results is None:
        _say_nothing_answered(answers, lang.value)
    given, found = _with_evidence(given, evidence, results)
    assessment = assessment_of(given.root, lang.value)
    measured = _outcome(results, assessment) if results is not None else None
    extra: dict[str, Any] = {}
    if found is not None:
        extra["evidence"] = found.model_dump(mode="json")
    if measured is not None:
        extra["measured"] = measured.model_dump(mode="json")
    if fmt is ReportFormat.json:
        payload = {**assessment.model_dump(mode="json"), **extra}
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
        if output is None:
            print_json(payload)
            return
    elif fmt is ReportFormat.md:
        text = render_markdown(assessment) + _extra_text(found, measured, lang.value, md=True)
    else:
        text = render_text(assessment) + _extra_text(found, measured, lang.value, md=False)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserInputError.from_catalog(
            "cannot_write", path=str(output), reason=exc.strerror
        ) from exc


def _say_nothing_answered(answers: Path, lang: str) -> None:
    """An empty answers file scores as confidently as a filled one: say what it rests on."""
    from advisor.messages import text

    echo(text("assess.no_answers_given", lang, path=str(answers)), err=True)


def _with_evidence(
    given: Answers, evidence: str | None, results: Path | None
) -> tuple[Answers, Evidence | None]:
    """The answers to score: measured values win; a scenario's own answers by default."""
    from advisor.app.assess import answers_of_results, answers_with_evidence
    from advisor.criteria import Answers

    if evidence is not None:
        measured, found = answers_with_evidence(given.root, evidence)
        return Answers(measured), found
    if results is not None and not given.root:
        from advisor.bench.results_io import read_results

        return Answers(answers_of_results(read_results(results))), None
    return given, None


def _outcome(path: Path, assessment: Any) -> Outcome:
    from advisor.app.assess import judge
    from advisor.bench.results_io import read_results

    return judge(read_results(path), assessment)


def _extra_text(found: Evidence | None, measured: Outcome | None, lang: str, *, md: bool) -> str:
    """The evidence table and the measured outcome, after the assessment."""
    from advisor.app.report import HEAD_KEYS, evidence_markdown
    from advisor.messages import text

    lines: list[str] = []
    if found is not None and md:
        lines += evidence_markdown(found, lang)
    elif found is not None:
        lines += ["", f"{text('core.report.evidence', lang)}:"]
        head = tuple(text(key, lang) for key in HEAD_KEYS)
        rows = [
            (f.question_in(lang), f.stated_in(lang), f.measured_in(lang), f.detail_in(lang))
            for f in found.findings
        ]
        marks = [f.contradicts for f in found.findings]
        from rich.cells import cell_len  # columns of terminal cells: いいえ is 6 wide

        widths = [max(cell_len(r[i]) for r in [head, *rows]) for i in range(3)]
        for row, mark in zip([head, *rows], [False, *marks], strict=True):
            cells = [c + " " * (w - cell_len(c)) for c, w in zip(row[:3], widths, strict=True)]
            lines.append(f"  {'!' if mark else ' '} " + "  ".join(cells) + f"  {row[3]}")
        if found.language:
            lines.append(f"  {text('core.report.language', lang)}: {found.language}")
        lines += [f"  ! {w}" for w in found.warnings_in(lang)]
    if measured is not None:
        heading = text("core.report.outcome", lang)
        lines += ["", f"## {heading}" if md else f"{heading}:"]
        from advisor.app.assess import status_label

        status = status_label(measured, lang)
        line = _outcome_line(measured, lang)
        lines += ["", f"**{status}**: {line}"] if md else [f"  {status}: {line}"]
    return "\n".join(lines) + ("\n" if lines else "")


def _outcome_line(m: Outcome, lang: str) -> str:
    from advisor.app.assess import outcome_text

    return outcome_text(m, lang)


def _apply(answers: Answers, overrides: list[str]) -> Answers:
    """``--set id=value`` answers on top of the file's (values read as YAML scalars)."""
    import yaml

    from advisor.criteria import Answers
    from advisor.errors import UserInputError

    values: dict[str, Any] = dict(answers.root)
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UserInputError.from_catalog(
                "assess.bad_set", hint_key="assess.bad_set_hint", item=repr(item)
            )
        try:
            values[key.strip()] = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            values[key.strip()] = raw
    return Answers(values)


def register(app: typer.Typer) -> None:
    app.command("questions")(questions)
    app.command("assess")(assess)
