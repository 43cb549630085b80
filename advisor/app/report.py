"""The decision report and the brief with what was measured: the one implementation
behind ``advisor report``, ``advisor assess --format md`` and the wizard's "Export
report", so a report written from the wizard after "check against files" carries
the same evidence section as one written by the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.bench.schema import BenchResults
    from advisor.decision_report import CostSettings, ReportBundle
    from advisor.evidence import Evidence

# The evidence table's words; the command line's text table uses them too.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "evidence": "Checked against the files",
        "question": "Question",
        "stated": "Stated",
        "measured": "Measured",
        "how": "How it was measured",
        "language": "Language of the examples",
        "outcome": "Checked against the benchmark",
    },
    "ja": {
        "evidence": "ファイルとの照合",
        "question": "項目",
        "stated": "回答",
        "measured": "測定値",
        "how": "測定方法",
        "language": "例の言語",
        "outcome": "ベンチマークとの照合",
    },
}


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
    labels = LABELS["ja" if lang == "ja" else "en"]
    head = (labels["question"], labels["stated"], labels["measured"], labels["how"])
    lines = [
        "",
        f"## {labels['evidence']}",
        "",
        "| " + " | ".join(head) + " |",
        "|---|---|---|---|",
    ]
    for f in found.findings:
        row = (f.question_in(lang), f.stated_in(lang), f.measured_in(lang), f.detail_in(lang))
        lines.append("| " + " | ".join(row) + (" ⚠ |" if f.contradicts else " |"))
    if found.language:
        lines += ["", f"- {labels['language']}: {found.language}"]
    lines += [f"- {w}" for w in found.warnings_in(lang)]
    return lines
