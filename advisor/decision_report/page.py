"""The report as one self-contained HTML page (and the pieces every section shares).

Everything from outside (answers, file names, model answers) is escaped with
:func:`html.escape`; the page references no URL, font or script.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

# FONTS: font names only (no download), one stack for every report with Japanese.
from advisor.bench.report_i18n import FONTS
from advisor.criteria.catalog import load_catalog
from advisor.decision_report.bundle import ReportBundle
from advisor.decision_report.strings import Strings

CSS = f"""
@page {{ size: A4; margin: 16mm 14mm;
  @bottom-right {{ content: counter(page) " / " counter(pages); font-size: 8pt; }} }}
body {{ font-family: {FONTS}; color: #212529; font-size: 10.5pt; line-height: 1.45;
  max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; background: #ffffff; }}
h1 {{ font-size: 20pt; margin: 0 0 .4rem; }}
h2 {{ font-size: 14pt; border-bottom: 2px solid #1f4e9c; padding-bottom: 2px;
  margin-top: 1.6rem; }}
h3 {{ font-size: 11.5pt; margin: 1rem 0 .3rem; }}
table {{ border-collapse: collapse; width: 100%; margin: .4rem 0; }}
th, td {{ border: 1px solid #ced4da; padding: 3px 6px; text-align: left;
  vertical-align: top; }}
th {{ background: #f1f3f5; }}
td.num {{ text-align: right; white-space: nowrap; }}
.lead {{ border: 2px solid #1f4e9c; padding: .6rem .9rem; background: #f4f7fc; }}
.lead .route {{ font-size: 16pt; font-weight: bold; }}
.badge {{ display: inline-block; padding: 1px 8px; border-radius: 3px; color: #ffffff;
  font-weight: bold; }}
.confirmed {{ background: #2b8a3e; }} .refuted {{ background: #c92a2a; }}
.inconclusive {{ background: #e67700; }} .not_run {{ background: #495057; }}
.pass {{ color: #2b8a3e; font-weight: bold; }} .fail {{ color: #c92a2a; font-weight: bold; }}
.answer {{ white-space: pre-wrap; font-size: 9pt; }}
ul.sources {{ font-size: 9pt; }}
.muted {{ color: #495057; font-size: 9pt; }}
.warn {{ color: #a61e4d; }}
table.reasons td:nth-child(1) {{ width: 3.5em; }}
table.reasons td:nth-child(2) {{ width: 58%; }}
table.reasons td:nth-child(3) {{ font-size: 8.5pt; color: #495057; }}
table.samples {{ table-layout: fixed; }}
svg.chart {{ max-width: 100%; height: auto; display: block; margin: .4rem 0; }}
.section {{ page-break-inside: auto; }}
footer {{ margin-top: 2rem; border-top: 1px solid #ced4da; padding-top: .4rem; }}
"""


def e(value: object) -> str:
    """Escaped text of any value (quotes too: it may land in an attribute)."""
    return escape(str(value), quote=True)


def route_name(route: str, lang: str) -> str:
    """A route's display name ("rag+sft" -> "RAG + SFT"); the id when unknown."""
    return load_catalog().route_name(route, lang)


def table(
    head: Iterable[str],
    rows: Iterable[Iterable[str]],
    numeric: set[int] | None = None,
    cls: str = "",
) -> str:
    """A table of already-escaped cells."""
    nums = numeric or set()
    out = [
        f'<table class="{cls}"><thead><tr>' if cls else "<table><thead><tr>",
        *(f"<th>{h}</th>" for h in head),
        "</tr></thead><tbody>",
    ]
    for row in rows:
        cells = (
            f'<td class="num">{c}</td>' if i in nums else f"<td>{c}</td>" for i, c in enumerate(row)
        )
        out += ["<tr>", *cells, "</tr>"]
    out.append("</tbody></table>")
    return "".join(out)


def bullets(items: Iterable[str]) -> str:
    """A list of already-escaped items ("" when empty)."""
    listed = [f"<li>{item}</li>" for item in items]
    return f"<ul>{''.join(listed)}</ul>" if listed else ""


def render_html(bundle: ReportBundle) -> str:
    """The whole report as one HTML document."""
    from advisor.decision_report import sections

    t = Strings(bundle.lang)
    subject = bundle.subject or t("subject_default")
    parts = [
        sections.lead(bundle, t, subject),
        sections.score(bundle, t),
        sections.evidence(bundle, t),
        sections.benchmark(bundle, t),
        sections.cost(bundle, t),
        sections.risks(bundle, t),
    ]
    footer = t("footer", version=bundle.tool_version, date=bundle.generated_at)
    return (
        f'<!DOCTYPE html>\n<html lang="{e(bundle.lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(t('doc_title', subject=subject))}</title><style>{CSS}</style></head>"
        f"<body><h1>{e(t('doc_title', subject=subject))}</h1>"
        + "".join(parts)
        + f'<footer class="muted">{e(footer)}</footer></body></html>\n'
    )
