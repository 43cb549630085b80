"""The bench report in the language of the switch; the English one unchanged (issue 14).

``tests/fixtures/bench/report/results.json`` is a run of the ``tiny`` fixture on the
fake backend (seven routes: one skipped, a minimal-prompt route, reused training
jobs); ``report.en.md`` and ``report.en.html`` were rendered from it by the report
code as it was before the report spoke Japanese.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from advisor import messages
from advisor.bench.report import (
    HTML_COLUMNS,
    MD_COLUMNS,
    load_results,
    render_html,
    render_markdown,
    write_reports,
)
from advisor.bench.report_i18n import FONTS, STORED, stored
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "fixtures" / "bench" / "report"


def _fixture() -> Path:
    return GOLDEN / "results.json"


def test_the_english_report_is_byte_identical_to_the_one_before() -> None:
    results = load_results(_fixture())
    assert render_markdown(results) == (GOLDEN / "report.en.md").read_text("utf-8")
    assert render_html(results) == (GOLDEN / "report.en.html").read_text("utf-8")
    assert render_markdown(results, "en") == render_markdown(results)


# --- Japanese -------------------------------------------------------------------------

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Words the report composes (headings, heads, labels): none may be left English in Japanese.
COMPOSED = ("bench_report.h.", "bench_report.col.", "bench_report.cmp.col.", "bench_report.chart.")


def _english_words() -> set[str]:
    """The English text of every composed word that Japanese writes differently."""
    return {
        m.en
        for key, m in messages.catalog().items()
        if key.startswith(COMPOSED) and m.en != m.ja and not messages.placeholders(m.en)
    }


def _html_labels(page: str) -> set[str]:
    """The text of every heading, table head and chart label of a page (tags dropped)."""
    found = re.findall(r"<(h1|h2|th|text|title)\b[^>]*>(.*?)</\1>", page, flags=re.S)
    return {html.unescape(re.sub(r"<[^>]+>", "", inner)).strip() for _, inner in found}


def test_the_japanese_page_is_japanese_with_a_font_stack_for_it() -> None:
    results = load_results(_fixture())
    page = render_html(results, "ja")
    assert page.startswith("<!DOCTYPE html><html lang='ja'>")
    assert FONTS in page and "IPAGothic" in page  # the decision report's stack
    labels = _html_labels(page)
    assert {"ベンチマーク: Tiny <b>bench</b> fixture", "結果", "対応のある比較", "注記"} <= labels
    assert {"ルート", "合格率（95% 信頼区間）", "合格率と 95% 区間", "費用と品質"} <= labels
    assert not labels & _english_words(), labels & _english_words()
    assert "シナリオ <code>tiny</code>（rules、en）" in page
    assert "<span class='pass'>合格</span>" in page
    # Data stays as it is: route ids, model ids, answers, prompts.
    assert "<code>fake-model</code>" in page and "fake reply: Can I get a refund" in page
    assert render_html(results).startswith("<!DOCTYPE html><html lang='en'>")


def test_the_japanese_markdown_has_no_english_heading_or_table_head() -> None:
    text = render_markdown(load_results(_fixture()), "ja")
    heads = [line for line in text.splitlines() if line.startswith(("#", "| route", "| A vs"))]
    assert "# ベンチマーク: Tiny &lt;b&gt;bench&lt;/b&gt; fixture" in heads
    assert {"## 判定", "## 結果", "## 対応のある比較", "## 注記", "## 回答の例"} <= set(heads)
    table_heads = [line for line in text.splitlines() if line.startswith("| ルート |")]
    assert len(table_heads) == 1
    english = _english_words()
    for line in text.splitlines():
        if line.startswith("#") or line.startswith("| ルート") or line.startswith("| A 対 B"):
            cells = {c.strip() for c in line.strip("|# ").split("|")}
            assert not cells & english, line
    assert "- `--fail-under` で判定するルート: `system_prompt`（50%）。" in text
    assert "**rag**（合格）:" in text


def test_the_sentences_the_core_stored_in_english_read_in_japanese() -> None:
    text = render_markdown(load_results(_fixture()), "ja")
    assert "- `dpo` スキップ: シナリオに dpo の学習ファイルがありません" in text
    assert "sft: 完了済みのジョブ ftjob-3370d9b9e3d34d55b1a79aec を再利用しました" in text
    assert "費用: ローカルバックエンド: リクエストごとの料金はかかりません" in text
    assert "4 件のプロンプトを独立とみなした値" in text
    assert "最小プロンプト: sft_short はリクエストあたり 14 トークン" in text
    for english in ("training file", "reused finished job", "per-request", "z-test", "minimal"):
        assert english not in text, english


def test_the_stored_templates_match_what_the_core_writes() -> None:
    from advisor.bench.pricing import LOCAL_NOTE

    assert stored(LOCAL_NOTE, "ja") != LOCAL_NOTE
    for english in (
        "the scenario has no knowledge documents",
        "the scenario has no sft training file to draw examples from",
        "the fake backend cannot fine-tune with rft",
        "fine-tuned gpt-4.1-mini prices as of 2026-01-01",
        "gpt-4.1-mini prices as of 2026-01-01",
        "grader g failed on p1: bad pattern",
        "the fake backend has no embeddings: similarity not measured",
    ):
        assert JAPANESE.search(stored(english, "ja")), english
        assert stored(english, "en") == english
    assert stored("fine-tuned m prices as of d", "ja").startswith("ファインチューニング済み m")
    assert stored("a model's own error", "ja") == "a model's own error"  # unknown: as written


def test_the_no_price_cost_note_reads_in_japanese() -> None:
    from advisor.bench.metrics import NO_PRICE_NOTE

    results = load_results(_fixture())
    route = next(r for r in results.routes.values() if r.metrics is not None)
    assert route.metrics is not None
    route.metrics.cost_note = NO_PRICE_NOTE
    japanese = render_markdown(results, "ja")
    assert "費用: このモデルの料金は不明です" in japanese
    assert NO_PRICE_NOTE not in japanese
    assert NO_PRICE_NOTE in render_markdown(results, "en")  # English as before
    assert stored(NO_PRICE_NOTE, "en") == NO_PRICE_NOTE


def test_every_report_word_has_both_languages_with_the_same_placeholders() -> None:
    words = {k: m for k, m in messages.catalog().items() if k.startswith("bench_report.")}
    assert len(words) > 60
    for key, message in words.items():
        assert message.en.strip() and message.ja.strip(), key
        assert messages.placeholders(message.en) == messages.placeholders(message.ja), key
    assert set(STORED) <= set(words)
    used = set(re.findall(r"""w\(\s*f?["']([a-z_.]+)["']""", _sources()))
    used |= {f"col.{k}" for k in (*MD_COLUMNS, *HTML_COLUMNS)}
    assert used and {f"bench_report.{k}" for k in used if not k.endswith(".")} <= set(words)


def _sources() -> str:
    bench = REPO / "advisor" / "bench"
    names = ("report.py", "report_charts.py", "report_notes.py")
    return "\n".join((bench / n).read_text("utf-8") for n in names)


def test_a_report_renders_again_from_results_json_in_the_other_language(tmp_path: Path) -> None:
    results = load_results(_fixture())
    paths = write_reports(results, tmp_path / "ja", "ja")
    again = write_reports(load_results(paths["json"]), tmp_path / "en", "en")
    assert again["markdown"].read_text("utf-8") == (GOLDEN / "report.en.md").read_text("utf-8")
    assert paths["json"].read_text("utf-8") == again["json"].read_text("utf-8")
    assert "<html lang='ja'>" in paths["html"].read_text("utf-8")


def test_the_decision_report_names_a_skipped_route_in_its_language() -> None:
    from advisor.criteria import Answers
    from advisor.decision_report import build_bundle
    from advisor.decision_report import render_html as decision_html

    answers = Answers({"strict_format": True, "example_count": 150, "has_grader": True})
    results = load_results(_fixture())
    ja = decision_html(build_bundle(answers, lang="ja", results=[results]))
    en = decision_html(build_bundle(answers, lang="en", results=[results]))
    assert "シナリオに dpo の学習ファイルがありません" in ja
    assert "the scenario has no dpo training file" in en
    assert "the scenario has no dpo training file" not in ja
