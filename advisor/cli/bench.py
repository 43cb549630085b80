"""``advisor bench``: run a scenario's routes side by side and write the reports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from advisor.cli import context
from advisor.cli.output import FORMAT_OPTION, OutputFormat, echo, print_json, progress_bar
from advisor.data.texts import label_in
from advisor.errors import AdvisorError, UserInputError

if TYPE_CHECKING:
    from advisor.app.bench import BenchRun
    from advisor.bench.schema import BenchPlan as Estimate
    from advisor.bench.schema import BenchSummary
    from advisor.ids import Progress


NO_CALIBRATE_HELP = "Do not measure this machine for the plan; unmeasured times show as unknown."

MAX_TOKENS_HELP = "Cap on tokens per answer [default: twice the longest reference answer, 64-256]."


def bench(
    scenario: str = typer.Argument(..., help="Scenario name, folder or scenario.toml path."),
    routes: str | None = typer.Option(
        None,
        "--routes",
        "-r",
        help=(
            "Comma-separated route ids (system_prompt, few_shot, rag, custom_assistant, sft, "
            "dpo, rft, sft_short, sft+rag, sft>dpo, ...; + combines at inference, > chains "
            "training), all, or advisor (its recommendation, combination, runner-up and the "
            "baseline) [default: the scenario's routes, else advisor]."
        ),
    ),
    backend: str | None = typer.Option(None, "--backend", "-b", help="Backend to run on."),
    model: str | None = typer.Option(None, "--model", "-m", help="Base model id."),
    repeats: int = typer.Option(2, "--repeats", "-n", min=1, help="Answers per prompt."),
    temperature: float = typer.Option(0.0, min=0.0, max=2.0, help="0 means greedy decoding."),
    max_examples: int | None = typer.Option(
        None, "--max-examples", min=1, help="Use only the first N test prompts (quick runs)."
    ),
    max_tokens: int | None = typer.Option(None, "--max-tokens", min=1, help=MAX_TOKENS_HELP),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Report folder (default: bench-results/<scenario>)."
    ),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Draw fresh answers instead of reusing cached ones."
    ),
    fail_under: float | None = typer.Option(
        None,
        "--fail-under",
        help="Exit 1 if the chosen route's pass rate is below this (0-1, or a percentage).",
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Print the plan (detectable difference, estimated time per route) and stop.",
    ),
    no_calibrate: bool = typer.Option(False, "--no-calibrate", help=NO_CALIBRATE_HELP),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Prepare each route, answer every test prompt N times, grade, compare, report."""
    from advisor.app.bench import BenchRequest, plan_benchmark, require_answers, run_benchmark

    threshold = _threshold(fail_under)
    request = BenchRequest(
        scenario=scenario,
        routes=routes,
        backend=backend,
        model=model,
        repeats=repeats,
        temperature=temperature,
        max_examples=max_examples,
        max_tokens=max_tokens,
        out=out,
        use_cache=not no_cache,
        calibrate=not no_calibrate,
    )
    plan = plan_benchmark(request, context.settings(), context.backend, _calibrating(fmt))
    if _show_plan(plan.estimate, fmt, stop=dry_run):
        return
    with _Progress(enabled=fmt is OutputFormat.text) as progress:
        run = run_benchmark(plan, context.settings(), progress=progress, lang=context.lang())
    results, paths = run.results, run.paths
    verdict = results.verdict
    below = threshold is not None and (
        verdict.chosen_pass_rate is None or verdict.chosen_pass_rate < threshold
    )
    if fmt is OutputFormat.json:
        print_json(_summary(run, threshold, below))
    else:
        _print_text(results, paths)
    require_answers(results)
    if below:
        raise _below(verdict, threshold or 0.0, paths["html"])


def _below(verdict: Any, threshold: float, html: Path) -> AdvisorError:
    rate = verdict.chosen_pass_rate
    return AdvisorError.from_catalog(
        "bench.below_threshold",
        hint_key="bench.see_report",
        route=verdict.chosen,
        rate=context.t("bench.no_answers") if rate is None else f"{rate:.0%}",
        threshold=f"{threshold:.0%}",
        path=str(html),
    )


def _calibrating(fmt: OutputFormat) -> Progress:
    """Progress of a calibration the plan needs, on stderr in text mode."""

    def report(done: int, total: int, label: str) -> None:
        if fmt is OutputFormat.text:
            echo(context.t("bench.calibrating", label=label_in(label, context.lang())), err=True)

    return report


