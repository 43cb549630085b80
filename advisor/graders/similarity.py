"""``text_similarity``: OpenAI's metrics, in plain Python (cosine uses a backend's embeddings).

The n-gram metrics follow their papers' sentence-level definitions on
lower-cased word tokens, the way ``rouge_score`` and NLTK tokenize:

* fuzzy_match: normalised similarity ratio of the two strings (0..1),
* bleu: BLEU-4 with brevity penalty and add-one smoothing for n > 1 (Lin & Och),
* gleu: Google-BLEU, min(precision, recall) over all 1..4-grams (Wu et al. 2016),
* meteor: exact-match METEOR (alpha 0.9, beta 3, gamma 0.5, as NLTK's defaults),
* rouge_1..rouge_5: F1 of n-gram overlap; rouge_l: F1 of the longest common subsequence,
* cosine: cosine similarity of the two texts' embeddings.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any, Literal

from advisor.graders.base import Grader, GraderSpec, Sample, render

if TYPE_CHECKING:
    from backends.base import Backend

Metric = Literal[
    "fuzzy_match",
    "bleu",
    "gleu",
    "meteor",
    "cosine",
    "rouge_1",
    "rouge_2",
    "rouge_3",
    "rouge_4",
    "rouge_5",
    "rouge_l",
]
_WORD = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _ngrams(words: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def fuzzy_match(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def bleu(candidate: str, reference: str, max_n: int = 4) -> float:
    cand, ref = tokens(candidate), tokens(reference)
    if not cand or not ref:
        return float(cand == ref)
    log_sum = 0.0
    for n in range(1, max_n + 1):
        c, r = _ngrams(cand, n), _ngrams(ref, n)
        overlap = sum((c & r).values())
        total = max(sum(c.values()), 0)
        if n == 1:
            if overlap == 0:
                return 0.0
            precision = overlap / total
        else:  # add-one smoothing keeps short sentences from scoring zero
            precision = (overlap + 1) / (total + 1)
        log_sum += math.log(precision) / max_n
    brevity = 1.0 if len(cand) > len(ref) else math.exp(1 - len(ref) / len(cand))
    return brevity * math.exp(log_sum)


def gleu(candidate: str, reference: str, max_n: int = 4) -> float:
    cand, ref = tokens(candidate), tokens(reference)
    overlap = cand_total = ref_total = 0
    for n in range(1, max_n + 1):
        c, r = _ngrams(cand, n), _ngrams(ref, n)
        overlap += sum((c & r).values())
        cand_total += sum(c.values())
        ref_total += sum(r.values())
    if cand_total == 0 or ref_total == 0:
        return float(cand == ref)
    return min(overlap / cand_total, overlap / ref_total)


def meteor(candidate: str, reference: str) -> float:
    cand, ref = tokens(candidate), tokens(reference)
    if not cand or not ref:
        return float(cand == ref)
    # Greedy left-to-right exact alignment; chunks are runs of adjacent matches.
    used: set[int] = set()
    alignment: list[tuple[int, int]] = []
    for i, word in enumerate(cand):
        for j, other in enumerate(ref):
            if j not in used and other == word:
                used.add(j)
                alignment.append((i, j))
                break
    matches = len(alignment)
    if matches == 0:
        return 0.0
    chunks = 1 + sum(
        1
        for (i1, j1), (i2, j2) in itertools.pairwise(alignment)
        if not (i2 == i1 + 1 and j2 == j1 + 1)
    )
    precision, recall = matches / len(cand), matches / len(ref)
    fmean = precision * recall / (0.9 * precision + 0.1 * recall)
    penalty = 0.5 * (chunks / matches) ** 3
    return fmean * (1 - penalty)


def rouge_n(candidate: str, reference: str, n: int) -> float:
    c, r = _ngrams(tokens(candidate), n), _ngrams(tokens(reference), n)
    overlap = sum((c & r).values())
    if overlap == 0:
        return float(not c and not r)
    precision, recall = overlap / sum(c.values()), overlap / sum(r.values())
    return 2 * precision * recall / (precision + recall)


def rouge_l(candidate: str, reference: str) -> float:
    cand, ref = tokens(candidate), tokens(reference)
    if not cand or not ref:
        return float(cand == ref)
    previous = [0] * (len(ref) + 1)
    for word in cand:
        current = [0]
        for j, other in enumerate(ref):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(cand), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


METRICS: dict[str, Callable[[str, str], float]] = {
    "fuzzy_match": fuzzy_match,
    "bleu": bleu,
    "gleu": gleu,
    "meteor": meteor,
    "rouge_l": rouge_l,
    **{f"rouge_{n}": functools.partial(rouge_n, n=n) for n in range(1, 6)},
}


class TextSimilaritySpec(GraderSpec):
    type: Literal["text_similarity"] = "text_similarity"
    input: str = "{{ sample.output_text }}"
    reference: str
    evaluation_metric: Metric = "fuzzy_match"
    embedding_model: str | None = None


class TextSimilarityGrader(Grader):
    type = "text_similarity"
    spec: TextSimilaritySpec
    default_threshold = 0.5

    def __init__(self, spec: TextSimilaritySpec, backend: Backend | None = None) -> None:
        super().__init__(spec)
        self._backend = backend

    def score(self, sample: Sample, item: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        text = render(self.spec.input, sample, item)
        reference = render(self.spec.reference, sample, item)
        metric = self.spec.evaluation_metric
        if metric == "cosine":
            value = self._cosine(text, reference)
        else:
            value = METRICS[metric](text, reference)
        return round(value, 6), {"metric": metric}

    def _cosine(self, a: str, b: str) -> float:
        if self._backend is None:
            from advisor.errors import GraderError

            raise GraderError.from_catalog(
                "core.graders.no_embedder",
                hint_key="core.graders.no_embedder_hint",
                name=repr(self.name),
            )
        result = self._backend.embed([a, b], model=self.spec.embedding_model)
        u, v = result.vectors
        dot = sum(x * y for x, y in zip(u, v, strict=True))
        norms = math.sqrt(sum(x * x for x in u)) * math.sqrt(sum(y * y for y in v))
        return max(0.0, dot / norms) if norms else 0.0
