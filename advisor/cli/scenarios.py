"""``advisor scenarios list|show|validate``: the benchmark scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel

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
        echo("No scenarios found; see docs/scenarios.md to write one.")
        return
    echo(f"{'NAME':<16} {'KIND':<13} {'LANG':<5} {'TRAIN':>5} {'TEST':>5}  {'SHOWS':<14} TITLE")
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
    echo(f"kind: {loaded.kind}   language: {loaded.language}   path: {loaded.root}")
    if loaded.expected_route:
        echo(f"built to show: {loaded.expected_route}")
    if loaded.routes:
        echo(f"routes to bench: {', '.join(loaded.routes)}")
    echo(f"system prompt: {loaded.system_prompt}")
    echo("answers:")
    for key, value in loaded.answers.items():
        echo(f"  {key} = {json.dumps(value, ensure_ascii=False)}")
    echo("training:")
    for method in METHODS:
        path = loaded.training.file(method)
        if path is not None:
            echo(f"  {method}: {path.name} ({_count_lines(path)} examples)")
    echo(f"test: {loaded.test.file.name} ({summary.test_prompts} prompts)")
    if loaded.test.paraphrases is not None:
        echo(f"  paraphrases: {loaded.test.paraphrases.name}")
    for grader in loaded.test.graders:
        echo(f"  grader {grader.name} ({grader.type}, {grader.aspect})")
    if loaded.knowledge is not None:
        files = loaded.knowledge_files()
        echo(f"knowledge: {loaded.knowledge.documents.name}/ ({len(files)} documents)")
    for note in loaded.notes:
        echo(f"note: {note}")
    for item in items[:3]:
        echo(f"example {item.id}: {item.prompt}")


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

        raise UserInputError("no scenarios found", hint="pass a scenario folder")
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
            )
        )
    if fmt is OutputFormat.json:
        print_json({"ok": all(r.ok for r in results), "scenarios": results})
    else:
        for result in results:
            status = "ok" if result.ok else "FAILED"
            echo(f"{result.name}: {status} ({result.errors} errors, {result.warnings} warnings)")
            for problem in result.problems[:20]:
                where = problem["path"] or ""
                if problem["line"]:
                    where += f":{problem['line']}"
                echo(f"  {problem['severity']}: {problem['message']} [{problem['code']}] {where}")
            if len(result.problems) > 20:
                echo(f"  ... and {len(result.problems) - 20} more (use --format json)")
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(scenarios_app, name="scenarios")
