"""A message of a million characters (issue 18): one sentence with the limit, exit 2.

The fast tests give the local backend its real tokenizer and a stand-in for the
network (only its config is read before the refusal); the slow one loads the
real model.
"""

from __future__ import annotations

import re
import threading
from types import SimpleNamespace

import pytest

from advisor.cli.app import main
from advisor.embedded import resolve_chat_model
from advisor.errors import UserInputError
from advisor.settings import Settings
from backends.local import LocalBackend
from backends.local.backend import LoadedModel
from backends.types import ChatMessage

HUGE = "word " * 200_000  # 1,000,000 characters


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture
def tokenizer_only(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> LoadedModel:
    from transformers import AutoTokenizer

    backend = LocalBackend(settings)
    tokenizer = AutoTokenizer.from_pretrained(resolve_chat_model(backend.default_model, settings))
    network = SimpleNamespace(config=SimpleNamespace(max_position_embeddings=8192))
    loaded = LoadedModel(network, tokenizer, "cpu", threading.Lock())
    monkeypatch.setattr(LocalBackend, "load", lambda self, model=None: loaded)
    return loaded


@pytest.mark.parametrize("command", ["chat", "ask"])
def test_a_million_characters_is_one_sentence_with_the_limit(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tokenizer_only: LoadedModel,
    command: str,
) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(HUGE))
    capsys.readouterr()  # the fixture may have converted the model first (a progress bar)
    code, _, err = run(capsys, command, "-", "--backend", "local")
    assert code == 2, err
    size = "1,000,000" if command == "chat" else "999,999"  # ask strips the question
    assert re.match(rf"error: the input is {size} characters, more than the local model", err)
    assert "at most 131,072 characters: its context is 8,192 tokens" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_prompt_over_the_window_in_tokens_is_refused(
    settings: Settings, tokenizer_only: LoadedModel
) -> None:
    message = " ".join(f"w{i}" for i in range(12_000))  # fits in characters, not in tokens
    with pytest.raises(
        UserInputError, match=r"tokens, more than the local model's context of 8,192"
    ):
        LocalBackend(settings).chat([ChatMessage(role="user", content=message)])


@pytest.mark.slow
def test_the_real_local_model_refuses_at_once(settings: Settings) -> None:
    with pytest.raises(UserInputError, match="context is 8,192 tokens"):
        LocalBackend(settings).chat([ChatMessage(role="user", content=HUGE)])
