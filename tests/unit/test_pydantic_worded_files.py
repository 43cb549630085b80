"""The loaders' pydantic problems said in Japanese: settings, price table, scenario files.

English keeps pydantic's own words (as printed before); Japanese uses the catalog's
words for them, so no pydantic English shows inside a Japanese sentence.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisor.bench.scenario import load_scenario
from advisor.data.prices import parse_prices
from advisor.errors import AdvisorError, ConfigError, DataFileError
from advisor.settings import load_settings
from tests.conftest import REPO

PYDANTIC_ENGLISH = ("Input should", "Field required", "Extra inputs", "validation error")


def _no_pydantic_english(japanese: str) -> None:
    assert not any(words in japanese for words in PYDANTIC_ENGLISH), japanese


def _copy_scenario(tmp_path: Path) -> Path:
    target = tmp_path / "scenarios" / "brand-voice"
    shutil.copytree(REPO / "scenarios" / "brand-voice", target)
    return target


def test_a_bad_setting_in_the_settings_file_is_japanese() -> None:
    Path("advisor.toml").write_text('[local]\nmax_new_tokens = "many"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "Input should be a valid integer" in str(caught.value)
    japanese = caught.value.localized("ja")
    assert "local.max_new_tokens" in japanese and "整数" in japanese
    _no_pydantic_english(japanese)


def test_a_bad_setting_in_the_environment_is_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_OFFLINE", "maybe")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    japanese = caught.value.localized("ja")
    assert "ADVISOR_OFFLINE" in japanese and "offline" in japanese
    _no_pydantic_english(japanese)


def test_a_bad_price_table_is_japanese() -> None:
    with pytest.raises(DataFileError) as caught:
        parse_prices([1], path="p.yaml")
    assert "Input should be" in str(caught.value)
    japanese = caught.value.localized("ja")
    assert japanese.startswith("p.yaml: 価格表が正しくありません")
    _no_pydantic_english(japanese)


def test_a_bad_scenario_test_line_is_japanese(tmp_path: Path) -> None:
    folder = _copy_scenario(tmp_path)
    (folder / "test.jsonl").write_text('{"id": "a"}\n', encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_scenario(folder).test_items()
    assert "test item is invalid: prompt: Field required" in str(caught.value)
    japanese = caught.value.localized("ja")
    assert "テスト項目が正しくありません: prompt: 必須の項目" in japanese
    _no_pydantic_english(japanese)


def test_a_bad_scenario_field_is_japanese(tmp_path: Path) -> None:
    folder = _copy_scenario(tmp_path)
    toml = folder / "scenario.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('kind = "style"', 'kind = "poetry"'),
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as caught:
        load_scenario(folder)
    assert "invalid scenario field kind: Input should be 'style'" in str(caught.value)
    japanese = caught.value.localized("ja")
    assert "シナリオのフィールド kind が正しくありません" in japanese and "'style'" in japanese
    _no_pydantic_english(japanese)


def test_an_unknown_route_in_a_scenario_keeps_its_own_japanese(tmp_path: Path) -> None:
    folder = _copy_scenario(tmp_path)
    toml = folder / "scenario.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'expected_route = "sft"', 'expected_route = "lora"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as caught:
        load_scenario(folder)
    english = str(caught.value)
    assert "Value error, " in english and "lora" in english
    japanese = caught.value.localized("ja")
    assert "lora" in japanese
    _no_pydantic_english(japanese)
    assert "Value error" not in japanese


def test_a_bad_assistant_is_japanese() -> None:
    from advisor.app.assistants import AssistantDraft, check_assistant

    with pytest.raises(AdvisorError) as caught:
        check_assistant(AssistantDraft(name="Bad Name!", instructions="Be brief."))
    assert str(caught.value) == (
        "invalid assistant: Value error, use up to 50 lowercase letters, digits, - or _"
    )
    japanese = caught.value.localized("ja")
    assert japanese == (
        "アシスタントの設定が正しくありません: "
        "名前は英小文字、数字、- か _ で 50 文字までにしてください"
    )
    _no_pydantic_english(japanese)


def test_a_bad_assistant_profile_file_is_japanese(settings) -> None:
    from advisor.routes import AssistantStore

    store = AssistantStore(settings)
    store.root.mkdir(parents=True, exist_ok=True)
    store.path("brief").write_text("name: brief\ninstructions: [1]\n", encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        store.get("brief")
    assert "(1 validation error for AssistantProfile)" in str(caught.value)
    japanese = caught.value.localized("ja")
    assert "アシスタントのプロファイルが正しくありません（instructions: " in japanese
    _no_pydantic_english(japanese)
