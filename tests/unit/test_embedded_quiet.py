"""The embedded model's conversion draws no library bar (s11 audit of issue 19's first hour).

transformers' GGUF loader draws its English "Converting and de-quantizing GGUF tensors"
bar with tqdm directly, which transformers' own progress switch does not reach: the
warm process's log and any redirected stderr showed it.
"""

from __future__ import annotations

import io

import pytest


def test_the_gguf_loaders_bar_is_silent_during_the_conversion(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from transformers import modeling_gguf_pytorch_utils as gguf_utils

    from advisor.embedded import _quiet_transformers_bars

    def drawn() -> str:
        screen = io.StringIO()
        list(gguf_utils.tqdm(range(3), desc="Converting and de-quantizing", file=screen))
        return screen.getvalue()

    assert "Converting" in drawn()  # a file is no terminal, yet tqdm draws to it
    with _quiet_transformers_bars():
        assert drawn() == ""
    assert "Converting" in drawn()  # as it was after the block
