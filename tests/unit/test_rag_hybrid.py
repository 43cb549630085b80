"""Hybrid retrieval: Japanese tokenizers, language detection, fusion and the BM25 index.

Knowledge bases here use real embedded Chroma with the fake backend's hashed
vectors, so the lexical side is tested without loading MiniLM.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from advisor.errors import ConfigError
from advisor.rag import KnowledgeBase
from advisor.rag.embedding import BackendEmbedder
from advisor.rag.lexical import fts_query
from advisor.rag.retrieval import rrf
from advisor.rag.sudachi import sudachi_words
from advisor.rag.textsplit import bigram_tokens, detect_language, make_tokenizer
from advisor.settings import Settings, load_settings
from backends.fake import FakeBackend

FILTERS = (
    "# フィルターのお手入れ\n\n"
    "集じんフィルターは水洗いできません。掃除機でホコリを吸い取ってください。\n"
)
WARRANTY = "# 保証\n\n保証期間はお買い上げ日から1年間です。ファンモーターは5年間保証します。\n"
SHIPPING = "# Shipping\n\nExpress shipping takes two business days within the country.\n"


def test_japanese_is_detected_by_script_share() -> None:
    assert detect_language(FILTERS) == "ja"
    assert detect_language("お届けは3日後です。DW-600 の型番をご確認ください。") == "ja"
    assert detect_language(SHIPPING) == "en"
    # An English manual quoting one Japanese term stays English.
    assert detect_language("Press the START button, labelled 「開始」 on Japanese units.") == "en"
    # Kanji without kana is not Japanese (Chinese shares the ideographs).
    assert detect_language("过滤器不能用水清洗，请用吸尘器清洁。") == "en"
    assert detect_language("") == "en"


def test_bigrams_cut_japanese_runs_and_keep_latin_words() -> None:
    assert bigram_tokens("ホコリを取る") == ["ホコ", "コリ", "リを", "を取", "取る"]
    assert bigram_tokens("AP-500の音") == ["ap", "500", "の音"]
    assert bigram_tokens("How does the Filter work?") == ["filter", "work"]  # stop words go


def test_mecab_returns_content_word_lemmas() -> None:
    pytest.importorskip("fugashi")
    words = make_tokenizer("mecab")("いらなくなったら何ごみで捨てればいいですか")
    assert "捨てる" in words and "要る" in words  # inflected verbs meet their lemma
    assert not {"で", "ば", "です", "か"} & set(words)  # particles and auxiliaries are dropped
    # Three spellings of "dust" are one word.
    assert make_tokenizer("mecab")("ホコリ") == make_tokenizer("mecab")("埃")


def test_sudachi_folds_spelling_variants_and_inflections() -> None:
    words = sudachi_words("いらなくなったら何ごみで捨てればいいですか")
    assert "捨てる" in words  # an inflected verb meets its dictionary form
    assert not {"で", "ば", "です", "か", "たら"} & set(words)  # particles and auxiliaries go
    # 表記ゆれ: one normalized form for each pair of spellings.
    assert "埃" in sudachi_words("ホコリ") and "埃" in sudachi_words("埃")
    assert "引っ越し" in sudachi_words("引越") and "引っ越し" in sudachi_words("引っ越し")


def test_sudachi_indexes_long_units_their_parts_and_synonym_groups() -> None:
    words = sudachi_words("取扱説明書")
    assert "取扱説明書" in words and "説明" in words  # mode C and its mode-A parts
    phone, smartphone = sudachi_words("スマホ"), sudachi_words("スマートフォン")
    shared = {w for w in phone if w.startswith("syn")} & set(smartphone)
    assert shared, (phone, smartphone)  # one synonym group id, indexed as a word
    assert not any(w.startswith("syn") for w in sudachi_words("スマホ", synonyms=False))


def test_sudachi_tokenizer_keeps_bigrams_and_leaves_english_as_it_was() -> None:
    tokenize = make_tokenizer("sudachi")
    words = tokenize("AP-500の集じんフィルター")
    assert {"ap", "500", "集じ", "フィ"} <= set(words)  # the bigrams and the Latin words
    assert "フィルター" in words  # and Sudachi's word
    english = "How does the Filter work? Replace it every 12 months."
    assert tokenize(english) == bigram_tokens(english) == make_tokenizer("mecab")(english)
    assert tokenize("") == []


def test_missing_sudachi_is_a_config_error_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from advisor.rag import sudachi

    monkeypatch.setattr(sudachi, "_local", threading.local())  # no tokenizer made yet
    monkeypatch.setitem(sys.modules, "sudachipy", None)  # as if it were not installed
    with pytest.raises(ConfigError, match="Sudachi tokenizer") as raised:
        sudachi_words("ホコリ")
    assert "lexical_tokenizer to bigram" in str(raised.value.hint)


def test_sudachi_is_the_default_lexical_tokenizer(tmp_path: Path) -> None:
    assert load_settings(data_dir=tmp_path / "d").chroma.lexical_tokenizer == "sudachi"


def test_unknown_tokenizer_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown lexical tokenizer"):
        make_tokenizer("whitespace")


def test_rrf_prefers_what_both_rankings_found() -> None:
    fused = rrf([["a", "b", "c"], ["c", "d", "a"]])
    assert [item for item, _ in fused] == ["a", "c", "b", "d"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 63)
    assert rrf([]) == []


def test_fts_query_quotes_every_word_once() -> None:
    assert fts_query(["保証", 'a"b', "保証", " "]) == '"保証" OR "a""b"'
    assert fts_query([]) == ""


@pytest.fixture
def kb(settings: Settings, tmp_path: Path) -> KnowledgeBase:
    return KnowledgeBase("ja", settings, embedder=BackendEmbedder(FakeBackend(settings)))


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "filters.md").write_text(FILTERS, encoding="utf-8")
    (folder / "warranty.md").write_text(WARRANTY, encoding="utf-8")
    (folder / "shipping.md").write_text(SHIPPING, encoding="utf-8")
    return folder


def test_lexical_finds_japanese_and_english_documents(kb: KnowledgeBase, docs: Path) -> None:
    kb.index([docs])
    assert kb.lexical.path == kb.path / "lexical.sqlite3" and kb.lexical.path.is_file()
    hit = kb.query("モーターの保証は何年？", k=1, retrieval="lexical")[0]
    assert Path(hit.source).name == "warranty.md"
    assert hit.found_by == ["lexical"] and hit.score is not None and hit.score > 0
    assert 0.0 <= hit.distance <= 2.0  # a real cosine distance, from the stored vector
    english = kb.query("how many days does express shipping take", k=1, retrieval="lexical")
    assert Path(english[0].source).name == "shipping.md"
    assert kb.info().languages == {"en": 1, "ja": 2}


def test_lexical_index_follows_changes_deletes_and_reindexing(
    kb: KnowledgeBase, docs: Path
) -> None:
    kb.index([docs])
    (docs / "warranty.md").write_text("# 保証\n\n延長保証は3年間です。\n", encoding="utf-8")
    (docs / "filters.md").unlink()
    kb.index([docs])
    words = kb.query("延長", k=3, retrieval="lexical")
    assert [Path(h.source).name for h in words] == ["warranty.md"]
    assert kb.query("集じんフィルター", k=3, retrieval="lexical") == []
    assert kb.delete() and not kb.lexical.path.exists()
    kb.index([docs])  # a new collection: the index is rebuilt, not trusted
    assert [Path(h.source).name for h in kb.query("延長", k=3, retrieval="lexical")] == [
        "warranty.md"
    ]


def test_lexical_index_is_rebuilt_from_chroma_when_missing(kb: KnowledgeBase, docs: Path) -> None:
    """Knowledge bases indexed before the lexical index existed get one on first query."""
    kb.index([docs])
    kb.lexical.drop()
    fresh = KnowledgeBase("ja", kb.settings, embedder=kb.embedder)
    hit = fresh.query("ホコリの掃除", k=1, retrieval="lexical")[0]
    assert Path(hit.source).name == "filters.md"


def test_hybrid_applies_the_metadata_filter_to_lexical_hits(kb: KnowledgeBase, docs: Path) -> None:
    kb.index([docs])
    only = {"file_name": "shipping.md"}
    hits = kb.query("保証期間", k=3, where=only, retrieval="hybrid")
    assert hits and {Path(h.source).name for h in hits} == {"shipping.md"}
    assert all("lexical" not in h.found_by for h in hits)  # the words were elsewhere


def test_hybrid_leaves_out_a_dense_model_that_does_not_know_the_language(
    kb: KnowledgeBase, docs: Path
) -> None:
    kb.index([docs])
    kb.embedder.languages = ("en",)
    japanese = kb.query("モーターの保証", k=3)
    assert japanese and all(h.found_by == ["lexical"] for h in japanese)
    english = kb.query("express shipping days", k=3)
    assert "dense" in english[0].found_by and "lexical" in english[0].found_by


def test_retrieval_setting_chooses_the_mode(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", chroma={"retrieval": "dense"})
    kb = KnowledgeBase("x", settings, embedder=BackendEmbedder(FakeBackend(settings)))
    assert kb.retrieval == "dense"
    assert load_settings(data_dir=tmp_path / "d").chroma.retrieval == "hybrid"
