"""RAG on hostile input (issue 18): unreadable folders, links out, bad names, a damaged
knowledge base, invalid UTF-8.  Embeddings come from the fake backend (no model)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from advisor.cli.app import main
from advisor.errors import UserInputError
from advisor.rag import KnowledgeBase
from advisor.rag.embedding import BackendEmbedder
from advisor.rag.indexing import discover
from advisor.rag.loaders import load
from advisor.settings import Settings
from backends.fake import FakeBackend
from tests.conftest import FIXTURES

DOCS = FIXTURES / "rag" / "docs"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def fake_kb(name: str, settings: Settings) -> KnowledgeBase:
    return KnowledgeBase(name, settings, embedder=BackendEmbedder(FakeBackend(settings)))


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(DOCS, folder)
    return folder


def deny(monkeypatch: pytest.MonkeyPatch, *folders: Path) -> None:
    """``os.scandir`` fails with EACCES on these folders (tests run as root, so chmod
    cannot make a folder unreadable)."""
    real = os.scandir
    denied = {str(f) for f in folders}

    def scandir(path: object = ".") -> object:
        if os.fspath(path) in denied:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", os.fspath(path))  # type: ignore[arg-type]
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_folder_is_one_sentence(
    capsys: pytest.CaptureFixture[str], docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deny(monkeypatch, docs)
    code, _, err = run(capsys, "rag", "index", str(docs), "--kb", "shop")
    assert code == 2, err
    assert err.startswith(f"error: cannot read the folder {docs} (Permission denied)")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_an_unreadable_sub_folder_is_skipped_and_reported(
    docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = docs / "locked"
    locked.mkdir()
    (locked / "secret.md").write_text("# secret\n")
    deny(monkeypatch, locked)
    files, _, skipped = discover([docs])
    assert len(files) == 4 and all(f.parent == docs for f in files)
    assert [(s.path, s.reason) for s in skipped] == [
        (str(locked), "cannot read (Permission denied)")
    ]


def test_links_out_of_the_indexed_folder_are_not_followed(docs: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwords.md").write_text("# root password\nhunter2\n")
    (docs / "leak.md").symlink_to(outside / "passwords.md")
    (docs / "leakdir").symlink_to(outside, target_is_directory=True)
    (docs / "dangling.md").symlink_to(tmp_path / "nothing.md")
    (docs / "inside.md").symlink_to(docs / "returns.md")  # stays inside: kept
    files, _, skipped = discover([docs])
    assert all(outside not in f.resolve().parents for f in files)
    assert docs / "inside.md" in files
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert set(reasons) == {"leak.md", "leakdir", "dangling.md"}
    assert reasons["leak.md"] == (
        f"symbolic link to {outside / 'passwords.md'}, outside the indexed folder: not followed"
    )
    assert "broken or looping" in reasons["dangling.md"]


def test_indexing_leaves_out_what_a_link_points_at_outside(
    settings: Settings, docs: Path, tmp_path: Path
) -> None:
    (tmp_path / "secret.md").write_text("# secret\nhunter2\n")
    (docs / "leak.md").symlink_to(tmp_path / "secret.md")
    report = fake_kb("shop", settings).index([docs])
    assert str(docs / "leak.md") in [s.path for s in report.skipped]
    hits = fake_kb("shop", settings).query("hunter2", k=10)
    assert hits and all("hunter2" not in h.text for h in hits)


@pytest.mark.parametrize("name", ["shop\n", "shop\r\n", "\nshop", "shop "])
def test_a_name_with_a_newline_or_space_is_refused(settings: Settings, name: str) -> None:
    with pytest.raises(UserInputError, match="invalid knowledge base name"):
        KnowledgeBase(name, settings)


def test_one_damaged_knowledge_base_does_not_hide_the_others(
    capsys: pytest.CaptureFixture[str], settings: Settings, docs: Path
) -> None:
    fake_kb("shop", settings).index([docs])
    broken = settings.knowledge_dir / "broken"
    broken.mkdir(parents=True)
    (broken / "chroma.sqlite3").write_bytes(os.urandom(4096))
    code, out, err = run(capsys, "rag", "list", "--format", "json")
    assert code == 0, err
    listed = {k["name"]: k for k in json.loads(out)["knowledge_bases"]}
    assert set(listed) == {"broken", "shop"}
    assert listed["shop"]["error"] is None and listed["shop"]["sources"] == 4
    assert listed["broken"]["error"] and listed["broken"]["chunks"] == 0
    code, out, _ = run(capsys, "rag", "list")
    assert code == 0
    assert "broken: DAMAGED" in out and f"move {broken} aside" in out
    assert "shop: 4 files" in out
    assert KnowledgeBase.names(settings) == ["shop"]  # choosers offer only usable ones


def test_invalid_utf8_in_markdown_is_reported_with_its_line(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(b"# Title\n\nplain text\nbad \x93quote\x94 here\n")
    document = load(page)
    assert document.problems == [
        "line 4: bytes that are not valid UTF-8 were replaced (2 in all; save the file as UTF-8)"
    ]
    assert "\ufffdquote\ufffd" in document.text


def test_shift_jis_japanese_is_still_read(tmp_path: Path) -> None:
    page = tmp_path / "manual.md"
    page.write_bytes("# 返品について\n\n商品到着後30日以内にご連絡ください。\n".encode("cp932"))
    document = load(page)
    assert document.problems == [] and "ご連絡ください" in document.text
