"""``advisor scenarios list|show|validate``: the benchmark scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel, Field

from advisor.cli import context
from advisor.cli.context import t as msg
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json
from advisor.ids import METHODS

scenarios_app = typer.Typer(help="Benchmark scenarios: list, inspect and validate them.")

DIR_OPTION: Any = typer.Option(
    None, "--dir", help="Folder of scenario folders (default: ./scenarios, then the shipped ones)."
)


class ScenarioSummary(BaseModel):
    name: str
    title: str
    kind: str
    language: str
    expected_route: str | None
    training_examples: int
    test_prompts: int
    has_knowledge: bool
    path: str


class ValidationResult(BaseModel):
    name: str
    path: str
    ok: bool
    errors: int
    warnings: int
    problems: list[dict[str, Any]]
    # The problems' messages in the session's language (text output only; JSON stays English).
    shown: list[str] = Field(default_factory=list, exclude=True)


def _count_lines(path: Path | None) -> int:
    if path is None or not path.is_file():
        return 0
    with path.open(encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


def _summary(scenario: Any) -> ScenarioSummary:
    return ScenarioSummary(
        name=scenario.name,
        title=scenario.title,
        kind=scenario.kind,
        language=scenario.language,
        expected_route=scenario.expected_route,
        training_examples=_count_lines(scenario.training.sft),
        test_prompts=_count_lines(scenario.test.file),
        has_knowledge=scenario.knowledge is not None,
        path=str(scenario.root),
    )


@scenarios_app.command("list")
def list_command(root: Path | None = DIR_OPTION, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """The scenarios found, with their kind and size."""
    from advisor.bench.scenario import list_scenarios, load_scenario

    summaries = [_summary(load_scenario(folder)) for folder in list_scenarios(root)]
    if fmt is OutputFormat.json:
        print_json({"scenarios": summaries})
        return
    if not summaries:
        echo(msg("scenarios.none"))
        return
    name, kind, lang, train, test, shows, title = msg("scenarios.head").split("|")
    head = [_pad(name, 16), _pad(kind, 13), _pad(lang, 5), _pad(train, 5, right=True)]
    echo(" ".join([*head, _pad(test, 5, right=True)]) + f"  {_pad(shows, 14)} {title}")
    for s in summaries:
        echo(
            f"{s.name:<16} {s.kind:<13} {s.language:<5} {s.training_examples:>5} "
            f"{s.test_prompts:>5}  {s.expected_route or '-':<14} {s.title}"
        )


@scenarios_app.command("show")
def show_command(
    scenario: str = typer.Argument(..., help="Scenario name or folder."),
    root: Path | None = DIR_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Everything about one scenario: prompt, answers, files, graders, sample prompts."""
    from advisor.bench.scenario import load_scenario

    loaded = load_scenario(scenario, root)
    items = loaded.test_items()
    if fmt is OutputFormat.json:
        data = loaded.model_dump(mode="json")
        data["summary"] = _summary(loaded).model_dump()
        data["sample_items"] = [item.fields() for item in items[:3]]
        print_json(data)
        return
    summary = _summary(loaded)
    echo(f"{loaded.title} ({loaded.name})")
    echo(f"  {loaded.description}")
    echo(msg("scenarios.kind", kind=loaded.kind, language=loaded.language, path=loaded.root))
    if loaded.expected_route:
        echo(msg("scenarios.shows", route=loaded.expected_route))
    if loaded.routes:
        echo(msg("scenarios.routes", routes=", ".join(loaded.routes)))
    echo(msg("scenarios.system_prompt", prompt=loaded.system_prompt))
    echo(msg("scenarios.answers"))
    for key, value in loaded.answers.items():
        echo(f"  {key} = {json.dumps(value, ensure_ascii=False)}")
    echo(msg("scenarios.training"))
    for method in METHODS:
        path = loaded.training.file(method)
        if path is not None:
            count = _count_lines(path)
            echo(msg("scenarios.training_file", method=method, file=path.name, count=count))
    echo(msg("scenarios.test", file=loaded.test.file.name, count=summary.test_prompts))
    if loaded.test.paraphrases is not None:
        echo(msg("scenarios.paraphrases", file=loaded.test.paraphrases.name))
    for g in loaded.test.graders:
        echo(msg("scenarios.grader", name=g.name, type=g.type, aspect=g.aspect))
    if loaded.knowledge is not None:
        count = len(loaded.knowledge_files())
        echo(msg("scenarios.knowledge", folder=loaded.knowledge.documents.name, count=count))
    for note in loaded.notes:
        echo(msg("scenarios.note", note=note))
    for item in items[:3]:
        echo(msg("scenarios.example", id=item.id, prompt=item.prompt))


@scenarios_app.command("validate")
def validate_command(
    scenarios: list[str] = typer.Argument(None, help="Names or folders; none means all."),
    root: Path | None = DIR_OPTION,
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as failures."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Check files, sizes, held-out overlap, graders and answers; exit 1 on problems."""
    from advisor.bench.scenario import list_scenarios, load_scenario, validate_scenario

    targets: list[str | Path] = list(scenarios or []) or list(list_scenarios(root))
    if not targets:
        from advisor.errors import UserInputError

        raise UserInputError.from_catalog(
            "scenarios.no_scenarios", hint_key="scenarios.no_scenarios_hint"
        )
    results = []
    for target in targets:
        loaded = load_scenario(target, root)
        problems = validate_scenario(loaded)
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        results.append(
            ValidationResult(
                name=loaded.name,
                path=str(loaded.root),
                ok=errors == 0 and not (strict and warnings),
                errors=errors,
                warnings=warnings,
                problems=[p.model_dump() for p in problems],
                shown=[p.message_in(context.lang()) for p in problems],
            )
        )
    if fmt is OutputFormat.json:
        print_json({"ok": all(r.ok for r in results), "scenarios": results})
    else:
        _print_validation(results)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def _print_validation(results: list[ValidationResult]) -> None:
    for result in results:
        status = msg("scenarios.ok" if result.ok else "scenarios.failed")
        counts = {"errors": result.errors, "warnings": result.warnings}
        echo(msg("scenarios.result", name=result.name, status=status, **counts))
        for number, problem in enumerate(result.problems[:20]):
            where = problem["path"] or ""
            if problem["line"]:
                where += f":{problem['line']}"
            severity = problem["severity"]
            if severity in ("error", "warning"):
                severity = msg(f"scenarios.{severity}")
            echo(
                msg(
                    "scenarios.problem",
                    severity=severity,
                    message=result.shown[number] if result.shown else problem["message"],
                    code=problem["code"],
                    where=where,
                )
            )
        if len(result.problems) > 20:
            echo(msg("scenarios.more", count=len(result.problems) - 20))


def _pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal cells (never cut); Japanese takes two a character."""
    from rich.cells import cell_len

    space = " " * max(0, width - cell_len(text))
    return space + text if right else text + space


def register(app: typer.Typer) -> None:
    app.add_typer(scenarios_app, name="scenarios")
