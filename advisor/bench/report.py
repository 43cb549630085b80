"""The three reports of a bench run: ``results.json``, ``report.md``, ``report.html``.

``report.html`` is one self-contained file (inline CSS and SVG, no scripts, no
external resources) so it can be mailed or attached to a CI run.  Every string
that comes from a model, a scenario or a user passes through :func:`esc`.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from advisor.bench.report_notes import plan_notes, short_prompt_notes
from advisor.bench.schema import BenchResults, RouteMetrics, RouteResult, SampleRecord
from advisor.bench.verdict_text import verdict_lines

SAMPLE_ROWS = 12
RESULTS_FILE = "results.json"
SCHEMA_FILE = "results.schema.json"
MARKDOWN_FILE = "report.md"
HTML_FILE = "report.html"


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def md_text(value: object) -> str:
    """Plain text for Markdown outside code blocks: no raw HTML, no table breaks."""
    return str(value).replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def write_reports(results: BenchResults, out_dir: Path, lang: str = "en") -> dict[str, Path]:
    """Write results.json (+ its JSON schema), report.md and report.html; return paths.

    ``lang`` is the language of the verdict's sentences (the rest of the report is
    English; results.json is the same in every language).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out_dir / RESULTS_FILE,
        "schema": out_dir / SCHEMA_FILE,
        "markdown": out_dir / MARKDOWN_FILE,
        "html": out_dir / HTML_FILE,
    }
    paths["json"].write_text(results.model_dump_json(indent=2), encoding="utf-8")
    paths["schema"].write_text(
        json.dumps(BenchResults.model_json_schema(), indent=2), encoding="utf-8"
    )
    paths["markdown"].write_text(render_markdown(results, lang), encoding="utf-8")
    paths["html"].write_text(render_html(results, lang), encoding="utf-8")
    return paths


def load_results(path: Path) -> BenchResults:
    """Read and validate a results.json (raises pydantic's ValidationError if invalid)."""
    return BenchResults.model_validate_json(path.read_text(encoding="utf-8"))


def _measured(results: BenchResults) -> list[tuple[str, RouteResult, RouteMetrics]]:
    return [
        (name, r, r.metrics)
        for name, r in results.routes.items()
        if r.status == "ok" and r.metrics is not None
    ]


def _cost(m: RouteMetrics) -> str:
    return "unknown" if m.cost_per_1k_usd is None else f"${m.cost_per_1k_usd:.4f}"


def _prep(r: RouteResult) -> str:
    p = r.preparation
    if p.kind == "none":
        return "none"
    what = "index" if p.kind == "index" else "training"
    text = f"{what} {p.seconds:.0f} s"
    if p.trained_tokens:
        text += f", {p.trained_tokens} trained tokens"
    if p.cost_usd:
        text += f", ${p.cost_usd:.2f}"
    if p.reused:
        text += " (reused job)"
    return text


# --- Markdown ---------------------------------------------------------------------------


