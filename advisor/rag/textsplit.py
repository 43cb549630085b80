"""Words for the lexical index: script-aware tokenizers and a per-document language guess.

Japanese has no spaces between words, so a whitespace tokenizer sees a whole
sentence as one "word" and BM25 finds nothing.  Text is cut into runs of one
script: Latin runs become lower-case words (SQLite's Porter stemmer folds
their endings later), Japanese runs go to a Japanese analyzer:

* ``sudachi`` (the default): the bigrams below plus Sudachi's normalized
  content words and synonym group ids (:mod:`advisor.rag.sudachi`), so that
  spelling variants and synonyms meet as well as shared characters;
* ``bigram``: overlapping character pairs, as Lucene's and
  Elasticsearch's ``cjk`` analyzer does; no dictionary;
* ``mecab``: MeCab through ``fugashi`` with the UniDic-lite dictionary that
  ships inside its package (nothing is downloaded at run time; the optional
  extra ``advisor[ja]``).  Content words only (nouns, verbs, adjectives,
  adverbs), each as its dictionary lemma, so 「ほこり」「ホコリ」「埃」 and
  「捨てれば」「捨てる」 meet.

On the Japanese benchmark (docs/performance.md, two question sets) sudachi
beats bigram on both sets at hit@1, hit@3 and MRR, and mecab at hit@1 and
MRR; English is split the same way by all three.

The language of a document is guessed from the share of Japanese characters
among its letters: a cheap, explainable rule that is right for the documents
this product indexes (manuals in one language), and wrong only for mixed ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from advisor.errors import ConfigError

#: Hiragana, katakana (with the long-vowel mark), CJK ideographs and the iteration mark.
JA_RUN = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u3005\u4e00-\u9fff\uf900-\ufaff]+")
KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff]")
LATIN_WORD = re.compile(r"[0-9a-z]+(?:[.'][0-9a-z]+)*")
LETTER = re.compile(r"[^\W\d_]")
# The ratio above which a text counts as Japanese; English with a few quoted
# Japanese words stays English.
JA_SHARE = 0.3
# Words that carry no topic; Japanese function words are dropped by part of speech instead.
EN_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "my",
        "of",
        "on",
        "or",
        "should",
        "so",
        "that",
        "the",
        "this",
        "to",
        "was",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)
# UniDic parts of speech that carry content (pos1).
CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "記号"})

Tokenizer = Callable[[str], list[str]]
TOKENIZERS = ("bigram", "mecab", "sudachi")
DEFAULT_TOKENIZER = "sudachi"


def detect_language(text: str) -> str:
    """``"ja"`` when Japanese characters are at least 30% of the letters, else ``"en"``.

    Kana are required too, so that Chinese text is not called Japanese; an
    empty text is English (the model's language).
    """
    sample = text[:20000]
    letters = len(LETTER.findall(sample))
    if not letters:
        return "en"
    japanese = sum(len(run) for run in JA_RUN.findall(sample))
    if japanese / letters >= JA_SHARE and KANA.search(sample):
        return "ja"
    return "en"


def latin_words(text: str) -> list[str]:
    return [w for w in LATIN_WORD.findall(text.casefold()) if w not in EN_STOP]


def bigrams(run: str) -> list[str]:
    """Character bigrams of one Japanese run; a single character stays itself."""
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _by_script(text: str, japanese: Callable[[str], list[str]]) -> list[str]:
    tokens: list[str] = []
    last = 0
    for match in JA_RUN.finditer(text):
        tokens += latin_words(text[last : match.start()])
        tokens += japanese(match.group(0))
        last = match.end()
    tokens += latin_words(text[last:])
    return tokens


def bigram_tokens(text: str) -> list[str]:
    return _by_script(text, bigrams)


@cache
def _tagger() -> Any:
    try:
        import fugashi
        import unidic_lite
    except ImportError as exc:
        raise ConfigError.from_catalog(
            "core.rag.no_fugashi", hint_key="core.rag.no_fugashi_hint"
        ) from exc
    # The dictionary is named explicitly: a full ``unidic`` install would otherwise win.
    return fugashi.Tagger(f'-d "{unidic_lite.DICDIR}"')


def _lemma(node: Any) -> str | None:
    """The dictionary form of a content word, or None for a function word."""
    pos = getattr(node.feature, "pos1", None)
    if pos not in CONTENT_POS:
        return None
    if getattr(node.feature, "pos2", None) == "非自立可能":
        return None  # auxiliary uses: 「して居る」「に成る」「て置く」 carry no topic
    if pos == "記号" and not JA_RUN.fullmatch(node.surface):
        return None  # punctuation; 記号 also holds kanji read as symbols
    # Loanword lemmas carry their origin: "フィルター-filter".
    lemma = getattr(node.feature, "lemma", None) or node.surface
    return str(lemma).split("-", 1)[0]


def mecab_words(run: str) -> list[str]:
    words = [w for node in _tagger()(run) if (w := _lemma(node))]
    # A run with no content word (e.g. only particles) still says something.
    return words or bigrams(run)


def mecab_tokens(text: str) -> list[str]:
    return _by_script(text, mecab_words)


def sudachi_tokens(text: str) -> list[str]:
    """Character bigrams and Sudachi's words of each Japanese run, in one index.

    Bigrams keep what a dictionary cuts wrongly or does not know (product
    names, error codes in kana); the words add spelling variants and synonyms.
    """
    from advisor.rag.sudachi import sudachi_words

    return _by_script(text, lambda run: bigrams(run) + sudachi_words(run))


def make_tokenizer(name: str) -> Tokenizer:
    if name == "mecab":
        return mecab_tokens
    if name == "sudachi":
        return sudachi_tokens
    if name == "bigram":
        return bigram_tokens
    raise ConfigError.from_catalog(
        "core.rag.unknown_tokenizer",
        hint_key="core.rag.unknown_tokenizer_hint",
        name=repr(name),
        names=", ".join(TOKENIZERS),
    )
