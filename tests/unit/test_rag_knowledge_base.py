"""Knowledge bases on real embedded Chroma with the real MiniLM embeddings."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from filelock import FileLock

from advisor.errors import CancelledError, KnowledgeBaseError, UserInputError
from advisor.rag import KnowledgeBase
from advisor.rag.embedding import BackendEmbedder, Embedder, LocalEmbedder
from advisor.settings import Settings
from backends.fake import FakeBackend
from tests.conftest import FIXTURES

DOCS = FIXTURES / "rag" / "docs"


class Counting(Embedder):
    """The real local embedder, counting the texts it embeds."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.backend, self.model = inner.backend, inner.model
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed(texts)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(DOCS, folder)
    return folder


@pytest.fixture
def embedder(settings: Settings) -> Counting:
    return Counting(LocalEmbedder(settings))


def test_index_then_query_finds_the_right_file(settings: Settings, docs: Path) -> None:
    kb = KnowledgeBase("shop", settings)
    report = kb.index([docs])
    assert (report.files, report.added, report.updated, report.unchanged) == (4, 4, 0, 0)
    assert report.chunks == kb.count() > 4
    assert report.skipped == []
    hits = kb.query("How long does express shipping take?", k=3)
    assert hits[0].source == str(docs / "shipping.txt")
    assert hits[0].chunk_id == f"{docs / 'shipping.txt'}:0"
    assert [h.distance for h in hits] == sorted(h.distance for h in hits)


def test_japanese_question_retrieves_the_japanese_chunk(settings: Settings, docs: Path) -> None:
    kb = KnowledgeBase("shop", settings)
    kb.index([docs])
    hits = kb.query("東京店の定休日は何曜日ですか？", k=2)
    assert hits[0].source.endswith("hours_ja.md")
    assert "水曜日" in hits[0].text
    assert hits[0].heading == "営業時間とサポート > 店舗の営業時間"


def test_metadata_filter_restricts_hits(settings: Settings, docs: Path) -> None:
    kb = KnowledgeBase("shop", settings)
    kb.index([docs])
    hits = kb.query("shipping", k=5, where={"file_name": "returns.md"})
    assert hits and all(h.source.endswith("returns.md") for h in hits)


def test_reindex_unchanged_embeds_nothing(
    settings: Settings, docs: Path, embedder: Counting
) -> None:
    kb = KnowledgeBase("shop", settings, embedder=embedder)
    first = kb.index([docs])
    embedded = len(embedder.texts)
    assert embedded == first.chunks
    again = kb.index([docs])
    assert len(embedder.texts) == embedded
    assert (again.added, again.updated, again.unchanged, again.deleted) == (0, 0, 4, 0)
    assert again.chunks == first.chunks


def test_change_one_delete_one_add_one(settings: Settings, docs: Path, embedder: Counting) -> None:
    kb = KnowledgeBase("shop", settings, embedder=embedder)
    kb.index([docs])
    ids_before = set(kb._require().get(include=[])["ids"])
    returns = docs / "returns.md"
    returns.write_text(
        returns.read_text(encoding="utf-8").replace("45 days", "60 days"), encoding="utf-8"
    )
    (docs / "shipping.txt").unlink()
    (docs / "new.md").write_text("# Gift wrap\n\nGift wrapping costs 4 dollars.\n")
    embedder.texts.clear()
    report = kb.index([docs])
    assert (report.added, report.updated, report.unchanged, report.deleted) == (1, 1, 2, 1)
    # Only the edited chunk and the new file were embedded; the other returns.md chunks
    # kept their vectors.
    assert len(embedder.texts) == 2
    ids_after = set(kb._require().get(include=[])["ids"])
    assert not any("shipping.txt" in i for i in ids_after)
    assert f"{docs / 'new.md'}:0" in ids_after
    assert {i for i in ids_before if "returns.md" in i} == {
        i for i in ids_after if "returns.md" in i
    }
    assert "60 days" in kb.query("return window for unworn items", k=1)[0].text