def render_markdown(results: BenchResults, lang: str = "en") -> str:
    s, c, v = results.scenario, results.config, results.verdict
    summary, note = verdict_lines(results, lang)
    lines = [
        f"# Benchmark: {md_text(s.title or s.name)}",
        "",
        f"Scenario `{s.name}` ({s.kind}, {s.language}) on backend `{c.backend}`, model "
        f"`{c.model}`; {len(results.prompts)} prompts x {c.repeats} repeats, temperature "
        f"{c.temperature}. Generated {results.created_at}, {results.duration_s:.0f} s.",
        "",
        "## Verdict",
        "",
        f"- {summary}",
        f"- {note}",
    ]
    if v.chosen:
        lines.append(
            f"- Chosen route for `--fail-under`: `{v.chosen}` ({pct(v.chosen_pass_rate)})."
        )
    lines += [
        "",
        "## Results",
        "",
        "| route | pass rate (95% CI) | format | style | rules | accuracy | exact agreement "
        "| repeat similarity | paraphrase similarity | retrieval hits | p50 / p95 latency "
        "| tokens/request | cost / 1k requests | preparation |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r, m in _measured(results):
        lo, hi = m.pass_rate_ci
        lines.append(
            f"| {name} | {pct(m.pass_rate)} ({pct(lo)}-{pct(hi)}) | {pct(m.format_compliance)} "
            f"| {pct(m.style_adherence)} | {pct(m.rules_compliance)} | {pct(m.accuracy)} "
            f"| {pct(m.consistency.exact_agreement)} | {num(m.consistency.repeat_similarity)} "
            f"| {num(m.consistency.paraphrase_similarity)} | {pct(m.retrieval_hit_rate)} "
            f"| {num(m.latency_p50_s)} / {num(m.latency_p95_s)} s "
            f"| {m.prompt_tokens_per_request:.0f} + {m.completion_tokens_per_request:.0f} "
            f"| {_cost(m)} | {_prep(r)} |"
        )
    for name, r in results.routes.items():
        if r.status != "ok":
            lines.append(f"\n- `{name}` {r.status}: {md_text(r.error)}")
    if results.comparisons:
        lines += [
            "",
            "## Paired comparisons",
            "",
            "| A vs B | prompts | A - B (95% CI) | McNemar b/c, p | bootstrap p | decides "
            "| significant |",
            "|---|---|---|---|---|---|---|",
        ]
        for cmp in results.comparisons:
            lo, hi = cmp.difference_ci
            lines.append(
                f"| {cmp.route_a} vs {cmp.route_b} | {cmp.n_prompts} | {cmp.difference:+.0%} "
                f"({lo:+.0%} to {hi:+.0%}) | {cmp.mcnemar_b}/{cmp.mcnemar_c}, "
                f"{cmp.mcnemar_p:.3f} | {cmp.bootstrap_p:.3f} | {cmp.test} "
                f"| {'yes: ' + (cmp.better or '') if cmp.significant else 'no'} |"
            )
    notes = list(results.notes) + short_prompt_notes(results) + plan_notes(results)
    for name, r, m in _measured(results):
        notes += [f"{name}: {n}" for n in r.preparation.notes]
        if m.cost_note:
            notes.append(f"cost: {m.cost_note}")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {md_text(n)}" for n in dict.fromkeys(notes)]
    lines += ["", "## Sample answers", ""]
    for prompt in results.prompts[:SAMPLE_ROWS]:
        quoted = md_text(prompt.prompt).replace("\n", "\n> ")
        lines += [f"### {md_text(prompt.id)}", "", "> " + quoted, ""]
        for name, r, _ in _measured(results):
            sample = _first_sample(r, prompt.id)
            if sample is None:
                continue
            mark = "pass" if sample.passed else "fail"
            body = sample.text.replace("```", "'''")
            lines += [f"**{name}** ({mark}):", "", "```text", body, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def _first_sample(r: RouteResult, prompt_id: str) -> SampleRecord | None:
    return next((s for s in r.samples if s.prompt_id == prompt_id and s.repeat == 0), None)


# --- HTML -------------------------------------------------------------------------------

CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1200px;
color:#1d2433;padding:0 1rem}h1{margin-bottom:.2rem}.sub{color:#5b6475}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:14px}
th,td{border:1px solid #d8dde6;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f9}.verdict{background:#eef6ee;border-left:4px solid #2f8f46;padding:.6rem 1rem}
.verdict.none{background:#fff7e6;border-color:#c98a00}.charts{display:flex;flex-wrap:wrap;gap:1rem}
.chart{border:1px solid #d8dde6;padding:.5rem}pre{white-space:pre-wrap;margin:0;font-size:13px}
.pass{color:#2f8f46;font-weight:600}.fail{color:#b3261e;font-weight:600}
"""
PALETTE = ("#3b6fd4", "#2f8f46", "#c98a00", "#9c3fb5", "#b3261e", "#1f8a8a")


def _lang_attr(lang: str) -> str:
    """The verdict's own language in an English page, so browsers pick Japanese glyphs."""
    return " lang='ja'" if lang == "ja" else ""


def render_html(results: BenchResults, lang: str = "en") -> str:
    s, c, v = results.scenario, results.config, results.verdict
    summary, note = verdict_lines(results, lang)
    measured = _measured(results)
    colours = {name: PALETTE[i % len(PALETTE)] for i, (name, _, _) in enumerate(measured)}
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Benchmark: {esc(s.title or s.name)}</title><style>{CSS}</style></head><body>",
        f"<h1>Benchmark: {esc(s.title or s.name)}</h1>",
        f"<p class='sub'>Scenario <code>{esc(s.name)}</code> ({esc(s.kind)}, {esc(s.language)})"
        f" &middot; backend <code>{esc(c.backend)}</code> &middot; model <code>{esc(c.model)}"
        f"</code> &middot; {len(results.prompts)} prompts &times; {c.repeats} repeats &middot; "
        f"temperature {c.temperature} &middot; {esc(results.created_at)}</p>",
        f"<div class='verdict{'' if v.winner else ' none'}'{_lang_attr(lang)}>"
        f"<strong>{esc(summary)}</strong><br>{esc(note)}</div>",
        "<div class='charts'>",
        _chart_pass_rate(measured, colours),
        _chart_consistency(measured, colours),
        _chart_cost_quality(measured, colours),
        "</div>",
        _html_table(results),
        _html_comparisons(results),
        _html_samples(results),
        _html_notes(results),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def _html_table(results: BenchResults) -> str:
    head = (
        "<tr><th>route</th><th>pass rate (95% CI)</th><th>format</th><th>style</th>"
        "<th>rules</th><th>accuracy</th><th>exact agreement</th><th>repeat sim.</th>"
        "<th>paraphrase sim.</th><th>retrieval hits</th><th>latency p50 / p95</th>"
        "<th>tokens/request</th>"
        "<th>cost / 1k</th><th>preparation</th></tr>"
    )
    rows = []
    for name, r, m in _measured(results):
        lo, hi = m.pass_rate_ci
        cells = [
            f"<code>{esc(name)}</code>",
            f"{pct(m.pass_rate)} ({pct(lo)}&ndash;{pct(hi)})",
            pct(m.format_compliance),
            pct(m.style_adherence),
            pct(m.rules_compliance),
            pct(m.accuracy),
            pct(m.consistency.exact_agreement),
            num(m.consistency.repeat_similarity),
            num(m.consistency.paraphrase_similarity),
            pct(m.retrieval_hit_rate),
            f"{num(m.latency_p50_s)} / {num(m.latency_p95_s)} s",
            f"{m.prompt_tokens_per_request:.0f} + {m.completion_tokens_per_request:.0f}",
            esc(_cost(m)),
            esc(_prep(r)),
        ]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    for name, r in results.routes.items():
        if r.status != "ok":
            rows.append(
                f"<tr><td><code>{esc(name)}</code></td><td colspan='13'>{esc(r.status)}: "
                f"{esc(r.error)}</td></tr>"
            )
    return f"<h2>Results</h2><table>{head}{''.join(rows)}</table>"


def _html_comparisons(results: BenchResults) -> str:
    if not results.comparisons:
        return ""
    rows = []
    for cmp in results.comparisons:
        lo, hi = cmp.difference_ci
        verdict = f"yes: {esc(cmp.better)}" if cmp.significant else "no"
        rows.append(
            f"<tr><td>{esc(cmp.route_a)} vs {esc(cmp.route_b)}</td><td>{cmp.n_prompts}</td>"
            f"<td>{cmp.difference:+.0%} ({lo:+.0%} to {hi:+.0%})</td>"
            f"<td>{cmp.mcnemar_b}/{cmp.mcnemar_c}, p={cmp.mcnemar_p:.3f}</td>"
            f"<td>{cmp.bootstrap_p:.3f}</td><td>{esc(cmp.test)}</td><td>{verdict}</td></tr>"
        )
    return (
        "<h2>Paired comparisons</h2><table><tr><th>A vs B</th><th>prompts</th>"
        "<th>A &minus; B (95% CI)</th><th>McNemar b/c</th><th>bootstrap p</th>"
        f"<th>decides</th><th>significant</th></tr>{''.join(rows)}</table>"
    )


def _html_samples(results: BenchResults) -> str:
    measured = _measured(results)
    if not measured:
        return ""
    head = "<tr><th>prompt</th>" + "".join(f"<th>{esc(n)}</th>" for n, _, _ in measured) + "</tr>"
    rows = []
    for prompt in results.prompts[:SAMPLE_ROWS]:
        cells = [f"<td><pre>{esc(prompt.prompt)}</pre></td>"]
        for _, r, _ in measured:
            sample = _first_sample(r, prompt.id)
            if sample is None:
                cells.append("<td>&ndash;</td>")
                continue
            badge = (
                "<span class='pass'>pass</span>"
                if sample.passed
                else ("<span class='fail'>fail</span>")
            )
            cells.append(f"<td>{badge}<pre>{esc(sample.text)}</pre></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<h2>Sample answers (first repeat, first {SAMPLE_ROWS} prompts)</h2>"
        f"<table>{head}{''.join(rows)}</table>"
    )


def _html_notes(results: BenchResults) -> str:
    notes = list(results.notes) + short_prompt_notes(results) + plan_notes(results)
    for name, r, m in _measured(results):
        notes += [f"{name}: {n}" for n in r.preparation.notes]
        if m.cost_note:
            notes.append(f"cost: {m.cost_note}")
    if not notes:
        return ""
    items = "".join(f"<li>{esc(n)}</li>" for n in dict.fromkeys(notes))
    return f"<h2>Notes</h2><ul>{items}</ul>"


# --- inline SVG charts ------------------------------------------------------------------

W, H, LEFT, BOTTOM, TOP = 360, 220, 44, 40, 24


def _frame(title: str, y_label: str) -> list[str]:
    plot_h = H - BOTTOM - TOP
    out = [
        f"<svg class='chart' width='{W}' height='{H}' viewBox='0 0 {W} {H}' "
        f"xmlns='http://www.w3.org/2000/svg' role='img' aria-label='{esc(title)}'>",
        f"<text x='{W / 2}' y='16' text-anchor='middle' font-size='13' "
        f"font-weight='600'>{esc(title)}</text>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = TOP + plot_h * (1 - tick)
        out.append(
            f"<line x1='{LEFT}' x2='{W - 8}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e3e7ee'/>"
            f"<text x='{LEFT - 4}' y='{y + 4:.1f}' text-anchor='end' font-size='10'>"
            f"{tick:.0%}</text>"
        )
    out.append(
        f"<text x='10' y='{TOP + plot_h / 2}' font-size='10' transform='rotate(-90 10 "
        f"{TOP + plot_h / 2})' text-anchor='middle'>{esc(y_label)}</text>"
    )
    return out


def _y(value: float) -> float:
    return TOP + (H - BOTTOM - TOP) * (1 - max(0.0, min(1.0, value)))


def _chart_pass_rate(
    measured: list[tuple[str, RouteResult, RouteMetrics]], colours: dict[str, str]
) -> str:
    out = _frame("Pass rate with 95% interval", "pass rate")
    slot = (W - LEFT - 8) / max(1, len(measured))
    for i, (name, _, m) in enumerate(measured):
        x = LEFT + slot * i + slot * 0.2
        width = slot * 0.6
        top = _y(m.pass_rate)
        lo, hi = m.pass_rate_ci
        mid = x + width / 2
        out += [
            f"<rect x='{x:.1f}' y='{top:.1f}' width='{width:.1f}' "
            f"height='{_y(0) - top:.1f}' fill='{colours[name]}' opacity='.85'/>",
            f"<line x1='{mid:.1f}' x2='{mid:.1f}' y1='{_y(lo):.1f}' y2='{_y(hi):.1f}' "
            "stroke='#1d2433' stroke-width='1.5'/>",
            f"<line x1='{mid - 6:.1f}' x2='{mid + 6:.1f}' y1='{_y(lo):.1f}' y2='{_y(lo):.1f}' "
            "stroke='#1d2433'/>",
            f"<line x1='{mid - 6:.1f}' x2='{mid + 6:.1f}' y1='{_y(hi):.1f}' y2='{_y(hi):.1f}' "
            "stroke='#1d2433'/>",
            f"<text x='{mid:.1f}' y='{H - BOTTOM + 14}' text-anchor='middle' font-size='11'>"
            f"{esc(name)}</text>",
        ]
    out.append("</svg>")
    return "".join(out)


def _chart_consistency(
    measured: list[tuple[str, RouteResult, RouteMetrics]], colours: dict[str, str]
) -> str:
    out = _frame("Consistency across repeats", "agreement / similarity")
    slot = (W - LEFT - 8) / max(1, len(measured))
    for i, (name, _, m) in enumerate(measured):
        bars = (
            (m.consistency.exact_agreement, 1.0, "exact"),
            (m.consistency.repeat_similarity, 0.45, "similarity"),
        )
        width = slot * 0.3
        for j, (value, opacity, label) in enumerate(bars):
            x = LEFT + slot * i + slot * 0.15 + j * width
            if value is None:
                continue
            top = _y(value)
            out.append(
                f"<rect x='{x:.1f}' y='{top:.1f}' width='{width:.1f}' height='{_y(0) - top:.1f}'"
                f" fill='{colours[name]}' opacity='{opacity}'><title>{esc(name)} {label}: "
                f"{value:.2f}</title></rect>"
            )
        out.append(
            f"<text x='{LEFT + slot * (i + 0.5):.1f}' y='{H - BOTTOM + 14}' text-anchor='middle'"
            f" font-size='11'>{esc(name)}</text>"
        )
    out.append(
        f"<text x='{W / 2}' y='{H - 6}' text-anchor='middle' font-size='10'>solid: exact "
        "agreement · light: mean embedding similarity</text></svg>"
    )
    return "".join(out)


def _chart_cost_quality(
    measured: list[tuple[str, RouteResult, RouteMetrics]], colours: dict[str, str]
) -> str:
    costs = [m.cost_per_1k_usd for _, _, m in measured]
    priced = any(cost for cost in costs)
    # On a local backend every cost is 0; tokens per request is the honest proxy then.
    xs = [(m.cost_per_1k_usd or 0.0) if priced else m.tokens_per_request for _, _, m in measured]
    label = "cost per 1,000 requests (USD)" if priced else "tokens per request (local: no cost)"
    out = _frame("Cost against quality", "pass rate")
    span = max(xs, default=0.0) or 1.0
    plot_w = W - LEFT - 24
    for (name, _, m), x_value in zip(measured, xs, strict=True):
        x = LEFT + 8 + plot_w * (x_value / span)
        y = _y(m.pass_rate)
        out += [
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='6' fill='{colours[name]}'><title>{esc(name)}:"
            f" {x_value:.4g}, {m.pass_rate:.0%}</title></circle>",
            f"<text x='{x + 8:.1f}' y='{y - 8:.1f}' font-size='11'>{esc(name)}</text>",
        ]
    out.append(
        f"<text x='{LEFT + plot_w / 2}' y='{H - 8}' text-anchor='middle' font-size='10'>"
        f"{esc(label)} (0 to {span:.4g})</text></svg>"
    )
    return "".join(out)
