"""Where the words matter: the embedded local model answers from a retrieved chunk."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.rag import KnowledgeBase
from advisor.registry import get_backend
from advisor.routes import RagRoute
from advisor.settings import Settings
from backends.types import GenerationParams

pytestmark = pytest.mark.slow


def test_local_model_answers_with_the_fact_from_the_knowledge_base(
    settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "office.md").write_text(
        "# Office\n\nThe office wifi password is PURPLE-OTTER-42.\n", encoding="utf-8"
    )
    (tmp_path / "lunch.md").write_text(
        "# Lunch\n\nLunch is served at noon in the garden.\n", encoding="utf-8"
    )
    KnowledgeBase("office", settings).index([tmp_path])
    route = RagRoute(get_backend("local", settings), None, "office", settings, k=1)
    answer = route.answer(
        "What is the office wifi password? Reply with the password only.",
        GenerationParams(max_tokens=24),
    )
    assert answer.sources[0].source.endswith("office.md")
    # Greedy decoding: the 135M model copies the password out of source [1].
    assert "PURPLE-OTTER" in answer.text.upper().replace(" ", "")
    assert answer.backend == "local" and answer.usage.completion_tokens > 0
