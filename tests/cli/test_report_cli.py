"""``advisor report`` through the real entry point (HTML only; the PDF is an integration test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.bilingual import run
from tests.conftest import FIXTURES

RESULTS = FIXTURES / "bench/examples/bench-invoice-total/results.json"


def test_nothing_to_report_is_one_sentence_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "report", "--out", str(tmp_path))
    assert code == 2
    assert err.startswith("error: nothing to report") and "--results FILE" in err
    assert "Traceback" not in err


def test_an_unknown_price_model_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys, "report", "--results", str(RESULTS), "--price-model", "nope", "--out", str(tmp_path)
    )
    assert code == 2 and "no price for model 'nope'" in err


def test_results_and_evidence_make_one_html_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, "report", "--results", str(RESULTS), "--evidence", "invoice-total",
        "--lang", "ja", "--out", str(tmp_path / "r"),
    )  # fmt: skip
    assert code == 0
    assert out.strip() == f"Wrote {tmp_path / 'r' / 'report.html'}"
    assert not (tmp_path / "r" / "report.pdf").exists()
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in html
    assert "お客様のデータからわかったこと" in html
    assert "このレポートではファイルを測定していません" not in html  # the files were measured


def test_without_the_pdf_engine_pdf_says_how_to_install_it_and_the_html_stays(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as if absent
    code, _, err = run(capsys, "report", "--results", str(RESULTS), "--pdf", "--out", str(tmp_path))
    assert code == 2
    assert err.startswith("error: the PDF engine WeasyPrint is not available")
    assert "scripts/install.sh" in err and "Traceback" not in err
    assert (tmp_path / "report.html").is_file()
    assert not (tmp_path / "report.pdf").exists()
