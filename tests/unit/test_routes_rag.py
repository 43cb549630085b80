"""RagRoute on real Chroma and MiniLM; the fake backend stands in for generation."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.errors import KnowledgeBaseError
from advisor.rag import KnowledgeBase
from advisor.routes import RagRoute
from advisor.settings import Settings
from backends.fake import FakeBackend
from tests.conftest import FIXTURES

RAG = FIXTURES / "rag"


@pytest.fixture
def kb(settings: Settings) -> KnowledgeBase:
    knowledge_base = KnowledgeBase("shop", settings)
    knowledge_base.index([RAG / "docs", RAG / "injection.md"])
    return knowledge_base


def test_answer_marks_the_cited_source(settings: Settings, kb: KnowledgeBase) -> None:
    fake = FakeBackend(settings)
    route = RagRoute(fake, None, "shop", settings, k=3)
    _, sources = route.build_messages("How long does express shipping take?")
    number = next(i for i, s in enumerate(sources, 1) if s.source.endswith("shipping.txt"))
    fake.queue_replies(f"Express shipping takes one business day [{number}].")
    answer = route.answer("How long does express shipping take?")
    assert answer.route == "rag" and answer.backend == "fake"
    assert [s.source.endswith("shipping.txt") for s in answer.cited_sources] == [True]
    assert len(answer.sources) == 3
    assert sum(s.cited for s in answer.sources) == 1


def test_prompt_numbers_chunks_and_fences_them(settings: Settings, kb: KnowledgeBase) -> None:
    route = RagRoute(FakeBackend(settings), None, "shop", settings, k=2, instructions="Be kind.")
    messages, sources = route.build_messages("How long is the return window?")
    system, user = messages
    assert (system.content or "").startswith("Be kind.")
    assert '<source id="1"' in (user.content or "") and '<source id="2"' in (user.content or "")
    assert sources[0].text in (user.content or "")


def test_injection_document_stays_inside_its_fence(settings: Settings, kb: KnowledgeBase) -> None:
    route = RagRoute(FakeBackend(settings), None, "shop", settings, k=1)
    (_, user), sources = route.build_messages("How should I wash wool socks?")
    assert sources[0].source.endswith("injection.md")
    content = user.content or ""
    assert content.count("</source>") == 1  # the document's own closing tag was neutralised
    assert content.index("IGNORE ALL PREVIOUS INSTRUCTIONS") < content.index("</source>")
    assert content.rstrip().endswith("Question: How should I wash wool socks?")


def test_metadata_filter_applies_to_retrieval(settings: Settings, kb: KnowledgeBase) -> None:
    route = RagRoute(
        FakeBackend(settings), None, "shop", settings, k=3, where={"file_name": "warranty.html"}
    )
    _, sources = route.build_messages("shipping times")
    assert sources and all(s.source.endswith("warranty.html") for s in sources)


def test_batch_retrieves_per_question(settings: Settings, kb: KnowledgeBase) -> None:
    route = RagRoute(FakeBackend(settings), None, "shop", settings, k=1)
    answers = route.answer_batch(["Is a tent covered by warranty?", "東京店の定休日は？"])
    assert answers[0].sources[0].source.endswith("warranty.html")
    assert answers[1].sources[0].source.endswith("hours_ja.md")


def test_prepare_reports_the_knowledge_base(settings: Settings, kb: KnowledgeBase) -> None:
    report = RagRoute(FakeBackend(settings), None, "shop", settings).prepare()
    assert report.details["kb"] == "shop" and report.details["sources"] == 5


def test_missing_knowledge_base_names_the_fix(settings: Settings, tmp_path: Path) -> None:
    route = RagRoute(FakeBackend(settings), None, "absent", settings)
    with pytest.raises(KnowledgeBaseError, match="advisor rag index PATH --kb absent"):
        route.answer("anything")
