"""Core texts from the catalog (issue 14 item 4): every key the code raises or renders
exists in both languages, the English stays as it was, the verdict reads in Japanese."""

from __future__ import annotations

import ast
import re

import pytest

from advisor import messages
from advisor.bench.verdict_text import Standing, _match, note_message, render, summary_message
from advisor.errors import AdvisorError, DataFileError, UserInputError
from tests.conftest import REPO

SOURCES = [*(REPO / "advisor").rglob("*.py"), *(REPO / "backends").rglob("*.py")]
KEY = re.compile(r"^core(\.[a-z0-9_]+)+$")
# Calls whose first argument and hint_key are message keys.
CATALOG_CALLS = {"from_catalog", "unusable"}


def used_keys(source: str) -> set[str]:
    """Message keys in ``source``: the keys of from_catalog / Availability.unusable calls
    (first argument and every string inside hint_key) and any ``core.*`` literal."""
    keys: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.match(node.value):
            keys.add(node.value)
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in CATALOG_CALLS:
            continue
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            keys.add(first.value)
        for kw in node.keywords:
            if kw.arg == "hint_key":
                keys |= {
                    n.value
                    for n in ast.walk(kw.value)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
    return keys


def test_every_catalog_key_the_core_uses_exists_in_both_languages() -> None:
    used: set[str] = set()
    for path in SOURCES:
        used |= used_keys(path.read_text("utf-8"))
    assert len(used) > 100, "the scan found too few keys: it is broken"
    catalog = messages.catalog()
    assert sorted(used - set(catalog)) == []
    for key in used:
        assert catalog[key].en.strip() and catalog[key].ja.strip(), key


def test_the_scan_catches_a_new_raise_with_a_missing_key() -> None:
    source = (
        "raise UserInputError.from_catalog('core.nowhere.at_all', hint_key='core.no_hint')\n"
        "x = DataFileError.from_catalog('core.arena.no_prompts', hint_key=a if b else 'c.d')\n"
    )
    assert used_keys(source) == {
        "core.nowhere.at_all", "core.no_hint", "core.arena.no_prompts", "c.d",
    }  # fmt: skip
    assert {"core.nowhere.at_all", "core.no_hint", "c.d"} - set(messages.catalog())


def test_no_user_error_in_advisor_app_is_raised_without_the_catalog() -> None:
    offenders = []
    for path in (REPO / "advisor" / "app").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                if isinstance(func, ast.Name) and func.id.endswith("Error"):
                    offenders.append(f"{path.name}:{node.lineno} {func.id}(...)")
    assert offenders == []


def test_a_catalog_error_keeps_its_english_and_speaks_japanese() -> None:
    error = UserInputError.from_catalog(
        "core.review.backwards", hint_key="core.review.backwards_hint", range="5-3", fixed="3-5"
    )
    assert str(error) == "the range 5-3 runs backwards: write it as 3-5"
    assert error.localized("ja") == "範囲 5-3 が逆向きです。3-5 と書いてください"
    assert isinstance(error, AdvisorError) and error.exit_code == 2


def test_a_data_file_error_points_at_the_file_and_line_in_both_languages() -> None:
    error = DataFileError.from_catalog("core.not_json", path="p.jsonl", line=3, error="oops")
    assert str(error) == "p.jsonl, line 3: not valid JSON (oops)"
    assert error.localized("ja") == "p.jsonl の 3 行目: JSON として正しくありません（oops）"
    only_path = DataFileError.from_catalog(
        "core.grow.no_prompts", hint_key="core.grow.one_prompt_per_line", path="p.txt"
    )
    assert str(only_path) == "p.txt: has no prompts: write one prompt per line"
    assert only_path.localized("ja") == (
        "p.txt: プロンプトがありません。1 行に 1 つのプロンプトを書いてください"
    )


# The sentences compare.decide wrote before they came from the catalog: the English of
# results.json must not change.
STANDINGS = [
    (
        Standing({"a": 0.5}, "a", None, alpha=0.05),
        "only a ran (pass rate 50%); nothing to compare",
        "実行されたのはaだけです（合格率 50%）。比較する対象がありません",
    ),
    (
        Standing({"a": 0.0, "b": 0.0}, "a", None, tied=["b"]),
        "no route passed a single test prompt, so the routes cannot be told apart",
        "どのルートもテストプロンプトを 1 つも通過しなかったため、ルートの優劣はつけられません",
    ),
    (
        Standing({"a": 0.9, "b": 0.2, "c": 0.1}, "a", "a", beaten=["b", "c"], alpha=0.05),
        "a wins: pass rate 90%, significantly better than b, c (alpha 0.05, Holm-adjusted)",
        "aの勝ち: 合格率 90% で、b、cより有意に高い（有意水準 0.05、Holm 補正）",
    ),
    (
        Standing({"a": 0.6, "b": 0.5}, "a", None, tied=["b"], alpha=0.1),
        "no significant winner: a has the highest pass rate (60%) but cannot be told apart "
        "from b at alpha 0.1",
        "有意な勝者はありません: aの合格率が最も高い（60%）ものの、有意水準 0.1 ではbと"
        "区別できません",
    ),
]


@pytest.mark.parametrize(("standing", "english", "japanese"), STANDINGS)
def test_verdict_summary_english_is_unchanged_and_japanese_reads(
    standing: Standing, english: str, japanese: str
) -> None:
    assert render(summary_message(standing), "en") == english
    assert render(summary_message(standing, "ja"), "ja") == japanese


def test_the_japanese_verdict_names_the_routes_as_the_product_does() -> None:
    # "rag の合格率 ... system_prompt と区別できません": the ids, where the rest of the
    # Japanese product says the routes' names; results.json keeps the ids in English.
    standing = Standing({"rag": 1.0, "system_prompt": 0.8, "sft>dpo": 0.7}, "rag", None,
                        tied=["system_prompt", "sft>dpo"])  # fmt: skip
    english = render(summary_message(standing), "en")
    assert "rag has the highest" in english and "from system_prompt, sft>dpo at" in english
    japanese = render(summary_message(standing, "ja"), "ja")
    assert japanese.startswith("有意な勝者はありません: RAG（検索拡張生成）の合格率"), japanese
    assert "ではシステムプロンプト、sft>dpoと区別できません" in japanese, japanese
    _, note = note_message(standing, "system_prompt", "ja")
    assert render(note, "ja").startswith("アドバイザーはシステムプロンプトを推奨しており")
    assert render(note_message(standing, "system_prompt")[1], "en").startswith(
        "the advisor recommends system_prompt;"
    )


NOTES = [
    (None, None, "the scenario has no advisor answers, so there is no recommendation"),
    ("z", None, "the advisor recommends z, which this bench did not run"),
    ("a", True, "the advisor recommends a and it won significantly"),
    ("b", False, "the advisor recommends b, but a won significantly"),
]


@pytest.mark.parametrize(("recommended", "matches", "english"), NOTES)
def test_advisor_check_english_is_unchanged(
    recommended: str | None, matches: bool | None, english: str
) -> None:
    standing = Standing({"a": 0.9, "b": 0.2}, "a", "a", beaten=["b"])
    found, message = note_message(standing, recommended)
    assert (found, render(message, "en")) == (matches, english)
    assert re.search(r"[\u3040-\u30ff]", render(message, "ja"))


def test_a_note_the_runner_wrote_is_found_again_for_japanese() -> None:
    note = "the advisor could not assess the scenario's answers: bad answer 'x'"
    assert _match("core.verdict.advisor_failed", note) == {"error": "bad answer 'x'"}
    assert _match("core.verdict.no_advisor", note) is None


def test_the_two_catalog_files_share_no_key() -> None:
    import yaml

    shell = yaml.safe_load((REPO / "advisor" / "messages.yaml").read_text("utf-8"))
    core = yaml.safe_load((REPO / "advisor" / "messages_core.yaml").read_text("utf-8"))
    assert not set(shell) & set(core)
    assert all(key.startswith("core.") for key in core)


def test_lifecycle_and_price_tables_have_japanese_for_every_note() -> None:
    import yaml

    from advisor.criteria.lifecycle import shipped_lifecycle
    from advisor.data.prices import parse_prices

    lifecycle = shipped_lifecycle()
    for entry in lifecycle.entries:
        assert entry.subject_ja, entry.id
        for event in entry.events:
            assert bool(event.note) == bool(event.note_ja), entry.id
    table = parse_prices(yaml.safe_load((REPO / "advisor/data/prices.yaml").read_text("utf-8")))
    assert table.source_ja
    for model in table.models:
        long_note = model.source is not None and " " in model.source
        assert not long_note or model.source_ja, model.model  # prose needs its Japanese


def test_a_catalog_message_inside_another_follows_its_language() -> None:
    inner = messages.Localized("core.backend.module_missing", {"module": "torch", "package": "t"})
    assert str(inner) == "torch missing: pip install t"
    error = UserInputError.from_catalog("core.grow.no_teacher", backend="local", reason=inner)
    assert str(error) == "the local backend cannot be the teacher now: torch missing: pip install t"
    assert error.localized("ja").endswith("使えません: torch がありません: pip install t")


def test_a_catalog_error_carries_its_sentence_and_renders_it_in_each_language() -> None:
    from advisor.bench.scenario import QuotedMessage

    inner = messages.Localized("core.backend.module_missing", {"module": "torch", "package": "t"})
    assert inner.localized("ja") == messages.text(
        "core.backend.module_missing", "ja", **inner.values
    )
    assert messages.in_lang(inner, "ja") == inner.localized("ja") != str(inner)
    error = DataFileError.from_catalog(
        "core.grow.no_teacher", hint_key="core.grow.no_teacher", path="f", backend="b", reason=inner
    )
    values = {"backend": "b", "reason": inner}
    assert error.sentence == messages.Localized("core.grow.no_teacher", values)
    assert error.hint_sentence == error.sentence and error.values == values
    assert error.message_in("en") == error.message == "f: " + str(error.sentence)
    quoted = QuotedMessage(error)
    assert quoted.localized("ja") == error.where("ja") + error.sentence.localized("ja")
    assert quoted.localized("ja").endswith("torch がありません: pip install t")
    assert error.localized("ja").startswith(quoted.localized("ja").rstrip("。"))
