"""The Markdown brief, the terminal text and the generated docs/criteria.md."""

from __future__ import annotations

import re

import pytest

from advisor.criteria import assess, load_answers, load_catalog, render_markdown, render_text
from advisor.criteria.docgen import COMMAND, generate
from tests.conftest import REPO

EXAMPLE = REPO / "examples/answers/knowledge_plus_style.yaml"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_docs_are_up_to_date() -> None:
    committed = (REPO / "docs/criteria.md").read_text(encoding="utf-8")
    assert committed == generate(), f"docs/criteria.md is out of date: run `{COMMAND}`"


def test_docs_state_every_weight_and_its_reasoning() -> None:
    doc = generate()
    catalog = load_catalog()
    for crit in catalog.criteria:
        assert f"### `{crit.id}`" in doc
        assert crit.rationale.en in doc
    for question in catalog.questions:
        assert f"### `{question.id}`" in doc
    for source in catalog.sources:
        assert source.text.en in doc


def test_markdown_brief_sections_in_english() -> None:
    result = assess(load_answers(EXAMPLE))
    brief = render_markdown(result)
    assert brief.startswith("# Route recommendation: RAG (retrieval) + Fine-tuning: SFT")
    for heading in ("## Why", "## Routes compared", "## What would change the answer"):
        assert heading in brief
    assert "## Next steps" in brief
    assert "| **RAG (retrieval)** |" in brief
    # Every route appears once in the table.
    assert sum(line.startswith("| ") for line in brief.splitlines()) == 1 + 6
    # One page: short enough to print.
    assert len(brief.splitlines()) < 70


@pytest.mark.parametrize("renderer", [render_markdown, render_text])
def test_japanese_rendering_has_no_english_prose(renderer: object) -> None:
    result = assess(load_answers(EXAMPLE), lang="ja")
    text = renderer(result)  # type: ignore[operator]
    catalog = load_catalog()
    english = [m.en for key, m in catalog.messages.items() if len(m.en) > 3 and key != "points"]
    english += [c.text.en for c in catalog.criteria]
    english += [q.label.en for q in catalog.questions]
    for phrase in english:
        assert phrase.split("{")[0] not in text or not phrase.split("{")[0].strip(), phrase
    for line in text.splitlines():
        if re.search(r"[A-Za-z]{4,}", line) and not line.startswith(("|---", "---")):
            # Only names may be Latin: route codes, ids in brackets, command names.
            assert JAPANESE.search(line), line


def test_text_output_itemizes_every_reason() -> None:
    result = assess(load_answers(EXAMPLE))
    text = render_text(result)
    for route in result.routes:
        for reason in route.reasons:
            assert f"{reason.criterion}: {reason.text}" in text
        for gate in route.gates:
            assert gate.gate in text


@pytest.mark.parametrize(
    "example",
    sorted(p.name for p in (REPO / "examples/answers").iterdir()),
)
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_reasons_in_why_add_up_to_the_score(example: str, lang: str) -> None:
    # Issue 19: all_fine_tuning.yaml scored 17 while "Why" listed 16 (six of seven reasons).
    result = assess(load_answers(REPO / "examples/answers" / example), lang=lang)
    primary = result.route(result.recommendation.primary)
    brief = render_markdown(result)
    why = brief.split("\n## ", 2)[1]
    points = [float(n) for n in re.findall(r"^- \*\*([+-][0-9.]+)\*\*", why, flags=re.M)]
    assert sum(points) == pytest.approx(primary.score), why


def test_reasons_beyond_the_cap_are_summed_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from advisor.criteria import render

    monkeypatch.setattr(render, "_MAX_WHY", 4)
    result = assess(load_answers(REPO / "examples/answers/all_fine_tuning.yaml"))
    why = render_markdown(result).split("\n## ", 2)[1]
    points = [float(n) for n in re.findall(r"^- \*\*([+-][0-9.]+)\*\*", why, flags=re.M)]
    assert len(points) == 5
    assert "from 3 smaller reasons" in why
    assert sum(points) == result.route(result.recommendation.primary).score
