"""The served page's fonts.css says of each font file what the file really holds (issue 14).

A unicode-range that names characters a subset lacks makes the browser pick that
subset and draw nothing; fonts.css is therefore generated from the files' own
character maps by scripts/make_fonts_css.py, and this test keeps the two equal.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import REPO

WEB = REPO / "advisor" / "tui" / "web"


def test_fonts_css_is_what_the_generator_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    script = REPO / "scripts" / "make_fonts_css.py"
    spec = importlib.util.spec_from_file_location("make_fonts_css", script)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    (tmp_path / "fonts").symlink_to(WEB / "fonts")
    monkeypatch.setattr(generator, "WEB", tmp_path)
    generator.main()
    assert (tmp_path / "fonts.css").read_text(encoding="utf-8") == (WEB / "fonts.css").read_text(
        encoding="utf-8"
    ), "fonts.css is stale: run .venv/bin/python scripts/make_fonts_css.py"
