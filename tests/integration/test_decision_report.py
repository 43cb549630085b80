"""``advisor report`` end to end through the real engines (issue 16 acceptance).

From a published bench's results.json the command writes report.html and, through
WeasyPrint, report.pdf in English and Japanese.  The PDF's text is extracted
(pdftotext) and its pages rendered to images (pdftoppm) to find the verdict and
the charts; headless Chromium screenshots the HTML, offline, in both languages.
scripts/install.sh installs the engines; without one the tests that need it skip
and say which is missing.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from advisor.cli.app import main
from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration

RESULTS = FIXTURES / "bench/examples/bench-brand-voice/results.json"
# The charts' first two series colours (advisor/decision_report/charts.py): the
# orange appears nowhere else on the page.
CHART_ORANGE = (0xD9, 0x48, 0x0F)


def _weasyprint_missing() -> str | None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        return f"WeasyPrint is not usable ({exc}); run scripts/install.sh"
    return None


def _need(tool: str, package: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} is not installed (apt-get install {package}; scripts/install.sh)")
    return found


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """report.html and report.pdf in both languages, written by the real command."""
    missing = _weasyprint_missing()
    if missing:
        pytest.skip(missing)
    written: dict[str, Path] = {}
    for lang in ("en", "ja"):
        out = tmp_path_factory.mktemp(f"report-{lang}")
        with pytest.raises(SystemExit) as info:
            main(
                ["report", "--results", str(RESULTS), "--lang", lang, "--pdf",
                 "--price-model", "gpt-4.1-mini", "--volume", "20000", "--out", str(out)]
            )  # fmt: skip
        assert info.value.code in (0, None)
        written[lang] = out
    return written


def _orange_pixels(png: Path) -> int:
    from PIL import Image

    with Image.open(png) as image:
        data = image.convert("RGB").tobytes()
    red, green, blue = CHART_ORANGE
    return sum(
        1
        for i in range(0, len(data), 3)
        if abs(data[i] - red) <= 24
        and abs(data[i + 1] - green) <= 24
        and abs(data[i + 2] - blue) <= 24
    )


def _non_white_share(png: Path) -> float:
    from PIL import Image

    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
        return 1 - sum(histogram[245:]) / max(1, grey.width * grey.height)


def test_both_files_are_written_and_the_pdf_is_a_pdf(reports: dict[str, Path]) -> None:
    for out in reports.values():
        assert (out / "report.html").stat().st_size > 5_000
        assert (out / "report.pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["The benchmark verdict", "confirmed", "Cumulative cost (USD) by month"]),
        ("ja", ["ベンチマークの結論", "裏付けあり", "累積費用（USD）の推移"]),
    ],
)
def test_the_pdf_states_the_verdict_and_draws_the_charts(
    reports: dict[str, Path], lang: str, words: list[str], tmp_path: Path
) -> None:
    pdftotext = _need("pdftotext", "poppler-utils")
    pdftoppm = _need("pdftoppm", "poppler-utils")
    pdf = reports[lang] / "report.pdf"
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for word in words:
        assert word in text, f"{word!r} missing from the {lang} PDF"
    subprocess.run([pdftoppm, "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 3
    # The charts' orange (a pass-rate bar and a cost line) is drawn on some page.
    assert max(_orange_pixels(p) for p in pages) > 40
    assert all(_non_white_share(p) > 0.01 for p in pages)


Shot = Callable[[Path, Path], None]


@pytest.fixture
def screenshot(tmp_path: Path) -> Shot:
    chromium = _need("chromium", "chromium")

    def shot(html: Path, png: Path) -> None:
        # --no-sandbox: CI runs as root; a fresh profile, no network needed (file URL).
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--no-first-run", "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}",
             "--window-size=1000,2200", f"--screenshot={png}", html.resolve().as_uri()],
            capture_output=True, timeout=120, check=True,
        )  # fmt: skip

    return shot


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_headless_browser_draws_the_html(
    reports: dict[str, Path], screenshot: Shot, lang: str, tmp_path: Path
) -> None:
    html = reports[lang] / "report.html"
    assert f'<html lang="{lang}">' in html.read_text(encoding="utf-8")
    png = tmp_path / f"{lang}.png"
    screenshot(html, png)
    assert png.stat().st_size > 10_000
    assert _non_white_share(png) > 0.03  # text, tables and the lead box, not a blank page


def test_the_pdf_engine_fetches_nothing(tmp_path: Path) -> None:
    """A reference that slipped into the page is not requested while the PDF is drawn."""
    missing = _weasyprint_missing()
    if missing:
        pytest.skip(missing)
    import http.server
    import threading

    from advisor.decision_report.output import write_pdf

    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        target = tmp_path / "x.pdf"
        write_pdf(f'<p>x</p><img src="http://127.0.0.1:{port}/x.png">', target)
    finally:
        server.shutdown()
    assert requests == []
    assert target.read_bytes()[:5] == b"%PDF-"