def _show_plan(estimate: Estimate, fmt: OutputFormat, *, stop: bool) -> bool:
    """Print the plan (as JSON only for a dry run); True when the run stops here."""
    from advisor.bench.plan import render_plan

    if stop and fmt is OutputFormat.json:
        print_json({"plan": estimate.model_dump(mode="json")})
        return True
    if fmt is OutputFormat.text:
        for line in render_plan(estimate, context.lang()):
            echo(line)
    return stop


def _summary(run: BenchRun, threshold: float | None, below: bool) -> BenchSummary:
    """The JSON of ``advisor bench --format json``."""
    from advisor.bench.schema import BenchSummary, RouteSummary

    results = run.results
    return BenchSummary(
        scenario=results.scenario.name,
        out_dir=str(run.out_dir),
        reports={k: str(v) for k, v in run.paths.items()},
        routes={
            name: RouteSummary(status=r.status, model=r.model, error=r.error, metrics=r.metrics)
            for name, r in results.routes.items()
        },
        verdict=results.verdict,
        fail_under=threshold,
        failed_threshold=below,
        plan=results.plan,
    )


def _threshold(value: float | None) -> float | None:
    if value is None:
        return None
    if value < 0 or value > 100:
        raise UserInputError.from_catalog("bench.bad_threshold")
    return value / 100 if value > 1 else value


def _rows(results: Any, lang: str) -> list[tuple[str, ...]]:
    """The results table's cells in ``lang``: a missing figure is the report's ``n/a`` / ``—``."""
    from advisor.bench.report_i18n import Words, route_status

    w = Words(lang)

    def pct(value: float | None) -> str:
        return w("na") if value is None else f"{value:.0%}"

    def num(value: float | None, form: str) -> str:
        return w("na") if value is None else form.format(value)

    keys = ("route", "pass_rate", "consistency", "p50", "tokens", "cost")
    rows: list[tuple[str, ...]] = [tuple(context.t(f"bench.col_{key}") for key in keys)]
    for name, r in results.routes.items():
        m = r.metrics
        if r.status != "ok" or m is None:
            rows.append((name, route_status(r, lang), "", "", "", ""))
            continue
        lo, hi = m.pass_rate_ci
        rows.append(
            (
                name,
                f"{pct(m.pass_rate)} ({pct(lo)}-{pct(hi)})",
                pct(m.consistency.exact_agreement),
                num(m.latency_p50_s, "{:.2f}"),
                f"{m.tokens_per_request:.0f}",
                num(m.cost_per_1k_usd, "${:.4f}"),
            )
        )
    return rows


def _print_text(results: Any, paths: dict[str, Path]) -> None:
    rows = _rows(results, context.lang())
    from rich.cells import cell_len, set_cell_size

    # Widths in terminal cells: Japanese headers take two cells a character.
    widths = [
        max(cell_len(row[i]) for row in rows if cell_len(row[i]) < 60) for i in range(len(rows[0]))
    ]
    for row in rows:
        cells = [
            c if cell_len(c) >= w else set_cell_size(c, w) for c, w in zip(row, widths, strict=True)
        ]
        echo("  ".join(cells).rstrip())
    from advisor.bench.verdict_text import verdict_note, verdict_summary

    echo("")
    echo(context.t("bench.verdict", summary=verdict_summary(results, context.lang())))
    echo(context.t("bench.advisor_note", note=verdict_note(results, context.lang())))
    echo(
        context.t(
            "bench.reports",
            html=str(paths["html"]),
            markdown=paths["markdown"].name,
            json=paths["json"].name,
        )
    )


class _Progress:
    """A rich progress bar on stderr, one line per stage; silent when disabled."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _Progress:
        if self.enabled:
            self._bar = progress_bar(transient=False)
            self._bar.__enter__()
        return self

    def __call__(self, done: int, total: int, label: str) -> None:
        if self._bar is None:
            return
        # One bar per stage ("sft: training"); details after it only update the text.
        stage = " ".join(label.split()[:2])  # the English label: one key in every language
        shown = label_in(label, context.lang())
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(shown, total=total or None)
        self._bar.update(self._tasks[stage], description=shown, completed=done, total=total or None)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)
