"""Split (deterministic, no duplicate on both sides) and stats (tokens, epochs, cost)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.data.prices import default_epochs, load_prices
from advisor.data.split import example_key, split_file
from advisor.data.stats import compute_stats
from advisor.data.tokens import encoding_for_model, get_counter, tiktoken_cached
from advisor.errors import DataFileError, UserInputError
from tests.conftest import FIXTURES

DATA = FIXTURES / "data"


def sft(i: int, answer: str = "A.") -> str:
    return json.dumps(
        {
            "messages": [
                {"role": "user", "content": f"Q{i}?"},
                {"role": "assistant", "content": answer},
            ]
        }
    )


def make(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_split_is_deterministic_and_keeps_duplicates_together(tmp_path: Path):
    lines = [sft(i) for i in range(200)]
    lines += [sft(7)] * 5 + [sft(8).replace("Q8?", "  q8? ")]  # exact and normalised copies
    src = make(tmp_path / "all.jsonl", lines)
    one = split_file(src, tmp_path / "a", validation=0.1, seed=42)
    two = split_file(src, tmp_path / "b", validation=0.1, seed=42)
    other = split_file(src, tmp_path / "c", validation=0.1, seed=7)
    train = (tmp_path / "a" / "train.jsonl").read_text().splitlines()
    val = (tmp_path / "a" / "validation.jsonl").read_text().splitlines()
    assert (tmp_path / "b" / "validation.jsonl").read_text().splitlines() == val
    assert (tmp_path / "c" / "validation.jsonl").read_text().splitlines() != val
    assert one.train_examples + one.validation_examples == len(lines) == len(train) + len(val)
    assert abs(one.validation_examples - 21) <= 6 and one.duplicate_lines == 6
    train_keys = {example_key(json.loads(x)) for x in train}
    val_keys = {example_key(json.loads(x)) for x in val}
    assert not train_keys & val_keys
    assert two.validation_examples == one.validation_examples
    assert other.seed == 7


def test_split_by_prompt_keeps_same_question_together(tmp_path: Path):
    lines = [sft(i % 50, answer=f"A{i}.") for i in range(200)]
    src = make(tmp_path / "all.jsonl", lines)
    split_file(src, tmp_path / "out", validation=0.2, seed=1, group_by="prompt")
    prompts = [
        {
            json.loads(x)["messages"][0]["content"]
            for x in (tmp_path / "out" / name).read_text().splitlines()
        }
        for name in ("train.jsonl", "validation.jsonl")
    ]
    assert prompts[1] and not prompts[0] & prompts[1]


def test_split_rejects_bad_input(tmp_path: Path):
    src = make(tmp_path / "x.jsonl", [sft(1), sft(2)])
    with pytest.raises(UserInputError):
        split_file(src, tmp_path / "o", validation=1.5)
    with pytest.raises(DataFileError):
        split_file(make(tmp_path / "one.jsonl", [sft(1), sft(1)]), tmp_path / "o")
    with pytest.raises(DataFileError) as info:
        split_file(make(tmp_path / "bad.jsonl", [sft(1), "{", sft(2)]), tmp_path / "o")
    assert info.value.line == 2


@pytest.mark.parametrize(
    ("examples", "epochs"),
    [(1, 25), (3, 25), (10, 10), (34, 3), (100, 3), (8333, 3), (8334, 2), (30000, 1)],
)
def test_openai_default_epochs(examples: int, epochs: int):
    assert default_epochs(examples) == epochs


def test_price_table_is_dated_and_finds_aliases_and_snapshots():
    prices = load_prices()
    assert prices.price_date and prices.currency == "USD"
    assert prices.find("gpt-4.1-mini") is prices.find("gpt-4.1-mini-2025-04-14")
    assert prices.find("gpt-4o-mini-2024-07-18").training_per_million_tokens == 3.0
    assert prices.find("no-such-model") is None


def test_stats_of_a_small_file(tmp_path: Path, settings):
    src = make(tmp_path / "s.jsonl", [sft(i, "Hello there.") for i in range(20)] + ["[1]", "{"])
    stats = compute_stats(src, "sft", model="gpt-4o-mini", settings=settings)
    counter = get_counter("gpt-4o-mini", settings)
    per_example = 3 + (3 + counter.count("Q1?")) + (3 + counter.count("Hello there."))
    assert stats.examples == 20 and stats.skipped_lines == 2
    assert stats.example_tokens.max == per_example and stats.messages_per_example.mean == 2
    assert stats.assistant_tokens.p50 == counter.count("Hello there.")
    assert stats.default_epochs == 5  # 100 // 20
    assert stats.billed_tokens == stats.total_tokens * 5
    assert stats.estimated_cost_usd == pytest.approx(stats.billed_tokens * 3.0 / 1e6, abs=1e-4)
    assert stats.price_date == load_prices().price_date
    assert stats.tokenizer == counter.name and stats.tokenizer_exact == counter.exact_for_openai
    assert stats.local.estimated_training_seconds is None or stats.local.tokens_per_second > 0


def test_stats_uses_a_calibration_and_labels_the_static_figure(settings):
    from advisor.data import calibration as cal

    stats = compute_stats(DATA / "sft_valid_tools.jsonl", "sft", settings=settings)
    assert not stats.local.calibrated and stats.local.source.startswith("uncalibrated")
    rate = cal.TrainingRate(
        seq_len=64,
        batch=4,
        steps=3,
        seconds_per_step=2.56,
        seconds_per_token=0.01,
        startup_seconds=30.0,
    )
    cal.store(
        settings,
        cal.Calibration(
            machine=cal.machine_key(),
            model=settings.local.model,
            device="cpu",
            dtype="float32",
            threads=2,
            measured_at="2026-01-01T00:00:00Z",
            training=[rate],
        ),
    )
    stats = compute_stats(DATA / "sft_valid_tools.jsonl", "sft", settings=settings)
    assert stats.local.calibrated and "calibrated on this machine" in stats.local.source
    assert stats.local.tokens_per_second == 100.0
    # 30 s start-up + billed tokens x 0.01 s
    expected = 30.0 + stats.billed_tokens * 0.01
    assert stats.local.estimated_training_seconds == pytest.approx(expected, abs=0.1)


def test_stats_for_dpo_and_rft(settings):
    dpo = compute_stats(DATA / "dpo_planted.jsonl", "dpo", model="gpt-4.1", settings=settings)
    assert dpo.examples == 14 and dpo.assistant_tokens.max > 0
    rft = compute_stats(DATA / "rft_planted.jsonl", "rft", model="o4-mini", settings=settings)
    assert rft.estimated_cost_usd is None and "training time" in rft.price_note


def test_tokenizer_choice_is_offline_and_named(settings):
    assert encoding_for_model("gpt-4o-mini") == "o200k_base"
    assert encoding_for_model("gpt-3.5-turbo") == "cl100k_base"
    assert encoding_for_model("ft:gpt-4o-mini-2024-07-18:org::abc") == "o200k_base"
    counter = get_counter("gpt-4.1-mini", settings)
    if tiktoken_cached("o200k_base"):
        assert counter.name.startswith("tiktoken")
    else:
        assert "tiktoken" in counter.name and "not cached" in counter.name
    assert counter.count("Hello world") == 2


@pytest.mark.slow
def test_local_tokenizer_fallback(settings):
    counter = get_counter("local", settings)
    assert counter.local and "local model tokenizer" in counter.name
    assert 0 < counter.count("Hello world, this is a test.") < 20
