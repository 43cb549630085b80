"""``advisor questions`` and ``advisor assess``: the interview and the explained recommendation."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from advisor.cli.output import FORMAT_OPTION, OutputFormat, ReportFormat, echo, print_json

if TYPE_CHECKING:
    from advisor.criteria import Answers


class Lang(StrEnum):
    en = "en"
    ja = "ja"


LANG_OPTION: Any = typer.Option(Lang.en, "--lang", "-l", help="Language of all output: en or ja.")


def questions(
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    template: bool = typer.Option(
        False,
        "--template",
        help="Print an answers file to fill in (YAML, every question commented, defaults set).",
    ),
) -> None:
    """List the interview questions: ids, answer types, defaults and help."""
    from advisor.criteria.catalog import load_catalog, question_views

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
    lang: Lang = LANG_OPTION,
    fmt: ReportFormat = typer.Option(
        ReportFormat.text,
        "--format",
        "-f",
        help="text for people, json for programs, md for a one-page client brief.",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the result to this file instead of stdout."
    ),
) -> None:
    """Score every route for ANSWERS and explain the recommendation."""
    import json

    from advisor.criteria import Answers, load_answers, render_markdown, render_text
    from advisor.criteria import assess as run_assessment
    from advisor.errors import UserInputError

    if answers is None and not overrides:
        raise UserInputError(
            "nothing to assess", hint="give --answers FILE or --set question_id=value"
        )
    given = load_answers(answers) if answers is not None else Answers()
    assessment = run_assessment(_apply(given, overrides), lang=lang.value)
    if fmt is ReportFormat.json:
        text = json.dumps(assessment.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
        if output is None:
            print_json(assessment)
            return
    elif fmt is ReportFormat.md:
        text = render_markdown(assessment)
    else:
        text = render_text(assessment)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot write {output} ({exc.strerror})") from exc


def _apply(answers: Answers, overrides: list[str]) -> Answers:
    """``--set id=value`` answers on top of the file's (values read as YAML scalars)."""
    import yaml

    from advisor.criteria import Answers
    from advisor.errors import UserInputError

    values: dict[str, Any] = dict(answers.root)
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UserInputError(
                f"--set {item!r} is not of the form question_id=value",
                hint="for example --set example_count=200",
            )
        try:
            values[key.strip()] = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            values[key.strip()] = raw
    return Answers(values)


def register(app: typer.Typer) -> None:
    app.command("questions")(questions)
    app.command("assess")(assess)
