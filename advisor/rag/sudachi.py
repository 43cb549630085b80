"""Japanese words for the lexical index by Sudachi (``sudachipy`` + ``sudachidict_core``).

Why Sudachi: Works Applications keeps the analyzer and its dictionary up to
date (a dictionary release every few months), the dictionary ships inside a
PyPI package (nothing is downloaded at run time), and every entry carries
what a search index needs and MeCab's UniDic-lite does not:

* a **normalized form** that folds spelling variants (表記ゆれ): 「引越」 and
  「引っ越し」, 「ホコリ」 and 「埃」, 「うるさい」 and 「煩い」 meet;
* **split modes**: the long unit (mode C, 「取扱説明書」) and its short parts
  (mode A, 「取扱」「説明」「書」) are both indexed, as Elasticsearch's Sudachi
  plugin does in its search mode, so a question naming a part still matches;
* **synonym group ids**, the keys of the Sudachi synonym dictionary: words in
  one group (「スマホ」「スマートフォン」) share an id, which is indexed as a
  word of its own (``syn12345``).  The ids ship in the core dictionary; the
  synonym dictionary itself (``chikkarpy``) is not needed, and could not be
  installed offline: its setup downloads the dictionary.

Only content words are kept (nouns, verbs, adjectives, adverbs, prefixes);
particles, auxiliaries and punctuation carry no topic.
"""

from __future__ import annotations

import threading
from typing import Any

from advisor.errors import ConfigError

# Sudachi's parts of speech (the first level) that carry content.
CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "代名詞"})
#: Longest text handed to Sudachi in one call (its input limit is in bytes, ~48 KB).
MAX_CHARS = 4000
_local = threading.local()  # a Sudachi tokenizer must not be shared between threads
_dictionary: list[Any] = []
_lock = threading.Lock()


def _tokenizer() -> Any:
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        try:
            from sudachipy import Dictionary, SplitMode
        except ImportError as exc:
            raise ConfigError.from_catalog(
                "core.rag.no_sudachi", hint_key="core.rag.no_sudachi_hint"
            ) from exc
        with _lock:  # the dictionary (~200 MB mapped) is loaded once per process
            if not _dictionary:
                _dictionary.append(Dictionary(dict="core"))
        tokenizer = _dictionary[0].tokenizer(mode=SplitMode.C)
        _local.tokenizer = tokenizer
        _local.mode_a = SplitMode.A
    return tokenizer


def _content(morpheme: Any) -> bool:
    pos = morpheme.part_of_speech()
    if pos[0] not in CONTENT_POS:
        return False
    # Auxiliary uses (「して居る」「に成る」「て置く」) carry no topic.
    return not (pos[1] == "非自立可能" and pos[0] == "動詞")


def sudachi_words(run: str, *, synonyms: bool = True) -> list[str]:
    """Normalized content words of one Japanese run (long units, their parts, synonym ids)."""
    tokenizer = _tokenizer()
    words: list[str] = []
    for start in range(0, len(run), MAX_CHARS):
        for morpheme in tokenizer.tokenize(run[start : start + MAX_CHARS]):
            if not _content(morpheme):
                continue
            words.append(morpheme.normalized_form())
            parts = list(morpheme.split(_local.mode_a))
            if len(parts) > 1:
                words += [p.normalized_form() for p in parts if _content(p)]
            if synonyms:
                words += [f"syn{group}" for group in morpheme.synonym_group_ids()]
    return words