def test_shorter_file_loses_its_extra_chunks(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "long.md"
    path.write_text("\n\n".join(f"## Part {i}\n\nPart {i} text." for i in range(5)))
    kb = KnowledgeBase("parts", settings)
    assert kb.index([path]).chunks == 5
    path.write_text("## Part 0\n\nOnly part.")
    assert kb.index([path]).chunks == 1
    assert kb._require().get(include=[])["ids"] == [f"{path}:0"]


def test_batches_never_exceed_the_client_limit(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many.md"
    path.write_text("\n\n".join(f"## Topic {i}\n\nFact number {i}." for i in range(12)))
    kb = KnowledgeBase("batches", settings)
    monkeypatch.setattr(kb.client, "get_max_batch_size", lambda: 5)
    sizes: list[int] = []
    collection_cls = type(kb.client.get_or_create_collection("probe", embedding_function=None))
    original = collection_cls.upsert

    def spy(self: Any, ids: list[str], **kwargs: Any) -> None:
        sizes.append(len(ids))
        original(self, ids=ids, **kwargs)

    monkeypatch.setattr(collection_cls, "upsert", spy)
    assert kb.index([path]).chunks == 12
    assert sizes == [5, 5, 2]


def test_unreadable_files_and_parts_are_reported_not_fatal(
    settings: Settings, tmp_path: Path
) -> None:
    for name in ("broken.pdf", "manual.pdf"):
        shutil.copy(FIXTURES / "rag" / name, tmp_path / name)
    (tmp_path / "notes.csv").write_text("a,b")
    kb = KnowledgeBase("pdfs", settings)
    report = kb.index([tmp_path, tmp_path / "notes.csv"])
    reasons = {(Path(s.path).name, s.reason.split(" (")[0]) for s in report.skipped}
    assert reasons == {
        ("notes.csv", "unsupported file type .csv"),
        ("broken.pdf", "not a readable PDF"),
        ("manual.pdf", "page 2: unreadable"),
    }
    assert report.added == 1
    hit = kb.query("What are tent poles made of?", k=1)[0]
    assert hit.page == 1 and "aluminium" in hit.text


def test_querying_with_another_embedding_model_is_a_clear_error(
    settings: Settings, docs: Path
) -> None:
    KnowledgeBase("shop", settings).index([docs])
    other = BackendEmbedder(FakeBackend(settings))
    with pytest.raises(KnowledgeBaseError, match="indexed with local:all-MiniLM-L6-v2"):
        KnowledgeBase("shop", settings, embedder=other).query("shipping")
    with pytest.raises(KnowledgeBaseError, match="--rebuild"):
        KnowledgeBase("shop", settings, embedder=other).index([docs])
    rebuilt = KnowledgeBase("shop", settings, embedder=other).index([docs], rebuild=True)
    assert rebuilt.added == 4


def test_a_second_writer_is_refused(
    settings: Settings, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.rag import knowledge_base

    monkeypatch.setattr(knowledge_base, "LOCK_TIMEOUT_S", 0.2)
    settings.knowledge_dir.mkdir(parents=True)
    with (
        FileLock(str(settings.knowledge_dir / ".shop.lock")),
        pytest.raises(KnowledgeBaseError, match="being written by another process"),
    ):
        KnowledgeBase("shop", settings).index([docs])


def test_cancel_stops_indexing(settings: Settings, docs: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        KnowledgeBase("shop", settings).index([docs], cancel=cancel)


def test_progress_reports_every_file(settings: Settings, docs: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    KnowledgeBase("shop", settings).index([docs], progress=lambda *a: calls.append(a))
    assert calls[0] == (0, 4, "opening shop")  # before the embedder loads: the bar shows
    assert calls[-1] == (4, 4, "done")
    reading = [c for c in calls[1:-1] if not c[2].startswith(("embedding", "writing"))]
    assert [c[0] for c in reading] == [0, 1, 2, 3]


def test_progress_shows_the_embedding_phase_with_an_eta(
    settings: Settings, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 19: the bar jumped to 11/12 files, then sat while every chunk was embedded.
    from advisor.rag import indexing

    monkeypatch.setattr(indexing, "EMBED_SLICE", 2)
    calls: list[tuple[int, int, str]] = []
    kb = KnowledgeBase("shop", settings, embedder=BackendEmbedder(FakeBackend(settings)))
    kb.index([docs], progress=lambda *a: calls.append(a))
    embedding = [c for c in calls if c[2].startswith("embedding")]
    assert len(embedding) >= 2
    assert embedding[0][2] == "embedding chunks · measuring speed"
    assert "left" in embedding[-1][2] and "/s" in embedding[-1][2]
    total = embedding[0][1]
    assert [c[0] for c in embedding] == list(range(0, total, 2))
    assert (total, total, "writing chunks") in calls


def test_missing_kb_missing_path_and_bad_name(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="advisor rag index PATH --kb nothing"):
        KnowledgeBase("nothing", settings).query("x")
    assert not (settings.knowledge_dir / "nothing").exists()
    with pytest.raises(UserInputError, match="no such file"):
        KnowledgeBase("shop", settings).index([tmp_path / "absent"])
    with pytest.raises(UserInputError, match="invalid knowledge base name"):
        KnowledgeBase("Bad Name", settings)


def test_names_info_and_delete(settings: Settings, docs: Path) -> None:
    kb = KnowledgeBase("shop", settings)
    kb.index([docs])
    assert KnowledgeBase.names(settings) == ["shop"]
    info = kb.info()
    assert (info.sources, info.embedding) == (4, "local:all-MiniLM-L6-v2")
    assert kb.delete() is True
    assert KnowledgeBase.names(settings) == []
    assert KnowledgeBase("shop", settings).delete() is False
    # The name can be reused after a delete in the same process.
    assert KnowledgeBase("shop", settings).index([docs]).added == 4
