"""``advisor rag``, ``advisor ask`` and ``advisor assistant`` through the real entry point."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from backends.fake import FakeBackend
from tests.cli.bilingual import run
from tests.conftest import FIXTURES

RAG = FIXTURES / "rag"
INDEX_KEYS = {
    "kb",
    "files",
    "chunks",
    "added",
    "updated",
    "unchanged",
    "deleted",
    "skipped",
    "seconds",
}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(RAG / "docs", folder)
    shutil.copy(RAG / "broken.pdf", folder / "broken.pdf")
    return folder


def test_index_json_has_exactly_the_documented_keys(capsys, docs: Path) -> None:
    code, out, err = run(capsys, "rag", "index", str(docs), "--kb", "shop", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == INDEX_KEYS
    assert (data["kb"], data["files"], data["added"]) == ("shop", 5, 4)
    assert data["skipped"] == [
        {"path": str(docs / "broken.pdf"), "reason": data["skipped"][0]["reason"]}
    ]
    assert data["skipped"][0]["reason"].startswith("not a readable PDF")
    code, out, _ = run(capsys, "rag", "index", str(docs), "--kb", "shop", "--format", "json")
    assert json.loads(out)["unchanged"] == 4


def test_index_text_mode_summarises(capsys, docs: Path) -> None:
    code, out, _ = run(capsys, "rag", "index", str(docs), "--kb", "shop")
    assert code == 0
    assert out.startswith("shop: 5 files")
    assert "skipped" in out and "broken.pdf" in out


def test_query_json_hits(capsys, docs: Path) -> None:
    run(capsys, "rag", "index", str(docs), "--kb", "shop", "--format", "json")
    code, out, err = run(
        capsys,
        "rag",
        "query",
        "--kb",
        "shop",
        "--k",
        "2",
        "--format",
        "json",
        "How long does express shipping take?",
    )
    assert code == 0, err
    hits = json.loads(out)["hits"]
    assert len(hits) == 2
    # The original keys stay; hybrid retrieval added its score and the rankings that found it.
    assert set(hits[0]) == {"source", "chunk_id", "distance", "text", "score", "found_by"}
    assert hits[0]["source"] == str(docs / "shipping.txt")
    assert hits[0]["found_by"] == ["dense", "lexical"] and hits[0]["score"] > 0


def test_query_with_where_filter(capsys, docs: Path) -> None:
    run(capsys, "rag", "index", str(docs), "--kb", "shop", "--format", "json")
    code, out, _ = run(
        capsys,
        "rag",
        "query",
        "--kb",
        "shop",
        "--where",
        "file_name=hours_ja.md",
        "--format",
        "json",
        "shipping",
    )
    assert code == 0
    assert {Path(h["source"]).name for h in json.loads(out)["hits"]} == {"hours_ja.md"}


def test_eval_reports_hit_rate_and_mrr(capsys, docs: Path) -> None:
    run(capsys, "rag", "index", str(docs), "--kb", "shop", "--format", "json")
    code, out, err = run(
        capsys,
        "rag",
        "eval",
        "--kb",
        "shop",
        "--questions",
        str(RAG / "questions.jsonl"),
        "--k",
        "3",
        "--format",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["questions"] == 4 and data["k"] == 3
    assert data["hit_rate"] == 1.0 and 0.5 < data["mrr"] <= 1.0
    assert data["misses"] == []


def test_ask_rag_returns_cited_sources(capsys, docs: Path) -> None:
    run(capsys, "rag", "index", str(docs), "--kb", "shop", "--format", "json")
    FakeBackend.queue_replies("One business day [1].")
    code, out, err = run(
        capsys,
        "ask",
        "--route",
        "rag",
        "--kb",
        "shop",
        "--k",
        "1",
        "--backend",
        "fake",
        "--format",
        "json",
        "How long does express shipping take?",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["text"] == "One business day [1]." and data["route"] == "rag"
    assert data["sources"][0]["cited"] is True
    assert data["sources"][0]["source"] == str(docs / "shipping.txt")
    FakeBackend.queue_replies("One business day [1].")
    code, out, _ = run(
        capsys,
        "ask",
        "--route",
        "rag",
        "--kb",
        "shop",
        "--k",
        "1",
        "--backend",
        "fake",
        "How long does express shipping take?",
    )
    assert "sources:\n  [1] " in out and "shipping.txt:0" in out


def test_ask_system_prompt_with_few_shot(capsys) -> None:
    FakeBackend.queue_replies("PONG.")
    code, out, err = run(
        capsys,
        "ask",
        "--backend",
        "fake",
        "--instructions",
        "Shout.",
        "--few-shot-file",
        str(RAG / "few_shot.jsonl"),
        "--shots",
        "2",
        "--format",
        "json",
        "ping",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["text"] == "PONG." and data["route"] == "system_prompt" and data["sources"] == []
    assert data["warnings"] == []


def test_user_errors_exit_2_with_one_sentence(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "rag", "index", str(tmp_path / "nope"), "--kb", "shop")
    assert code == 2 and err.startswith("error: no such file or folder")
    code, _, err = run(capsys, "ask", "--route", "rag", "--backend", "fake", "q")
    assert code == 2 and "needs --kb" in err
    code, _, err = run(capsys, "rag", "index", str(RAG / "docs"), "--kb", "Bad Name")
    assert code == 2 and "invalid knowledge base name" in err
    assert "Traceback" not in err


def test_query_of_a_missing_kb_exits_2(capsys) -> None:
    # Bad input, as `ask --kb ghost` and `rag delete --kb ghost` say it (docs/rag.md).
    code, _, err = run(capsys, "rag", "query", "--kb", "ghost", "anything")
    assert code == 2 and "advisor rag index PATH --kb ghost" in err


def test_list_and_delete(capsys, docs: Path) -> None:
    run(capsys, "rag", "index", str(docs), "--kb", "shop", "--format", "json")
    code, out, _ = run(capsys, "rag", "list", "--format", "json")
    assert [k["name"] for k in json.loads(out)["knowledge_bases"]] == ["shop"]
    shop = json.loads(out)["knowledge_bases"][0]
    assert shop["languages"] == {"en": 3, "ja": 1} and shop["retrieval"] == "hybrid"
    code, out, _ = run(capsys, "rag", "list")
    assert "4 files (3 en, 1 ja)" in out and "hybrid retrieval" in out
    code, out, _ = run(capsys, "rag", "delete", "--kb", "shop", "--yes")
    assert code == 0 and "deleted shop" in out
    code, out, _ = run(capsys, "rag", "list", "--format", "json")
    assert json.loads(out)["knowledge_bases"] == []


def test_assistant_lifecycle(capsys, docs: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.md"
    rules.write_text("You help Northwind customers.\nAlways cite.\n", encoding="utf-8")
    code, out, err = run(
        capsys,
        "assistant",
        "create",
        "northwind",
        "--instructions-file",
        str(rules),
        "--knowledge",
        str(docs),
        "--starter",
        "What is the return window?",
        "--backend",
        "fake",
        "--format",
        "json",
    )
    assert code == 0, err
    path = Path(json.loads(out)["path"])
    assert path.name == "northwind.yaml" and "Always cite." in path.read_text()
    code, out, _ = run(capsys, "assistant", "list", "--format", "json")
    assert [a["name"] for a in json.loads(out)["assistants"]] == ["northwind"]
    code, out, _ = run(capsys, "assistant", "show", "northwind")
    assert "conversation_starters:" in out and "What is the return window?" in out
    FakeBackend.queue_replies("45 days [1].")
    code, out, err = run(
        capsys,
        "assistant",
        "chat",
        "northwind",
        "--message",
        "How many days to return?",
        "--format",
        "json",
    )
    assert code == 0, err
    answer = json.loads(out)["answers"][0]
    assert answer["route"] == "custom_assistant" and answer["text"] == "45 days [1]."
    assert any(s["cited"] for s in answer["sources"])
    FakeBackend.queue_replies("Within 45 days [1].")
    code, out, _ = run(
        capsys, "ask", "--route", "custom_assistant", "--assistant", "northwind", "Return window?"
    )
    assert code == 0 and out.startswith("Within 45 days [1].")
    code, _, err = run(capsys, "assistant", "create", "northwind", "-i", "x")
    assert code == 2 and "already exists" in err
    code, out, _ = run(capsys, "assistant", "delete", "northwind")
    assert code == 0
    code, _, err = run(capsys, "assistant", "show", "northwind")
    assert code == 2 and "no assistant named northwind" in err


def test_interactive_chat_reads_stdin(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    run(
        capsys,
        "assistant",
        "create",
        "plain",
        "-i",
        "Be brief.",
        "--backend",
        "fake",
        "--starter",
        "Say hi",
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("1\nsecond question\n\n"))
    code, out, err = run(capsys, "assistant", "chat", "plain")
    assert code == 0
    assert "1. Say hi" in err
    assert out.splitlines() == ["fake reply: Say hi", "fake reply: second question"]
