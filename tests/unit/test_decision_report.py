"""The decision report's core: strings catalog, escaping, offline HTML, charts, bundle."""

from __future__ import annotations

import re
import string
from html import escape
from typing import Literal

import pytest

from advisor.bench.results_io import read_results
from advisor.bench.schema import BenchResults
from advisor.criteria import Answers, assess, load_answers, load_catalog
from advisor.decision_report import CostSettings, build_bundle, render_html
from advisor.decision_report.charts import cost_chart, pass_rate_chart
from advisor.decision_report.strings import LANGS, catalog
from tests.conftest import FIXTURES

RESULTS = FIXTURES / "bench/examples/bench-invoice-total/results.json"
ANSWERS = {"strict_format": True, "example_count": 150, "has_grader": True}
Lang = Literal["en", "ja"]
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_string_has_english_and_japanese_with_the_same_placeholders() -> None:
    strings = catalog()
    assert len(strings) > 50
    for key, texts in strings.items():
        assert isinstance(key, str), f"{key!r}: a YAML 1.1 boolean key (quote it)"
        assert set(texts) == set(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), key
        assert _fields(texts["en"]) == _fields(texts["ja"]), key


def _results() -> BenchResults:
    return read_results(RESULTS)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_page_declares_its_language_and_references_nothing_outside(lang: Lang) -> None:
    html = render_html(build_bundle(Answers(ANSWERS), lang=lang, results=[_results()]))
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in html
    # No attribute, stylesheet or import may load anything (URLs in text are fine).
    assert not re.search(r"""(src|href|xlink:href|action)\s*=""", html, re.I)
    assert not re.search(r"url\(|@import|<script|<link|<iframe|<object|<embed", html, re.I)
    for section in ("summary", "score", "evidence", "benchmark", "cost", "risks"):
        assert f'id="{section}"' in html
    assert html.count("<svg") == 2  # pass rate and cumulative cost


def test_english_and_japanese_pages_differ_in_their_words() -> None:
    en = render_html(build_bundle(Answers(ANSWERS), lang="en", results=[_results()]))
    ja = render_html(build_bundle(Answers(ANSWERS), lang="ja", results=[_results()]))
    assert "The benchmark verdict" in en and "ベンチマークの結論" not in en
    assert "ベンチマークの結論" in ja and "The benchmark verdict" not in ja


def test_markup_in_answers_titles_and_model_output_is_escaped() -> None:
    results = _results()
    results.scenario.title = PAYLOAD
    sft = results.routes["sft"]
    for sample in sft.samples:
        sample.text = PAYLOAD
    results.prompts[0].prompt = PAYLOAD
    html = render_html(build_bundle(Answers(ANSWERS), results=[results], subject=PAYLOAD))
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_each_rule_names_its_source_and_the_sources_are_quoted(lang: Lang) -> None:
    html = render_html(build_bundle(Answers(ANSWERS), lang=lang))
    catalog = load_catalog()
    assessment = assess(Answers(ANSWERS), lang=lang)
    primary = assessment.route(assessment.recommendation.primary)
    source = catalog.source(
        next(c.source for c in catalog.criteria if c.id == primary.reasons[0].criterion)
    )
    assert f"[1] {escape(source.origin)}" in html
    assert escape(getattr(source.text, lang)) in html


def test_the_verdict_intervals_and_samples_are_shown() -> None:
    html = render_html(build_bundle(Answers(ANSWERS), results=[_results()]))
    assert '<span class="badge confirmed">confirmed</span>' in html  # sft beats system_prompt
    assert "91%–100%" in html  # sft's Wilson interval
    assert "Sample answers side by side" in html
    assert html.count('class="samples"') == 3


def test_the_cost_section_follows_the_price_model_and_names_the_crossover() -> None:
    cost = CostSettings(volume_per_month=10_000, months=6, price_model="gpt-4.1-mini")
    bundle = build_bundle(Answers(ANSWERS), results=[_results()], cost=cost)
    routes = bundle.benches[0].cost.routes
    assert set(routes) == {"system_prompt", "sft"}
    assert all(len(r.cumulative_usd) == 6 for r in routes.values())
    html = render_html(bundle)
    assert "Priced as gpt-4.1-mini" in html
    assert "sft against system_prompt" in html
    assert 'stroke-dasharray="5,4"' in html  # the break-even month on the chart
    assert "sft = system_prompt" in html


def test_without_results_the_report_says_how_to_get_them() -> None:
    html = render_html(build_bundle(Answers(ANSWERS), lang="en"))
    assert "advisor report --results FILE" in html
    assert "<svg" not in html


def test_a_closing_provider_path_is_a_named_risk() -> None:
    answers = {**ANSWERS, "provider": "openai", "horizon_months": 36}
    html = render_html(build_bundle(Answers(answers), lang="en"))
    assert "takes no new jobs" in html or "is retired" in html
    assert "Azure OpenAI" in html


def test_the_cost_chart_draws_one_line_per_route_and_escapes_labels() -> None:
    svg = cost_chart("t", {"a": [1.0, 2.0], PAYLOAD: [0.5, 3.0]}, "month")
    assert svg.count("<polyline") == 2
    assert "<script" not in svg
    bars = pass_rate_chart("t", [("a", 0.5, (0.3, 0.7)), ("b", 1.0, (0.9, 1.0))])
    assert bars.count("<rect") == 3  # the background and two bars


def test_the_evidence_table_words_the_answers_in_the_reports_language() -> None:
    from advisor.evidence import gather

    planted = FIXTURES / "evidence/planted"
    stated = dict(load_answers(planted / "answers.yaml").root)
    found = gather(planted, stated)
    ja = render_html(build_bundle(Answers(stated), lang="ja", evidence=found))
    section = ja[ja.index('id="evidence"') :]
    section = section[: section.index("</section>")]
    assert "<td>自動採点</td><td>はい</td><td>いいえ" in section
    assert "<td>参照する知識の量</td><td>多い（大量の文書）</td><td>少ない（文書数件）" in section
    assert "回答は「いいえ」ですが、ファイルでは「はい」です" in section  # the warning too
    for raw in ("True", "False", "has_grader", "large"):
        assert raw not in section
    en = render_html(build_bundle(Answers(stated), lang="en", evidence=found))
    assert "<td>Automatic grader</td><td>yes</td><td>no" in en
