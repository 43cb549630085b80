"""Loaders: text and headings from each format; unreadable parts reported, not fatal."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.rag.loaders import LoadError, load
from tests.conftest import FIXTURES

RAG = FIXTURES / "rag"


def test_markdown_sections_carry_heading_paths() -> None:
    document = load(RAG / "docs" / "returns.md")
    headings = [s.heading for s in document.sections]
    assert headings == [
        "Northwind Outfitters returns policy > Time limit",
        "Northwind Outfitters returns policy > Refunds",
        "Northwind Outfitters returns policy > Exceptions",
    ]
    assert "45 days" in document.sections[0].text
    assert document.problems == []


def test_markdown_ignores_hashes_inside_code_fences(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# Title\n\n```sh\n# not a heading\necho hi\n```\n", encoding="utf-8")
    document = load(path)
    assert [s.heading for s in document.sections] == ["Title"]
    assert "# not a heading" in document.sections[0].text


def test_html_drops_scripts_and_styles_and_splits_at_headings() -> None:
    document = load(RAG / "docs" / "warranty.html")
    text = document.text
    assert "lifetime warranty" in text
    assert "secret" not in text and "color: red" not in text
    assert [s.heading for s in document.sections] == ["Warranty", "Warranty > Claims"]
    assert "Zippers are replaced" in document.sections[1].text


def test_text_in_shift_jis_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "sjis.txt"
    path.write_bytes("営業時間は十時からです。".encode("cp932"))
    assert load(path).text == "営業時間は十時からです。"


def test_undecodable_bytes_are_replaced_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"good text \xff\xfe\xfa\x80\x81 more text")
    document = load(path)
    assert "good text" in document.text and "more text" in document.text
    assert document.problems == [
        "line 1: bytes that are not valid UTF-8 were replaced (5 in all; save the file as UTF-8)"
    ]


def test_corrupt_pdf_is_a_load_error() -> None:
    with pytest.raises(LoadError, match="not a readable PDF"):
        load(RAG / "broken.pdf")


def test_pdf_keeps_good_pages_and_reports_the_bad_one() -> None:
    document = load(RAG / "manual.pdf")
    assert [(s.page, s.text) for s in document.sections] == [
        (1, "Tent poles are made of aircraft aluminium.")
    ]
    assert len(document.problems) == 1 and document.problems[0].startswith("page 2: unreadable")


def test_docx_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    import docx

    source = docx.Document()
    source.add_heading("Sleeping bags", level=1)
    source.add_paragraph("Our bags are rated to minus ten degrees.")
    source.add_heading("Care", level=2)
    source.add_paragraph("Air them out after every trip.")
    table = source.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Model", "Rating"
    table.cell(1, 0).text, table.cell(1, 1).text = "Arctic", "-10 C"
    path = tmp_path / "bags.docx"
    source.save(str(path))
    document = load(path)
    assert [s.heading for s in document.sections] == [
        "Sleeping bags",
        "Sleeping bags > Care",
        "Table 1",
    ]
    assert "minus ten degrees" in document.sections[0].text
    assert "Arctic | -10 C" in document.sections[2].text


def test_corrupt_docx_is_a_load_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(LoadError):
        load(path)


def test_unsupported_suffix_is_a_load_error(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("a,b\n")
    with pytest.raises(LoadError, match=r"unsupported file type \.csv"):
        load(path)
