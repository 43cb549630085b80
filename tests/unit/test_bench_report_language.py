"""The bench report in the language of the switch; the English one unchanged (issue 14).

``tests/fixtures/bench/report/results.json`` is a run of the ``tiny`` fixture on the
fake backend (seven routes: one skipped, a minimal-prompt route, reused training
jobs); ``report.en.md`` and ``report.en.html`` were rendered from it by the report
code as it was before the report spoke Japanese.
"""

from __future__ import annotations

from pathlib import Path

from advisor.bench.report import load_results, render_html, render_markdown
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "fixtures" / "bench" / "report"


def _fixture() -> Path:
    return GOLDEN / "results.json"


def test_the_english_report_is_byte_identical_to_the_one_before() -> None:
    results = load_results(_fixture())
    assert render_markdown(results) == (GOLDEN / "report.en.md").read_text("utf-8")
    assert render_html(results) == (GOLDEN / "report.en.html").read_text("utf-8")
    assert render_markdown(results, "en") == render_markdown(results)
