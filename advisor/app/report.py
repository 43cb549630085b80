"""The decision report and the brief with what was measured: the one implementation
behind ``advisor report``, ``advisor assess --format md`` and the wizard's "Export
report", so a report written from the wizard after "check against files" carries
the same evidence section as one written by the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from advisor.messages import text

if TYPE_CHECKING:
    from advisor.bench.schema import BenchResults
    from advisor.decision_report import CostSettings, ReportBundle
    from advisor.evidence import Evidence

# The evidence table's column heads (catalog keys); the command line's text table uses them too.
HEAD_KEYS = (
    "core.report.question",
    "core.report.stated",
    "core.report.measured",
    "core.report.how",
)


def report_bundle(
    answers: Mapping[str, Any],
    *,
    lang: str,
    evidence: Evidence | None = None,
    results: list[BenchResults] | None = None,
    cost: CostSettings | None = None,
) -> ReportBundle:
    """The decision report of ``answers`` (measured values already in them) with
    the evidence that measured them and the benchmarks that checked the advice."""
    from advisor.criteria import Answers
    from advisor.decision_report import build_bundle

    return build_bundle(
        Answers(dict(answers)), lang=lang, evidence=evidence, results=results or [], cost=cost
    )


def evidence_markdown(found: Evidence, lang: str) -> list[str]:
    """The brief's "checked against the files" section, as Markdown lines."""
    head = [text(key, lang) for key in HEAD_KEYS]
    lines = [
        "",
        f"## {text('core.report.evidence', lang)}",
        "",
        "| " + " | ".join(head) + " |",
        "|---|---|---|---|",
    ]
    for f in found.findings:
        row = (f.question_in(lang), f.stated_in(lang), f.measured_in(lang), f.detail_in(lang))
        lines.append("| " + " | ".join(row) + (" ⚠ |" if f.contradicts else " |"))
    if found.language:
        lines += ["", f"- {text('core.report.language', lang)}: {found.language}"]
    lines += [f"- {w}" for w in found.warnings_in(lang)]
    return lines
