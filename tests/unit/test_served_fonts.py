"""The served page's fonts draw every character the wizard shows (issue 14).

A unicode-range that names characters a subset lacks makes the browser pick that
subset and draw nothing; fonts.css is therefore generated from the files' own
character maps by scripts/make_fonts_css.py, and the first test keeps the two equal.
A character that no served font has is an empty box on a machine without a font
for it; the second test finds every non-ASCII character in the wizard's text and
asks the served fonts for it.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from textual.keys import KEY_DISPLAY_ALIASES

from tests.conftest import REPO

WEB = REPO / "advisor" / "tui" / "web"
# What the wizard shows: its screens and strings, the interview's questions, the
# report's strings and the error messages.
WIZARD_TEXT = [
    *(REPO / "advisor" / "tui").rglob("*.py"),
    *(REPO / "advisor" / "tui").rglob("*.yaml"),
    *(REPO / "advisor" / "tui").rglob("*.tcss"),
    REPO / "advisor" / "criteria" / "catalog.yaml",
    REPO / "advisor" / "decision_report" / "strings.yaml",
    REPO / "advisor" / "messages.yaml",
]
# Symbols textual draws in the widgets the wizard uses: Header's icon, Select's and
# Collapsible's arrows, DirectoryTree's icons (the file dialog).
WIDGET_SYMBOLS = "⭘▲▼▶📁📂📄"


def _generator():
    script = REPO / "scripts" / "make_fonts_css.py"
    spec = importlib.util.spec_from_file_location("make_fonts_css", script)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    return generator


def test_fonts_css_is_what_the_generator_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    generator = _generator()
    (tmp_path / "fonts").symlink_to(WEB / "fonts")
    monkeypatch.setattr(generator, "WEB", tmp_path)
    generator.main([])
    assert (tmp_path / "fonts.css").read_text(encoding="utf-8") == (WEB / "fonts.css").read_text(
        encoding="utf-8"
    ), "fonts.css is stale: run .venv/bin/python scripts/make_fonts_css.py"


def _served_characters() -> set[int]:
    css = (WEB / "fonts.css").read_text(encoding="utf-8")
    files = re.findall(r"src: url\(([^)]+)\)", css)
    assert len(files) > 100, "fonts.css names almost no font"
    served: set[int] = set()
    for name in files:
        served.update(TTFont(WEB / name).getBestCmap())
    return served


def test_every_character_the_wizard_shows_is_in_a_served_font():
    shown: dict[str, str] = {}
    for path in WIZARD_TEXT:
        for ch in path.read_text(encoding="utf-8"):
            if ord(ch) > 127 and ch.isprintable():
                shown.setdefault(ch, str(path.relative_to(REPO)))
    for ch in [*KEY_DISPLAY_ALIASES.values(), *WIDGET_SYMBOLS]:
        if not ch.isascii():
            shown.setdefault(ch, "textual's widgets")
    assert "：" in shown and "✓" in shown  # the scan reads the files it names
    served = _served_characters()
    missing = [
        f"{ch} U+{ord(ch):04X} {unicodedata.name(ch, '?')} ({where})"
        for ch, where in sorted(shown.items())
        if ord(ch) not in served
    ]
    assert missing == [], (
        "no served font has these characters (run .venv/bin/python scripts/make_fonts_css.py "
        "--subset after npm ci): " + "; ".join(missing)
    )


def test_the_fallback_fonts_ship_their_licences():
    generator = _generator()
    for fallback in generator.FALLBACKS:
        if (WEB / "fonts" / fallback.served).is_file():
            assert (WEB / "fonts" / fallback.licence).is_file(), fallback.package
