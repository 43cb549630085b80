"""SystemPromptRoute: instructions, few-shot examples, the context-share warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.errors import DataFileError, UserInputError
from advisor.rag.embedding import LocalEmbedder
from advisor.routes import SystemPromptRoute
from advisor.routes.context import context_window, estimate_tokens
from advisor.routes.few_shot import load_examples
from advisor.settings import Settings
from backends.fake import FakeBackend
from tests.conftest import FIXTURES

FEW_SHOT = FIXTURES / "rag" / "few_shot.jsonl"


@pytest.fixture
def fake(settings: Settings) -> FakeBackend:
    return FakeBackend(settings)


def test_answer_carries_text_usage_backend_and_route(fake: FakeBackend) -> None:
    fake.queue_replies("Hello there.")
    answer = SystemPromptRoute(fake, None, "Be brief.").answer("Hi?")
    assert answer.text == "Hello there."
    assert (answer.route, answer.backend, answer.model) == ("system_prompt", "fake", "fake-model")
    assert answer.usage.completion_tokens == 2 and answer.usage.prompt_tokens > 0
    assert answer.sources == []


def test_messages_are_system_then_question(fake: FakeBackend) -> None:
    messages, sources = SystemPromptRoute(fake, None, "Be brief.").build_messages("Hi?")
    assert [(m.role, m.content) for m in messages] == [("system", "Be brief."), ("user", "Hi?")]
    assert sources == []


def test_instructions_from_a_file(fake: FakeBackend, tmp_path: Path) -> None:
    path = tmp_path / "rules.md"
    path.write_text("\ufeffAlways answer in French.\n", encoding="utf-8")
    route = SystemPromptRoute(fake, None, path)
    assert route.instructions == "Always answer in French."
    with pytest.raises(DataFileError, match="cannot read the instructions"):
        SystemPromptRoute(fake, None, tmp_path / "absent.md")


def test_examples_from_chat_dpo_and_prompt_formats() -> None:
    examples = load_examples(FEW_SHOT)
    assert [e.assistant for e in examples] == [
        "PARIS.",
        "SETTINGS > SECURITY > RESET.",
        "THE NILE.",
        "SETTINGS > BILLING > ADDRESS.",
    ]


def test_fixed_few_shot_is_spread_and_the_same_for_every_question(fake: FakeBackend) -> None:
    route = SystemPromptRoute(fake, None, "Shout.", FEW_SHOT, k=2)
    report = route.prepare()
    assert report.details["few_shot"] == 2 and report.details["examples_in_file"] == 4
    first, _ = route.build_messages("One?")
    second, _ = route.build_messages("Two?")
    assert [m.role for m in first] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert [m.content for m in first[1:5]] == [m.content for m in second[1:5]]
    assert [first[2].content, first[4].content] == ["PARIS.", "THE NILE."]


def test_similar_few_shot_picks_the_nearest_examples(settings: Settings) -> None:
    fake = FakeBackend(settings)
    route = SystemPromptRoute(
        fake, None, "Shout.", FEW_SHOT, k=1, few_shot="similar", embedder=LocalEmbedder(settings)
    )
    messages, _ = route.build_messages("Where do I update the billing address on my account?")
    assert messages[2].content == "SETTINGS > BILLING > ADDRESS."
    messages, _ = route.build_messages("What is the capital city of France?")
    assert messages[2].content == "PARIS."


def test_batch_answers_keep_input_order(fake: FakeBackend) -> None:
    answers = SystemPromptRoute(fake, None, "x").answer_batch(["a?", "b?", "c?"])
    assert [a.text for a in answers] == ["fake reply: a?", "fake reply: b?", "fake reply: c?"]


def test_large_prompt_share_warns(fake: FakeBackend) -> None:
    assert context_window(fake, "fake-model") == 4096
    long_rules = "Follow this rule carefully. " * 300  # about 2,100 estimated tokens
    report = SystemPromptRoute(fake, None, long_rules).prepare()
    assert len(report.warnings) == 1 and "context window" in report.warnings[0]
    assert SystemPromptRoute(fake, None, "Short.").prepare().warnings == []


def test_token_estimate_counts_japanese_per_character() -> None:
    assert estimate_tokens("abcd" * 10) == 10
    assert estimate_tokens("日本語") == 3


def test_context_window_of_fine_tuned_ids(fake: FakeBackend) -> None:
    assert context_window(fake, "local:ft:smollm2-135m-instruct:style:job-1") == 8192
    assert context_window(fake, "ft:gpt-4.1-mini-2025-04-14:org::abc") == 1_047_576
    assert context_window(fake, "unknown-model") is None


def test_bad_few_shot_input(fake: FakeBackend, tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="no training file"):
        SystemPromptRoute(fake, None, "x", None, k=2)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"messages": []}) + "\n{not json\n")
    with pytest.raises(DataFileError, match="line 2"):
        SystemPromptRoute(fake, None, "x", bad, k=1).prepare()
    empty = tmp_path / "empty.jsonl"
    empty.write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}]}) + "\n")
    with pytest.raises(DataFileError, match="no user/assistant example"):
        SystemPromptRoute(fake, None, "x", empty, k=1).prepare()


def test_the_prompt_share_warning_is_said_in_japanese(fake: FakeBackend) -> None:
    report = SystemPromptRoute(fake, None, "Follow this rule carefully. " * 300).prepare()
    assert report.warnings_in("en") == report.warnings
    (said,) = report.warnings_in("ja")
    assert said.startswith("固定のプロンプトが約") and "4096 トークン" in said
