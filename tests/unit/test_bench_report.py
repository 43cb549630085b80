"""Bench reports: every model output is escaped in HTML; results.json follows its schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pydantic import ValidationError

from advisor.bench.compare import compare_routes, decide
from advisor.bench.metrics import route_metrics
from advisor.bench.report import load_results, render_html, render_markdown, write_reports
from advisor.bench.schema import (
    SCHEMA_VERSION,
    BenchConfig,
    BenchResults,
    GradeRecord,
    Preparation,
    PromptRecord,
    RouteResult,
    SampleRecord,
    ScenarioInfo,
)
from tests.conftest import REPO

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)> & </pre>'
REQUIRED_METRICS = {
    "pass_rate",
    "pass_rate_ci",
    "consistency",
    "latency_p50_s",
    "latency_p95_s",
    "tokens_per_request",
    "cost_per_1k_usd",
}


def _route(name: str, texts: list[str], passed: list[bool]) -> RouteResult:
    samples = [
        SampleRecord(
            prompt_id=f"p{i}",
            repeat=0,
            text=text,
            passed=ok,
            grades={"g": GradeRecord(score=float(ok), passed=ok, aspect="format")},
            latency_s=0.5,
            prompt_tokens=10,
            completion_tokens=5,
        )
        for i, (text, ok) in enumerate(zip(texts, passed, strict=True))
    ]
    return RouteResult(
        route=name,
        backend="fake",
        model="fake-model",
        status="ok",
        preparation=Preparation(kind="none"),
        metrics=route_metrics(samples),
        samples=samples,
    )


def _results() -> BenchResults:
    routes = {
        "system_prompt": _route("system_prompt", [MARKUP, "plain"], [False, True]),
        "sft": _route("sft", ["ok", "fine"], [True, True]),
        "rag": RouteResult(
            route="rag",
            backend="fake",
            model="fake-model",
            status="skipped",
            error="no <documents>",
            preparation=Preparation(kind="none"),
        ),
    }
    comparisons = compare_routes(routes, repeats=1)
    return BenchResults(
        tool_version="0",
        created_at="2026-01-01T00:00:00+00:00",
        duration_s=1.0,
        scenario=ScenarioInfo(name="s", title="Title <b>bold</b>", kind="format"),
        config=BenchConfig(
            backend="fake",
            model="fake-model",
            routes=list(routes),
            repeats=1,
            temperature=0.0,
            max_examples=None,
            max_tokens=64,
            use_cache=True,
        ),
        prompts=[
            PromptRecord(id="p0", prompt="<p>question</p>"),
            PromptRecord(id="p1", prompt="q"),
        ],
        routes=routes,
        comparisons=comparisons,
        verdict=decide(routes, comparisons, recommended="sft"),
        notes=["note with <tag>"],
    )


def test_html_escapes_every_model_output_and_is_self_contained() -> None:
    page = render_html(_results())
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;/pre&gt;" in page
    assert "Title &lt;b&gt;bold&lt;/b&gt;" in page
    assert "&lt;p&gt;question&lt;/p&gt;" in page
    assert "no &lt;documents&gt;" in page and "note with &lt;tag&gt;" in page
    # No external resources: no src/href attributes and no scripts at all.
    assert not re.search(r"\b(src|href)\s*=", page.replace("src=x", ""))
    assert page.count("<svg") == 3  # pass rate, consistency, cost against quality
    for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S):
        ElementTree.fromstring(svg)  # well-formed XML, so browsers draw it as written


def test_markdown_fences_cannot_be_broken_by_an_answer() -> None:
    results = _results()
    results.routes["sft"].samples[0].text = "```\n# injected heading"
    text = render_markdown(results)
    assert "'''\n# injected heading" in text
    assert "| sft |" in text


def test_results_json_round_trips_and_validates(tmp_path: Path) -> None:
    paths = write_reports(_results(), tmp_path / "out")
    data = json.loads(paths["json"].read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    for name in ("system_prompt", "sft"):
        assert set(data["routes"][name]["metrics"]) >= REQUIRED_METRICS
    assert data["routes"]["rag"]["metrics"] is None
    assert load_results(paths["json"]).verdict.best == "sft"
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(paths["schema"].read_text())
    jsonschema.validate(data, schema)
    broken = json.loads(paths["json"].read_text())
    del broken["routes"]["sft"]["metrics"]["pass_rate"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_invalid_results_are_rejected(tmp_path: Path) -> None:
    path = write_reports(_results(), tmp_path)["json"]
    data = json.loads(path.read_text())
    data["routes"]["sft"]["metrics"]["pass_rate_ci"] = "wide"
    path.write_text(json.dumps(data))
    with pytest.raises(ValidationError):
        load_results(path)
    data["routes"]["sft"]["metrics"]["pass_rate_ci"] = [0.1, 0.9]
    del data["verdict"]
    path.write_text(json.dumps(data))
    with pytest.raises(ValidationError):
        load_results(path)
    # A later minor version may add fields; this reader ignores them.
    data = json.loads(write_reports(_results(), tmp_path)["json"].read_text())
    data["added_in_1_1"] = True
    path.write_text(json.dumps(data))
    assert load_results(path).schema_version == SCHEMA_VERSION


def test_markdown_has_no_raw_html_outside_code() -> None:
    text = render_markdown(_results())
    outside_code = re.sub(r"```text\n.*?\n```", "", text, flags=re.S)
    assert "<" not in outside_code
    assert "Title &lt;b&gt;bold&lt;/b&gt;" in text


@pytest.mark.parametrize(
    "results", sorted((REPO / "docs" / "examples").rglob("bench-*/results.json")), ids=str
)
def test_published_example_reports_match_the_schema(results):
    """The reports linked from docs/benchmarks.md are what the current schema describes."""
    parsed = BenchResults.model_validate_json(results.read_text(encoding="utf-8"))
    # Same major version as this code writes: minor versions only add optional fields.
    assert parsed.schema_version.split(".")[0] == SCHEMA_VERSION.split(".")[0]
    assert load_results(results).routes
    assert parsed.routes
