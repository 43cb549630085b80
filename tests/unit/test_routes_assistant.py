"""Custom assistants: readable saved profiles and the route that runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from advisor.errors import DataFileError, UserInputError
from advisor.rag import KnowledgeBase
from advisor.routes import AssistantProfile, AssistantStore, CustomAssistantRoute
from advisor.settings import Settings
from backends.fake import FakeBackend
from tests.conftest import FIXTURES


def _profile(**extra: object) -> AssistantProfile:
    data: dict[str, object] = {
        "name": "helper",
        "instructions": "Answer politely.\nCite your sources.",
        "conversation_starters": ["What is the return window?"],
        "backend": "fake",
    }
    data.update(extra)
    return AssistantProfile.model_validate(data)


def test_profiles_are_readable_yaml_and_round_trip(settings: Settings) -> None:
    store = AssistantStore(settings)
    path = store.save(_profile())
    assert path == settings.assistants_dir / "helper.yaml"
    text = path.read_text(encoding="utf-8")
    assert "instructions: |-\n  Answer politely.\n  Cite your sources.\n" in text
    assert yaml.safe_load(text)["conversation_starters"] == ["What is the return window?"]
    assert store.get("helper") == _profile(created_at=store.get("helper").created_at)
    assert [p.name for p in store.list()] == ["helper"]


def test_create_refuses_to_overwrite_without_force(settings: Settings) -> None:
    store = AssistantStore(settings)
    store.save(_profile())
    with pytest.raises(UserInputError, match="already exists"):
        store.save(_profile())
    store.save(_profile(description="new"), overwrite=True)
    assert store.get("helper").description == "new"


def test_unknown_and_broken_profiles(settings: Settings) -> None:
    store = AssistantStore(settings)
    with pytest.raises(UserInputError, match="no assistant named ghost"):
        store.get("ghost")
    settings.assistants_dir.mkdir(parents=True)
    (settings.assistants_dir / "bad.yaml").write_text("name: bad\n")
    with pytest.raises(DataFileError, match="invalid assistant profile"):
        store.get("bad")
    with pytest.raises(ValueError):
        _profile(name="Not Valid")


def test_assistant_without_knowledge_is_a_system_prompt(settings: Settings) -> None:
    route = CustomAssistantRoute(_profile(), settings)
    answer = route.answer("Hello?")
    assert answer.route == "custom_assistant" and answer.backend == "fake"
    messages, _ = route.build_messages("Hello?")
    assert messages[0].content == "Answer politely.\nCite your sources."


def test_assistant_indexes_its_knowledge_and_cites(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "rag" / "docs", docs)
    profile = _profile(knowledge=[str(docs)], k=2)
    route = CustomAssistantRoute(profile, settings)
    report = route.prepare()
    assert report.details["files"] == 4
    FakeBackend.queue_replies("Within 45 days [1].")
    answer = route.answer("How many days do I have to return unworn items?")
    assert answer.route == "custom_assistant"
    assert answer.cited_sources[0].source.endswith("returns.md")
    # The profile's knowledge base is incremental: a second route re-indexes nothing.
    again = CustomAssistantRoute(profile, settings).prepare()
    assert again.details["updated"] == 0 and again.details["chunks"] == report.details["chunks"]
    AssistantStore(settings).save(profile)
    AssistantStore(settings).delete("helper")
    assert not KnowledgeBase(profile.kb_name, settings).exists()
    assert AssistantStore(settings).list() == []


def test_missing_knowledge_warns_in_the_reader_s_language(
    settings: Settings, tmp_path: Path
) -> None:
    # The warning was English only ("knowledge files not found: ...") in the Japanese wizard.
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "rag" / "docs", docs)
    gone = tmp_path / "gone.md"
    report = CustomAssistantRoute(_profile(knowledge=[str(docs), str(gone)]), settings).prepare()
    assert report.warnings == [f"knowledge files not found: {gone}"]  # the JSON's English
    assert report.warnings_in("ja") == [f"ナレッジのファイルが見つかりません：{gone}"]
