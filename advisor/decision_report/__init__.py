"""The consultant's deliverable (issue 16): one self-contained decision report.

``build_bundle`` joins the assessment, the evidence from the client's files and the
benchmark results (with their verdict on the advice and the cost over time);
``render_html`` and ``write_report`` turn the bundle into ``report.html`` and,
through WeasyPrint, ``report.pdf``.  It sits above ``advisor.bench`` in the layers.
"""

from advisor.decision_report.bundle import BenchSection, CostSettings, ReportBundle, build_bundle
from advisor.decision_report.output import write_report
from advisor.decision_report.page import render_html

__all__ = [
    "BenchSection",
    "CostSettings",
    "ReportBundle",
    "build_bundle",
    "render_html",
    "write_report",
]
