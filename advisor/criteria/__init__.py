"""The advisor: selection criteria, interview, transparent scoring and recommendation.

The public API (the CLI, the wizard and the benchmarks build on it)::

    from advisor.criteria import load_catalog, load_answers, assess, render_markdown

    assessment = assess(load_answers("answers.yaml"), lang="ja")
    print(render_markdown(assessment))

Everything here is headless and pure apart from reading the packaged catalog
and the answers file.
"""

from advisor.criteria.answers import Answers, load_answers
from advisor.criteria.catalog import Catalog, Question, Route, load_catalog
from advisor.criteria.render import answers_template, render_markdown, render_text
from advisor.criteria.result import Assessment, Flip, Reason, Recommendation, RouteScore
from advisor.criteria.scoring import assess

__all__ = [
    "Answers",
    "Assessment",
    "Catalog",
    "Flip",
    "Question",
    "Reason",
    "Recommendation",
    "Route",
    "RouteScore",
    "answers_template",
    "assess",
    "load_answers",
    "load_catalog",
    "render_markdown",
    "render_text",
]
