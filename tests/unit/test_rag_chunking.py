"""Chunking: sentence boundaries in English and Japanese, token limits, overlap, headings."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from advisor.rag.chunking import Chunker, minilm_counter, split_sentences
from advisor.rag.loaders import Document, Section, load
from tests.conftest import FIXTURES


def test_english_sentences_split_after_terminal_punctuation() -> None:
    text = "First one. Second one! Third one? Version 1.5 stays whole."
    assert [s for _, s in split_sentences(text)] == [
        "First one.",
        "Second one!",
        "Third one?",
        "Version 1.5 stays whole.",
    ]


def test_japanese_sentences_split_without_spaces() -> None:
    text = "東京店は十時に開きます。水曜日は休みです！「本当ですか？」と聞かれます。"
    assert [s for _, s in split_sentences(text)] == [
        "東京店は十時に開きます。",
        "水曜日は休みです！",
        "「本当ですか？」と聞かれます。",  # the quote and its verb are one sentence
    ]


def test_japanese_full_width_periods_and_list_items_end_sentences() -> None:
    text = (
        "重さは約９．２ｋｇです．色は２色です｡付属品：\n- 集じんフィルター\n・取扱説明書\n1. 保証書"
    )
    assert [s for _, s in split_sentences(text)] == [
        "重さは約９．２ｋｇです．",
        "色は２色です｡",
        "付属品：",
        "- 集じんフィルター",
        "・取扱説明書",
        "1. 保証書",
    ]
    assert [s for _, s in split_sentences("「本当？」って聞かれた。はい。")] == [
        "「本当？」って聞かれた。",
        "はい。",
    ]


def test_offsets_point_at_the_sentences() -> None:
    text = "  Alpha beta.\n\nGamma delta.  "
    for offset, sentence in split_sentences(text):
        assert text[offset : offset + len(sentence)] == sentence


def _doc(text: str, heading: str = "") -> Document:
    return Document(Path("x.md"), [Section(text, heading)])


def test_chunks_respect_the_token_limit_and_end_at_sentences() -> None:
    count = minilm_counter()
    sentences = [f"Sentence number {i} talks about tents and poles." for i in range(40)]
    chunker = Chunker(max_tokens=50, overlap=12)
    chunks = chunker.chunk(_doc(" ".join(sentences)))
    assert len(chunks) > 5
    for chunk in chunks:
        assert count([chunk.text])[0] <= 50
        assert chunk.text.endswith(".")
        assert chunk.text.startswith("Sentence number")


def test_overlap_repeats_trailing_sentences() -> None:
    sentences = [f"Fact {i} is here." for i in range(30)]
    chunks = Chunker(max_tokens=30, overlap=10).chunk(_doc(" ".join(sentences)))
    assert len(chunks) > 3
    for first, second in itertools.pairwise(chunks):
        last_sentence = first.text.rsplit(". ", 1)[-1]
        first_sentence = second.text.split(". ", 1)[0] + "."
        assert last_sentence in second.text  # the boundary fact is whole in the next chunk
        assert first_sentence in first.text  # and the next chunk starts inside this one
        assert second.text != first.text


def test_no_overlap_when_zero() -> None:
    sentences = [f"Fact {i} is here." for i in range(30)]
    chunks = Chunker(max_tokens=30, overlap=0).chunk(_doc(" ".join(sentences)))
    joined = " ".join(c.text for c in chunks)
    assert joined == " ".join(sentences)


def test_japanese_document_chunks_end_at_japanese_full_stops() -> None:
    document = load(FIXTURES / "rag" / "docs" / "hours_ja.md")
    chunks = Chunker(max_tokens=30, overlap=8).chunk(document)
    assert len(chunks) >= 3
    assert all(c.text[-1] in "。！？" for c in chunks)
    assert {c.heading for c in chunks} == {
        "営業時間とサポート > 店舗の営業時間",
        "営業時間とサポート > お問い合わせ",
    }


def test_overlong_sentence_is_cut_at_token_boundaries() -> None:
    count = minilm_counter()
    text = " ".join(f"word{i}" for i in range(400))  # no sentence end at all
    chunks = Chunker(max_tokens=64, overlap=0).chunk(_doc(text))
    assert len(chunks) > 3
    assert all(count([c.text])[0] <= 64 for c in chunks)
    assert "word0" in chunks[0].text and "word399" in chunks[-1].text


def test_positions_and_headings_are_kept() -> None:
    document = Document(
        Path("a.md"), [Section("Intro text.", "Intro"), Section("Body text here.", "Body")]
    )
    chunks = Chunker(max_tokens=50, overlap=5).chunk(document)
    assert [(c.heading, c.text) for c in chunks] == [
        ("Intro", "Intro text."),
        ("Body", "Body text here."),
    ]
    assert document.text[chunks[1].position :].startswith("Body text here.")


def test_overlap_must_be_smaller_than_chunk() -> None:
    with pytest.raises(ValueError):
        Chunker(max_tokens=20, overlap=20)
