"""Near-duplicate prompts (advisor.data.near_dup): exact, near, Japanese, different."""

from __future__ import annotations

import pytest

from advisor.data.near_dup import (
    DEFAULT_THRESHOLD,
    NearDuplicateIndex,
    is_japanese,
    jaccard,
    normalise,
    shingles,
)

PROMPT = "How do I reset my password on the company laptop today?"
JA = "返品は購入後三十日以内に受け付けています。"


def _index(*texts: str) -> NearDuplicateIndex:
    index = NearDuplicateIndex()
    for n, text in enumerate(texts, start=1):
        index.add(text, f"train line {n}")
    return index


def test_exact_duplicate_after_case_space_and_punctuation_folding():
    match = _index("Other prompt entirely", PROMPT).find(
        "  how do I reset my PASSWORD on the company laptop today "
    )
    assert match is not None
    assert (match.label, match.similarity, match.exact) == ("train line 2", 1.0, True)


def test_full_width_text_is_the_same_text():
    assert normalise("ＡＢＣ１２３？") == normalise("abc123")


@pytest.mark.parametrize(
    "edited",
    [
        "How do I reset my password on the company tablet today?",  # one word changed
        "How can I reset my password on the company laptop today?",
        "How do I reset my passwrd on the company laptop today?",  # a typo
    ],
)
def test_small_edits_are_near_duplicates(edited):
    match = _index(PROMPT).find(edited)
    assert match is not None and not match.exact
    assert DEFAULT_THRESHOLD <= match.similarity < 1.0


def test_japanese_is_shingled_by_characters_without_spaces():
    assert is_japanese(JA) and not is_japanese(PROMPT)
    grams = shingles("返品 は 可能")
    assert grams == {"返品は", "品は可", "は可能"}  # spaces removed, character 3-grams


def test_japanese_near_duplicate_with_one_particle_changed():
    match = _index(JA).find("返品は購入後三十日以内で受け付けています。")
    assert match is not None and not match.exact
    assert match.similarity >= DEFAULT_THRESHOLD


def test_japanese_paraphrase_and_other_subjects_pass():
    index = _index(JA)
    assert index.find("営業時間は平日の午前九時から午後六時までです。") is None
    assert index.find("返品は購入から三十日以内なら受け付けます。") is None


@pytest.mark.parametrize(
    "other",
    [
        "What are the steps to change a forgotten password?",  # a real paraphrase
        "Which trains run to the airport on Sunday?",
        "",
    ],
)
def test_clearly_different_prompts_are_not_duplicates(other):
    assert _index(PROMPT).find(other) is None
    assert jaccard(PROMPT, other) < 0.2


def test_the_most_similar_match_is_reported():
    index = _index(
        "How do I reset my password on the company phone tomorrow?",
        "How do I reset my password on the company tablet today?",
    )
    match = index.find(PROMPT)
    assert match is not None and match.label == "train line 2"


def test_threshold_is_respected_in_both_directions():
    edited = "How do I reset my password on the company tablet today?"
    score = jaccard(PROMPT, edited)
    strict = NearDuplicateIndex(threshold=score + 0.01)
    strict.add(PROMPT, "a")
    loose = NearDuplicateIndex(threshold=score - 0.01)
    loose.add(PROMPT, "a")
    assert strict.find(edited) is None and loose.find(edited) is not None


def test_many_entries_still_find_the_near_one():
    index = NearDuplicateIndex()
    for n in range(2000):
        index.add(f"Order number {n * 7919} was shipped to warehouse {n % 13} on day {n}", str(n))
    index.add(PROMPT, "target")
    match = index.find("How do I reset my password on the company laptop now?")
    assert match is not None and match.label == "target" and len(index) == 2001


def test_short_texts_are_one_shingle():
    assert shingles("Hi!") == {"hi"} and shingles("...") == set()


def test_bad_threshold_is_refused():
    with pytest.raises(ValueError):
        NearDuplicateIndex(threshold=0.0)


def test_minhash_of_hashes_equals_minhash_of_the_shingles():
    import zlib

    import numpy as np

    from advisor.data.clean.dedupe import minhash, minhash_of_hashes

    grams = sorted(shingles(PROMPT))
    values = np.unique(np.array([zlib.crc32(g.encode()) for g in grams], dtype=np.uint64))
    assert np.array_equal(minhash(iter(grams)), minhash_of_hashes(values))
