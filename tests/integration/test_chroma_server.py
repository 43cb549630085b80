"""The RAG route against a real ``chroma run`` server on a loopback port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.cli.app import main
from advisor.errors import KnowledgeBaseError
from advisor.rag import KnowledgeBase
from advisor.routes import RagRoute
from advisor.settings import Settings
from backends.fake import FakeBackend
from tests.conftest import FIXTURES, REPO

pytestmark = pytest.mark.integration

CHROMA = REPO / ".venv" / "bin" / "chroma"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMA.is_file():
        pytest.skip(f"{CHROMA} not found")
    port = _free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [
            str(CHROMA),
            "run",
            "--path",
            str(folder / "db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("chroma run did not start: " + (folder / "server.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(FIXTURES / "rag" / "docs", folder)
    return folder


def test_index_query_and_answer_through_the_server(
    chroma_url: str, settings: Settings, docs: Path
) -> None:
    kb = KnowledgeBase("served", settings, chroma_url)
    first = kb.index([docs])
    assert first.added == 4 and first.chunks > 4
    assert not (settings.knowledge_dir / "served").exists()  # nothing embedded locally
    # The BM25 side is a local cache synced from the server's chunks.
    assert kb.lexical.path.is_relative_to(settings.cache_dir) and kb.lexical.path.is_file()
    words = kb.query("unworn items return days", k=1, retrieval="lexical")
    assert words[0].source == str(docs / "returns.md") and words[0].found_by == ["lexical"]
    again = kb.index([docs])
    assert again.unchanged == 4 and again.added == again.updated == 0
    (docs / "shipping.txt").unlink()
    assert kb.index([docs]).deleted == 1

    fake = FakeBackend(settings)
    route = RagRoute(fake, None, "served", settings, k=2, chroma_url=chroma_url)
    fake.queue_replies("You have 45 days [1].")
    answer = route.answer("How many days do I have to return unworn items?")
    assert answer.sources[0].source == str(docs / "returns.md")
    assert answer.cited_sources == answer.sources[:1]
    assert "served" in KnowledgeBase.names(settings, chroma_url)
    assert kb.delete() is True
    assert "served" not in KnowledgeBase.names(settings, chroma_url)


def test_cli_uses_the_chroma_url_setting(
    chroma_url: str,
    docs: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    monkeypatch.setenv("ADVISOR_CHROMA__URL", chroma_url)
    with pytest.raises(SystemExit) as done:
        main(["rag", "index", str(docs), "--kb", "viaenv", "--format", "json"])
    assert done.value.code in (0, None)
    assert json.loads(capsys.readouterr().out)["added"] == 4
    with pytest.raises(SystemExit):
        main(
            [
                "rag",
                "query",
                "--kb",
                "viaenv",
                "--chroma-url",
                chroma_url,
                "--format",
                "json",
                "Which company carries the parcels?",
            ]
        )
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits[0]["source"].endswith("shipping.txt")


def test_unreachable_server_is_a_clear_error(settings: Settings) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(KnowledgeBaseError, match="cannot reach the Chroma server"):
        KnowledgeBase("served", settings, url).query("anything")
