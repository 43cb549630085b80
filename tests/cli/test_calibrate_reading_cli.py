"""`tune calibrate` shows the prefill rate the bench plan uses (issue 13 item 5)."""

from __future__ import annotations

import re

import pytest

from advisor.data import calibration as cal
from advisor.settings import Settings
from tests.cli.bilingual import run


def test_tune_calibrate_measures_and_shows_the_prompt_reading_rate(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    args = ("tune", "calibrate", "--backend", "fake", "--no-indexing")
    code, out, err = run(capsys, *args)
    assert code == 0, err
    generation = cal.read_cache(settings).entries[0].generation_for("torch")
    assert generation is not None and generation.prompt_tokens_per_second
    tokens = generation.prompt_tokens
    assert re.search(rf"reading prompts: [\d,.]+ tokens/s \({tokens}-token prompts\)", out), out
    code, out, err = run(capsys, "--lang", "ja", *args)
    assert code == 0, err
    assert re.search(r"プロンプトの読み込み: [\d,.]+ トークン/秒（1 件 \d+ トークン）", out), out
