"""Sentences that reach the CLI carried as catalog sentences, not as English to parse.

``data stats``' tokenizer, price note and local-time source, and the backends' ``tune
create`` preview notes travel with their catalog key and values (``DataStats.*_said``,
``JobPreview.note_sentences``): their Japanese no longer depends on their English, so a
reworded English template still says them in Japanese.  Their JSON keeps the English.
"""

from __future__ import annotations

import json

import pytest

from advisor import messages
from advisor.messages import Localized, Message, StoredSentence, Worded
from tests.cli.bilingual import run
from tests.conftest import REPO

TRAIN = str(REPO / "scenarios" / "brand-voice" / "train_sft.jsonl")
PRICED = "gpt-4.1-mini-2025-04-14"


def _reword(monkeypatch: pytest.MonkeyPatch, *keys: str) -> None:
    """Give ``keys`` English no producer wrote before (the Japanese as it is)."""
    for key in keys:
        said = messages.catalog()[key]
        monkeypatch.setitem(messages.catalog(), key, Message(en=f"Reworded: {said.en}", ja=said.ja))


def test_data_stats_says_its_sentences_in_japanese_whatever_their_english(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _reword(
        monkeypatch,
        "data.stats_price_tokens",
        "data.stats_source_reference",
        "data.stats_tokenizer_bpe",
    )
    code, out, err = run(
        capsys, "--lang", "ja", "data", "stats", TRAIN, "-m", "sft", "--model", PRICED
    )
    assert code == 0, err
    assert "o200k_base、bpe-openai で計数（正確。" in out
    # the price table's own Japanese for its source, chosen where the note is made
    assert "学習トークン数 x 100万トークンあたり $5.0。出典: OpenAI API の料金ページ" in out
    assert "（未較正: 参考値（" in out
    assert "Reworded" not in out and "training tokens x" not in out


def test_the_tune_preview_says_its_notes_in_japanese_whatever_their_english(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.cli.tune import _show_preview
    from advisor.settings import load_settings
    from backends.fake_jobs import FakeFineTuning
    from backends.jobs import JobRequest
    from backends.local.service import LocalFineTuning

    _reword(
        monkeypatch,
        "core.tune.note_fake",
        "core.tune.note_local",
        "core.tune.note_time",
        "data.stats_source_reference",
    )
    monkeypatch.setenv("ADVISOR_LANG", "ja")
    request = JobRequest(method="sft", training_file=TRAIN)
    for service in (FakeFineTuning(load_settings()), LocalFineTuning(load_settings())):
        preview = service.preview(request)
        assert preview is not None
        _show_preview(preview)
    err = capsys.readouterr().err
    assert "シミュレーションです。fake バックエンドは何も学習しません。" in err
    assert f"このマシンで {load_settings().local.model} の LoRA アダプターを学習します。" in err
    assert "所要時間の見積もり: 未較正: 参考値（" in err
    assert "Reworded" not in err and "Simulated" not in err


def test_the_wizard_says_the_preview_notes_in_its_language() -> None:
    from pathlib import Path

    from advisor.settings import load_settings
    from advisor.tui.screens.run.tune import preview_lines
    from backends.fake_jobs import FakeFineTuning
    from backends.jobs import JobRequest

    preview = FakeFineTuning(load_settings()).preview(JobRequest(method="sft", training_file=TRAIN))
    ja = preview_lines("sft", "fake", Path(TRAIN), preview, "ja")
    assert ja[-1] == "シミュレーションです。fake バックエンドは何も学習しません。"
    en = preview_lines("sft", "fake", Path(TRAIN), preview, "en")
    assert en[-1] == "Simulated: the fake backend trains nothing."


def test_a_value_worded_by_its_source_is_stored_in_both_languages() -> None:
    note = Localized(
        "data.stats_price_tokens", {"price": 5.0, "source": Worded("the page", "料金ページ")}
    )
    assert str(note) == "training tokens x $5.0/1M tokens; source: the page"
    stored = StoredSentence.model_validate_json(StoredSentence.of(note).model_dump_json())
    assert stored.render("ja") == "学習トークン数 x 100万トークンあたり $5.0。出典: 料金ページ"
    assert stored.render("en") == str(note)
    # A source with no Japanese words of its own is said in English in a Japanese sentence.
    plain = StoredSentence.of(
        Localized("data.stats_price_tokens", {"price": 1, "source": Worded("p")})
    )
    assert plain.render("ja") == "学習トークン数 x 100万トークンあたり $1。出典: p"
    # A value of a user's that looks like words is not read as words: only the marker is.
    shaped = StoredSentence(key="core.tune.note_time", values={"source": {"en": "x", "ja": "y"}})
    assert shaped.render("ja") == "所要時間の見積もり: {'en': 'x', 'ja': 'y'}。"


def test_data_stats_json_keeps_its_keys_and_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "--lang", "ja", "data", "stats", TRAIN, "-m", "sft", "--model", PRICED, "-f", "json"
    )
    assert code == 0, err
    stats = json.loads(out)
    assert set(stats) == {
        "path", "method", "examples", "skipped_lines", "messages_per_example", "example_tokens",
        "assistant_tokens", "total_tokens", "tokenizer", "tokenizer_exact", "model",
        "default_epochs", "epochs", "over_limit_examples", "billed_tokens_per_epoch",
        "billed_tokens", "price_per_million_tokens_usd", "estimated_cost_usd", "price_date",
        "price_note", "local",
    }  # fmt: skip
    assert set(stats["local"]) == {
        "tokens_per_second", "source", "epochs", "estimated_training_seconds", "calibrated",
        "load_factor", "counted", "max_length", "trained_examples", "trained_tokens",
        "labelled_tokens",
    }  # fmt: skip
    assert stats["tokenizer"] == (
        "o200k_base via bpe-openai (exact; tiktoken's data is not cached offline)"
    )
    assert stats["price_note"] == (
        "training tokens x $5.0/1M tokens; source: OpenAI API pricing page "
        "(platform.openai.com/docs/pricing): fine-tuning section and standard tier"
    )
    assert stats["local"]["source"].startswith("uncalibrated: reference figure (")
    assert stats["local"]["source"].endswith(
        "); run `advisor tune calibrate` to measure this machine"
    )
