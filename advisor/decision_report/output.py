"""Writing the report: ``report.html`` always, ``report.pdf`` through WeasyPrint."""

from __future__ import annotations

from pathlib import Path

from advisor.decision_report.bundle import ReportBundle
from advisor.decision_report.page import render_html
from advisor.errors import ConfigError, UserInputError


def write_pdf(html: str, target: Path) -> None:
    """Render ``html`` to PDF with WeasyPrint (fonts from the system, e.g. IPAGothic)."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:  # OSError: pango missing
        raise ConfigError.from_catalog(
            "core.decision_report.no_pdf_engine",
            hint_key="core.decision_report.no_pdf_engine_hint",
            error=exc,
        ) from exc
    # The report is self-contained: no protocol is allowed, so a stray reference is
    # never fetched (file, http or data alike).
    refuse_all = URLFetcher(allowed_protocols=())
    HTML(string=html, url_fetcher=refuse_all).write_pdf(str(target))


def write_report(bundle: ReportBundle, out_dir: Path, *, pdf: bool = False) -> dict[str, Path]:
    """Write the report files into ``out_dir``; returns them by kind (html, pdf)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        html = render_html(bundle)
        written = {"html": out_dir / "report.html"}
        written["html"].write_text(html, encoding="utf-8")
    except OSError as exc:
        raise UserInputError.from_catalog(
            "core.decision_report.cannot_write",
            hint_key="core.decision_report.cannot_write_hint",
            folder=out_dir,
            error=exc.strerror,
        ) from exc
    if pdf:
        written["pdf"] = out_dir / "report.pdf"
        write_pdf(html, written["pdf"])
    return written
