"""Growing the training set with real parts: the local model as teacher, a real knowledge base."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from advisor.app.grow import GrowRequest, plan_grow, run_grow
from advisor.app.grow_sources import load_prompts
from advisor.data.checks import check_record
from advisor.data.drafts import Draft, user_text
from advisor.data.near_dup import NearDuplicateIndex
from advisor.rag import KnowledgeBase
from advisor.settings import Settings
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow

GROW = FIXTURES / "grow"
DOCS = FIXTURES / "rag" / "docs"


def _drafts(path: Path) -> list[Draft]:
    return [Draft.model_validate(orjson.loads(line)) for line in path.read_bytes().splitlines()]


def test_local_model_drafts_a_few_examples_that_repeat_no_test_prompt(
    settings: Settings, tmp_path: Path
) -> None:
    train = tmp_path / "train.jsonl"
    train.write_bytes(b"".join((GROW / "train20.jsonl").read_bytes().splitlines(True)[:3]))
    request = GrowRequest(
        train=train,
        out=tmp_path / "drafts.jsonl",
        docs=str(DOCS / "returns.md"),
        test=GROW / "test.jsonl",
        count=3,
        backend="local",
        max_tokens=24,
    )
    summary = run_grow(plan_grow(request, settings))
    assert summary.drafted == 3 and summary.teacher.startswith("local:")
    drafts = _drafts(request.out)
    assert len(drafts) == 3
    examples = [{k: v for k, v in d.record().items() if k != "draft"} for d in drafts]
    assert all(check_record(example, "sft").errors == [] for example in examples)
    assert all(d.messages[-1]["role"] == "assistant" and d.messages[-1]["content"] for d in drafts)
    index = NearDuplicateIndex()
    for line, prompt in load_prompts(GROW / "test.jsonl") + load_prompts(train):
        index.add(prompt, str(line))
    assert all(index.find(user_text(d.messages)) is None for d in drafts)


def test_questions_are_drafted_from_a_knowledge_base_by_name(
    settings: Settings, tmp_path: Path
) -> None:
    KnowledgeBase("policies", settings).index([DOCS / "returns.md"])
    request = GrowRequest(
        train=GROW / "train20.jsonl",
        out=tmp_path / "drafts.jsonl",
        docs="policies",
        count=25,
        backend="fake",
    )
    summary = run_grow(plan_grow(request, settings))
    assert summary.by_origin["document"] > 0
    sources = {d.draft.source for d in _drafts(request.out) if d.draft.origin == "document"}
    assert all(s.split("#")[0].endswith("returns.md") for s in sources)
    assert any(s.endswith("#0") for s in sources)
