"""The three reports of a bench run: ``results.json``, ``report.md``, ``report.html``.

``report.html`` is one self-contained file (inline CSS and SVG, no scripts, no
external resources) so it can be mailed or attached to a CI run.  Every string
that comes from a model, a scenario or a user passes through :func:`esc`.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from advisor.bench.report_charts import chart_consistency, chart_cost_quality, chart_pass_rate
from advisor.bench.report_i18n import FONTS, Words, route_status
from advisor.bench.report_notes import plan_notes, short_prompt_notes
from advisor.bench.schema import (
    BenchResults,
    Comparison,
    RouteMetrics,
    RouteResult,
    SampleRecord,
)
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

    ``lang`` is the language of report.md and report.html (their words in
    advisor/bench/report_strings.yaml); results.json is the same in every language.
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


def _cost(m: RouteMetrics, w: Words) -> str:
    return w("unknown") if m.cost_per_1k_usd is None else f"${m.cost_per_1k_usd:.4f}"


def _prep(r: RouteResult, w: Words) -> str:
    p = r.preparation
    if p.kind == "none":
        return w("prep.none")
    text = w("prep.index" if p.kind == "index" else "prep.training", seconds=f"{p.seconds:.0f}")
    if p.trained_tokens:
        text += w("prep.tokens", tokens=p.trained_tokens)
    if p.cost_usd:
        text += w("prep.cost", cost=f"${p.cost_usd:.2f}")
    if p.reused:
        text += w("prep.reused")
    return text


class _Cells:
    """The figures of one language: ``n/a`` and seconds in its words."""

    def __init__(self, w: Words) -> None:
        self.w = w

    def pct(self, value: float | None) -> str:
        return self.w("na") if value is None else f"{value:.0%}"

    def num(self, value: float | None, digits: int = 2) -> str:
        return self.w("na") if value is None else f"{value:.{digits}f}"

    def latency(self, m: RouteMetrics) -> str:
        return self.w("seconds", value=f"{self.num(m.latency_p50_s)} / {self.num(m.latency_p95_s)}")


def _notes(results: BenchResults, w: Words) -> list[str]:
    """Every note of the report, once, in its language."""
    notes = [w.stored(n) for n in results.notes]
    notes += short_prompt_notes(results, w.lang) + plan_notes(results, w.lang)
    for name, r, m in _measured(results):
        notes += [w("note.route", route=name, note=w.stored(n)) for n in r.preparation.notes]
        if m.cost_note:
            notes.append(w("note.cost", note=w.stored(m.cost_note)))
    return list(dict.fromkeys(notes))


# --- Markdown ---------------------------------------------------------------------------

MD_COLUMNS = (
    "route", "pass_rate", "format", "style", "rules", "accuracy", "exact", "md_repeat",
    "md_paraphrase", "retrieval", "md_latency", "tokens", "md_cost", "preparation",
)  # fmt: skip
MD_CMP_COLUMNS = ("pair", "prompts", "difference", "mcnemar_md", "bootstrap", "decides",
                  "significant")  # fmt: skip


def _md_head(words: list[str]) -> list[str]:
    return ["| " + " | ".join(words) + " |", "|" + "---|" * len(words)]


def render_markdown(results: BenchResults, lang: str = "en") -> str:
    s, c, v = results.scenario, results.config, results.verdict
    w = Words(lang)
    summary, note = verdict_lines(results, lang)
    sub = w(
        "md_sub", name=s.name, kind=s.kind, language=s.language, backend=c.backend,
        model=c.model, prompts=len(results.prompts), repeats=c.repeats,
        temperature=c.temperature, created=results.created_at,
        seconds=f"{results.duration_s:.0f}",
    )  # fmt: skip
    lines = [f"# {w('title', title=md_text(s.title or s.name))}", "", sub, ""]
    lines += [f"## {w('h.verdict')}", "", f"- {summary}", f"- {note}"]
    if v.chosen:
        lines.append("- " + w("chosen", route=v.chosen, rate=_Cells(w).pct(v.chosen_pass_rate)))
    lines += ["", f"## {w('h.results')}", ""]
    lines += _md_head([w(f"col.{k}") for k in MD_COLUMNS]) + _md_rows(results, w)
    for name, r in results.routes.items():
        if r.status != "ok":
            lines.append(f"\n- `{name}` {md_text(route_status(r, w.lang))}")
    if results.comparisons:
        lines += ["", f"## {w('h.comparisons')}", ""]
        lines += _md_head([w(f"cmp.col.{k}") for k in MD_CMP_COLUMNS]) + _md_comparisons(results, w)
    notes = _notes(results, w)
    if notes:
        lines += ["", f"## {w('h.notes')}", ""] + [f"- {md_text(n)}" for n in notes]
    lines += ["", f"## {w('h.samples')}", "", *_md_samples(results, w)]
    return "\n".join(lines).rstrip() + "\n"


def _md_rows(results: BenchResults, w: Words) -> list[str]:
    f = _Cells(w)
    rows = []
    for name, r, m in _measured(results):
        lo, hi = m.pass_rate_ci
        rows.append(
            f"| {name} | {f.pct(m.pass_rate)} ({f.pct(lo)}-{f.pct(hi)}) "
            f"| {f.pct(m.format_compliance)} | {f.pct(m.style_adherence)} "
            f"| {f.pct(m.rules_compliance)} | {f.pct(m.accuracy)} "
            f"| {f.pct(m.consistency.exact_agreement)} | {f.num(m.consistency.repeat_similarity)} "
            f"| {f.num(m.consistency.paraphrase_similarity)} | {f.pct(m.retrieval_hit_rate)} "
            f"| {f.latency(m)} "
            f"| {m.prompt_tokens_per_request:.0f} + {m.completion_tokens_per_request:.0f} "
            f"| {_cost(m, w)} | {_prep(r, w)} |"
        )
    return rows


def _difference(cmp: Comparison, w: Words) -> str:
    lo, hi = cmp.difference_ci
    return w("cmp.range", difference=f"{cmp.difference:+.0%}", low=f"{lo:+.0%}", high=f"{hi:+.0%}")


def _md_comparisons(results: BenchResults, w: Words) -> list[str]:
    rows = []
    for cmp in results.comparisons:
        diff = _difference(cmp, w)
        decided = w("cmp.yes", better=cmp.better or "") if cmp.significant else w("cmp.no")
        rows.append(
            f"| {w('cmp.pair', a=cmp.route_a, b=cmp.route_b)} | {cmp.n_prompts} | {diff} "
            f"| {cmp.mcnemar_b}/{cmp.mcnemar_c}, {cmp.mcnemar_p:.3f} | {cmp.bootstrap_p:.3f} "
            f"| {cmp.test} | {decided} |"
        )
    return rows


def _md_samples(results: BenchResults, w: Words) -> list[str]:
    lines: list[str] = []
    for prompt in results.prompts[:SAMPLE_ROWS]:
        quoted = md_text(prompt.prompt).replace("\n", "\n> ")
        lines += [f"### {md_text(prompt.id)}", "", "> " + quoted, ""]
        for name, r, _ in _measured(results):
            sample = _first_sample(r, prompt.id)
            if sample is None:
                continue
            mark = w("pass") if sample.passed else w("fail")
            body = sample.text.replace("```", "'''")
            lines += [w("sample", name=name, mark=mark), "", "```text", body, "```", ""]
    return lines


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
# A Japanese page names fonts that have Japanese glyphs (the decision report's stack).
CSS_JA = CSS.replace("system-ui,-apple-system,Segoe UI,sans-serif", FONTS)


def _lang_attr(lang: str) -> str:
    """The verdict's own language, so browsers pick Japanese glyphs for it."""
    return " lang='ja'" if lang == "ja" else ""


