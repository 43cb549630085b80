"""The bench report's words in either language (``advisor/bench/report_strings.yaml``).

The report composes its headings, table heads, labels and notes from the catalog.
Some sentences come from the core already written, in English, in results.json
(a skipped route's reason, a preparation or cost note, the plan's power note, the
plan's bases before results.json 1.6 stored their sentences): JSON never changes with
the language, so :func:`stored` finds such a sentence again by its English template
and gives the Japanese one.  A sentence no template
matches (a model's or a library's error, a note from an older release) stays as
written.
"""

from __future__ import annotations

from typing import Any

from advisor import messages
from advisor.bench.schema import RouteResult

# Font names only (no download), shared with the decision report: browsers and the PDF
# engine pick them from the system; scripts/install.sh installs IPAGothic for Japanese.
FONTS = '"DejaVu Sans", "IPAGothic", "IPAPGothic", "Noto Sans CJK JP", sans-serif'

# Most specific first: "{model} prices as of {date}" would also match the fine-tuned one.
STORED = (
    "bench_report.stored.no_knowledge",
    "bench_report.stored.no_examples",
    "bench_report.stored.no_training_file",
    "bench_report.stored.cannot_tune",
    "bench_report.stored.reused",
    "bench_report.stored.local_cost",
    "bench_report.stored.no_price",
    "bench_report.stored.ft_prices",
    "bench_report.stored.prices",
    "bench_report.stored.power",
    "bench_report.stored.grader_failed",
    "bench_report.stored.no_embeddings",
    "bench_report.stored.no_embedding_model",
    "bench_report.stored.nothing_to_prepare",  # the plan's bases (terminal only)
    "bench_report.stored.simulated",
    "bench_report.stored.plan_training_near_loaded_measured",
    "bench_report.stored.plan_training_loaded_measured",
    "bench_report.stored.plan_training_near_loaded_assumed",
    "bench_report.stored.plan_training_loaded_assumed",
    "bench_report.stored.plan_training_near_loaded",
    "bench_report.stored.plan_training_loaded",
    "bench_report.stored.plan_training_near",
    "bench_report.stored.plan_training",
    "bench_report.stored.plan_reuses",
    "bench_report.stored.plan_provider_unknown",
    "bench_report.stored.plan_not_calibrated",
    "bench_report.stored.plan_unmeasurable",
    "bench_report.stored.plan_indexing",
    "bench_report.stored.plan_indexing_unknown",
    "bench_report.stored.plan_answers",
    "bench_report.stored.plan_answers_not_calibrated",
    "bench_report.stored.plan_answers_unknown",
    "bench_report.stored.plan_answers_range",
    "bench_report.stored.plan_prompts",
    "bench_report.stored.plan_prompts_not_calibrated",
    "bench_report.stored.plan_adapter",
    "bench_report.stored.plan_adapter_not_measured",
    "bench_report.stored.plan_adapter_not_measurable",
)


class Words:
    """``w("col.route")``: the report's word ``bench_report.<key>`` in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = "ja" if lang == "ja" else "en"

    def __call__(self, key: str, **values: Any) -> str:
        return messages.text(f"bench_report.{key}", self.lang, **values)

    def stored(self, sentence: str | None) -> str:
        """A sentence the core stored in English, in this language when it is a known one."""
        return stored(sentence or "", self.lang)


def stored(sentence: str, lang: str) -> str:
    """``sentence`` (English, from results.json) in ``lang``; unchanged when unknown."""
    return messages.recognised(sentence, STORED, lang)


def _parts(sentence: str) -> list[str]:
    """``sentence`` split at its ``"; "``; a ``;`` inside parentheses belongs to its part."""
    parts: list[str] = []
    depth = start = 0
    for i, char in enumerate(sentence):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and sentence.startswith("; ", i):
            parts.append(sentence[start:i])
            start = i + 2
    parts.append(sentence[start:])
    return parts


def stored_parts(sentence: str, lang: str) -> str:
    """Stored sentences joined by ``"; "`` (a plan's basis: one per training step, then
    indexing), each in ``lang`` (found again by its English template)."""
    if lang != "ja":
        return sentence
    return "; ".join(stored(part, lang) for part in _parts(sentence))


def basis_parts(english: str, sentences: list[messages.StoredSentence], lang: str) -> str:
    """A plan's basis in ``lang``: its stored sentences rendered (results.json 1.6), else
    (an older file) its English parts found again by their templates.

    English is the basis as stored.  A sentence this release cannot say stands as its
    English part, found again by its template where the parts line up.
    """
    if lang != "ja" or not sentences:
        return stored_parts(english, lang)
    written = _parts(english)
    aligned = len(written) == len(sentences)
    said: list[str] = []
    for i, sentence in enumerate(sentences):
        rendered = sentence.render(lang)
        if rendered is None:
            if not aligned:
                return stored_parts(english, lang)
            rendered = stored(written[i], lang)
        said.append(rendered)
    return "; ".join(said)


def route_error(r: RouteResult, lang: str, missing: str = "") -> str:
    """Why a route did not run, in ``lang`` (``missing`` when nothing was stored).

    A failed route's error as the product worded it: its catalog sentence (results.json
    1.4), else its Japanese as stored (1.3); an older file, or a library's error, is found
    again by its English or left as it is.
    """
    w = Words(lang)
    return messages.stored_text(r.error_sentence, w.stored(r.error or missing), r.error_ja, w.lang)


def route_status(r: RouteResult, lang: str) -> str:
    """``skipped: <reason>`` of a route that did not run, in ``lang`` (report and terminal)."""
    w = Words(lang)
    error = route_error(r, lang, "None")
    return w("route_status", status=w(f"status.{r.status}"), error=error)
