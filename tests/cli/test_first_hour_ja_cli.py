"""A Japanese-speaking new user's first hour (issue 19): what a terminal shows in
``ADVISOR_LANG=ja`` stays Japanese, the lines found English by the s11 audit."""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli.test_waiting_cli import _on_a_terminal
from tests.conftest import REPO


def _japanese_terminal(**extra: str) -> dict[str, str]:
    return {**os.environ, "ADVISOR_LANG": "ja", "COLUMNS": "200", "TERM": "xterm", **extra}


def test_rag_index_draws_its_progress_in_japanese(isolated_state: Path) -> None:
    env = _japanese_terminal(ADVISOR_CHROMA__EMBEDDING_BACKEND="fake")
    knowledge = str(REPO / "scenarios" / "product-manual" / "knowledge")
    seen = _on_a_terminal("rag", "index", knowledge, "--kb", "manual", env=env)
    assert "インデックス作成中" in seen
    assert "残り" in seen  # the ETA column's word too
    assert "indexing" not in seen
    assert " eta " not in seen
