"""text_similarity metrics: known values and ordering."""

from __future__ import annotations

import pytest

from advisor.graders import Sample, load_grader
from advisor.graders.similarity import bleu, fuzzy_match, gleu, meteor, rouge_l, rouge_n
from backends.fake import FakeBackend

REFERENCE = "the cat is on the mat"


@pytest.mark.parametrize(
    "metric",
    [
        "fuzzy_match",
        "bleu",
        "gleu",
        "meteor",
        "rouge_1",
        "rouge_2",
        "rouge_3",
        "rouge_4",
        "rouge_5",
        "rouge_l",
    ],
)
def test_identical_text_scores_one_and_closer_text_scores_higher(metric: str):
    spec = {
        "type": "text_similarity",
        "name": metric,
        "reference": "{{ item.ref }}",
        "evaluation_metric": metric,
        "pass_threshold": 0.5,
    }
    grader = load_grader(spec)
    item = {"ref": REFERENCE}
    same = grader.grade(Sample(output_text=REFERENCE), item).score
    near = grader.grade(Sample(output_text="look, the cat is on the mat"), item).score
    far = grader.grade(Sample(output_text="quantum chromodynamics lectures"), item).score
    assert same == pytest.approx(1.0, abs=0.01)  # METEOR keeps a tiny fragmentation penalty
    assert far < near <= same
    assert far < 0.5


def test_rouge_and_lcs_values_match_hand_computation():
    # 5 of 6 unigrams shared: P = R = 5/6
    assert rouge_n("the cat sat on the mat", REFERENCE, 1) == pytest.approx(5 / 6)
    # bigrams: shared "the cat", "on the", "the mat" = 3 of 5
    assert rouge_n("the cat sat on the mat", REFERENCE, 2) == pytest.approx(3 / 5)
    assert rouge_l("the cat sat on the mat", REFERENCE) == pytest.approx(5 / 6)


def test_bleu_gleu_meteor_edges():
    assert bleu("", "") == 1.0
    assert bleu("completely different", REFERENCE) == 0.0
    assert gleu("the cat", "the cat") == 1.0
    assert 0 < meteor("mat the on cat", REFERENCE) < meteor("the cat on the mat", REFERENCE)
    assert fuzzy_match("abc", "abd") == pytest.approx(2 / 3)


def test_cosine_uses_the_backend_embeddings(settings):
    spec = {"type": "text_similarity", "reference": "{{ item.ref }}", "evaluation_metric": "cosine"}
    grader = load_grader(spec, backend=FakeBackend(settings))
    close = grader.grade(Sample(output_text="the cat is on the mat today"), {"ref": REFERENCE})
    far = grader.grade(Sample(output_text="stock prices fell sharply"), {"ref": REFERENCE})
    assert close.score > far.score
    assert close.details["metric"] == "cosine"
