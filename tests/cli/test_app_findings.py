"""Findings of issues 18 and 19 at the command line, each failing before its fix."""

from __future__ import annotations

import shutil

import pytest

from advisor.errors import BackendError
from backends.fake import FakeBackend
from tests.cli.bilingual import run
from tests.conftest import FIXTURES


@pytest.fixture
def fake_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_CHROMA__EMBEDDING_BACKEND", "fake")
    from advisor.cli import context

    context.settings.cache_clear()


def test_ask_with_an_unknown_knowledge_base_is_bad_input(capsys) -> None:
    code, _, err = run(
        capsys, "ask", "--route", "rag", "--kb", "nosuchkb", "--backend", "fake", "q"
    )
    assert code == 2
    assert err.startswith("error: no knowledge base named nosuchkb")
    assert "advisor rag index PATH --kb nosuchkb" in err and "Traceback" not in err


def test_ask_rag_prints_the_sources_it_was_shown_when_it_cites_none(capsys, tmp_path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "rag" / "docs", docs)
    run(capsys, "rag", "index", str(docs), "--kb", "shop", "--format", "json")
    FakeBackend.queue_replies("Express shipping takes one business day.")  # no [n]
    code, out, _ = run(
        capsys, "ask", "--route", "rag", "--kb", "shop", "--k", "2", "--backend", "fake",
        "How long does express shipping take?",
    )  # fmt: skip
    assert code == 0
    assert "sources (retrieved; the answer cites none):\n  [1] " in out
    assert "shipping.txt:0" in out


def test_a_bench_in_which_every_call_failed_exits_1_and_names_no_winner(
    capsys, monkeypatch, tmp_path, fake_embeddings
) -> None:
    # A remote-style backend (one request per answer) that is down: every call fails.
    def down(*args: object, **kwargs: object) -> None:
        raise BackendError("connection refused")

    monkeypatch.setattr(FakeBackend, "chat", down)
    remote = FakeBackend.capabilities.model_copy(update={"runs_locally": False})
    monkeypatch.setattr(FakeBackend, "capabilities", remote)
    code, out, err = run(
        capsys, "bench", str(FIXTURES / "bench" / "tiny"), "--backend", "fake",
        "--routes", "system_prompt,rag", "--repeats", "1", "--out", str(tmp_path / "out"),
        "--format", "json",
    )  # fmt: skip
    assert code == 1
    assert "no route produced answers" in err and "connection refused" in err
    import json

    summary = json.loads(out)
    assert summary["verdict"]["best"] is None and summary["verdict"]["winner"] is None
    assert {r["status"] for r in summary["routes"].values()} == {"failed"}


def test_assistant_chat_remembers_the_conversation(capsys, monkeypatch) -> None:
    sent: list[list[str]] = []
    chat_of = FakeBackend.chat

    def recording(self, messages, **kwargs):
        sent.append([m.content for m in messages if m.role != "system"])
        return chat_of(self, messages, **kwargs)

    monkeypatch.setattr(FakeBackend, "chat", recording)
    run(capsys, "assistant", "create", "memo", "-i", "Be brief.", "--backend", "fake")
    code, out, _ = run(
        capsys, "assistant", "chat", "memo", "--message", "My name is Ann.",
        "--message", "What is my name?",
    )  # fmt: skip
    assert code == 0 and out.splitlines()[-1] == "fake reply: What is my name?"
    assert sent[-1] == ["My name is Ann.", "fake reply: My name is Ann.", "What is my name?"]