def render_html(results: BenchResults, lang: str = "en") -> str:
    s, c, v = results.scenario, results.config, results.verdict
    w = Words(lang)
    summary, note = verdict_lines(results, lang)
    measured = _measured(results)
    colours = {name: PALETTE[i % len(PALETTE)] for i, (name, _, _) in enumerate(measured)}
    title = esc(w("title", title=s.title or s.name))
    sub = w(
        "html_sub", name=esc(s.name), kind=esc(s.kind), language=esc(s.language),
        backend=esc(c.backend), model=esc(c.model), prompts=len(results.prompts),
        repeats=c.repeats, temperature=c.temperature, created=esc(results.created_at),
    )  # fmt: skip
    parts = [
        f"<!DOCTYPE html><html lang='{w.lang}'><head><meta charset='utf-8'>",
        f"<title>{title}</title><style>{CSS_JA if w.lang == 'ja' else CSS}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p class='sub'>{sub}</p>",
        f"<div class='verdict{'' if v.winner else ' none'}'{_lang_attr(lang)}>"
        f"<strong>{esc(summary)}</strong><br>{esc(note)}</div>",
        "<div class='charts'>",
        chart_pass_rate(measured, colours, w),
        chart_consistency(measured, colours, w),
        chart_cost_quality(measured, colours, w),
        "</div>",
        _html_table(results, w),
        _html_comparisons(results, w),
        _html_samples(results, w),
        _html_notes(results, w),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


HTML_COLUMNS = (
    "route", "pass_rate", "format", "style", "rules", "accuracy", "exact", "repeat",
    "paraphrase", "retrieval", "latency", "tokens", "cost", "preparation",
)  # fmt: skip


def _html_table(results: BenchResults, w: Words) -> str:
    f = _Cells(w)
    head = "<tr>" + "".join(f"<th>{esc(w(f'col.{k}'))}</th>" for k in HTML_COLUMNS) + "</tr>"
    rows = []
    for name, r, m in _measured(results):
        lo, hi = m.pass_rate_ci
        cells = [
            f"<code>{esc(name)}</code>",
            f"{f.pct(m.pass_rate)} ({f.pct(lo)}&ndash;{f.pct(hi)})",
            f.pct(m.format_compliance),
            f.pct(m.style_adherence),
            f.pct(m.rules_compliance),
            f.pct(m.accuracy),
            f.pct(m.consistency.exact_agreement),
            f.num(m.consistency.repeat_similarity),
            f.num(m.consistency.paraphrase_similarity),
            f.pct(m.retrieval_hit_rate),
            f.latency(m),
            f"{m.prompt_tokens_per_request:.0f} + {m.completion_tokens_per_request:.0f}",
            esc(_cost(m, w)),
            esc(_prep(r, w)),
        ]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    for name, r in results.routes.items():
        if r.status != "ok":
            rows.append(
                f"<tr><td><code>{esc(name)}</code></td><td colspan='13'>"
                f"{esc(route_status(r, w.lang))}</td></tr>"
            )
    return f"<h2>{esc(w('h.results'))}</h2><table>{head}{''.join(rows)}</table>"


def _html_comparisons(results: BenchResults, w: Words) -> str:
    if not results.comparisons:
        return ""
    rows = []
    for cmp in results.comparisons:
        diff = _difference(cmp, w)
        verdict = esc(w("cmp.yes", better=cmp.better) if cmp.significant else w("cmp.no"))
        rows.append(
            f"<tr><td>{esc(w('cmp.pair', a=cmp.route_a, b=cmp.route_b))}</td>"
            f"<td>{cmp.n_prompts}</td><td>{diff}</td>"
            f"<td>{cmp.mcnemar_b}/{cmp.mcnemar_c}, p={cmp.mcnemar_p:.3f}</td>"
            f"<td>{cmp.bootstrap_p:.3f}</td><td>{esc(cmp.test)}</td><td>{verdict}</td></tr>"
        )
    keys = ("pair", "prompts", "difference_html", "mcnemar", "bootstrap", "decides", "significant")
    # difference_html carries its own entity (&minus;): the heads are not escaped again.
    head = "".join(f"<th>{w(f'cmp.col.{k}')}</th>" for k in keys)
    return f"<h2>{esc(w('h.comparisons'))}</h2><table><tr>{head}</tr>{''.join(rows)}</table>"


def _html_samples(results: BenchResults, w: Words) -> str:
    measured = _measured(results)
    if not measured:
        return ""
    head = (
        f"<tr><th>{esc(w('prompt'))}</th>"
        + "".join(f"<th>{esc(n)}</th>" for n, _, _ in measured)
        + "</tr>"
    )
    rows = []
    for prompt in results.prompts[:SAMPLE_ROWS]:
        cells = [f"<td><pre>{esc(prompt.prompt)}</pre></td>"]
        for _, r, _ in measured:
            sample = _first_sample(r, prompt.id)
            if sample is None:
                cells.append("<td>&ndash;</td>")
                continue
            badge = (
                f"<span class='pass'>{esc(w('pass'))}</span>"
                if sample.passed
                else f"<span class='fail'>{esc(w('fail'))}</span>"
            )
            cells.append(f"<td>{badge}<pre>{esc(sample.text)}</pre></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    heading = esc(w("h.samples_html", n=SAMPLE_ROWS))
    return f"<h2>{heading}</h2><table>{head}{''.join(rows)}</table>"


def _html_notes(results: BenchResults, w: Words) -> str:
    notes = _notes(results, w)
    if not notes:
        return ""
    items = "".join(f"<li>{esc(n)}</li>" for n in notes)
    return f"<h2>{esc(w('h.notes'))}</h2><ul>{items}</ul>"
