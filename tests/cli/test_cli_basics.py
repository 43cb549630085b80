"""The CLI's conventions: versions, JSON output, one-sentence errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from advisor import __version__
from backends.fake import FakeBackend
from tests.cli.bilingual import run
from tests.conftest import REPO


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"advisor {__version__}"


def test_python_dash_m_works():
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "--version"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0 and __version__ in result.stdout


def test_help_lists_the_commands(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("chat", "backends", "config"):
        assert command in out


def test_chat_json_has_the_documented_keys(capsys):
    FakeBackend.queue_replies("Hello there.")
    code, out, err = run(capsys, "chat", "--backend", "fake", "--format", "json", "Say hello")
    assert code == 0, err
    data = json.loads(out)
    assert data["text"] == "Hello there."
    assert data["backend"] == "fake" and data["model"] == "fake-model"
    assert data["usage"]["completion_tokens"] == 2
    assert {"prompt_tokens", "completion_tokens", "total_tokens"} <= data["usage"].keys()
    assert data["latency_s"] >= 0


def test_chat_text_streams_the_answer(capsys):
    FakeBackend.queue_replies("one two three")
    code, out, _ = run(capsys, "chat", "--backend", "fake", "--system", "Be brief.", "hi")
    assert code == 0 and out == "one two three\n"


def test_backends_list_json(capsys):
    code, out, _ = run(capsys, "backends", "list", "--format", "json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)["backends"]}
    assert {"local", "openai", "fake"} <= rows.keys()
    assert rows["fake"]["usable"] is True
    assert rows["local"]["capabilities"]["supports_fine_tuning"] is True
    assert rows["local"]["capabilities"]["supports_embeddings"] is True
    assert rows["openai"]["usable"] is False
    assert "OPENAI_API_KEY" in rows["openai"]["reason"]


def test_backends_list_json_has_the_local_model_presets(capsys):
    code, out, _ = run(capsys, "backends", "list", "--format", "json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)["backends"]}
    models = {m["id"]: m for m in rows["local"]["models"]}
    assert {"smollm2-135m-instruct", "gemma-3-270m"} <= models.keys()
    for model in models.values():
        assert {"id", "languages", "licence", "size_mb"} <= model.keys()
    assert models["gemma-3-270m"]["languages"] == ["en", "ja"]
    assert models["gemma-3-270m"]["licence"] == "Gemma Terms of Use"
    assert rows["fake"]["models"] == []  # backends without presets list none


def test_backends_list_text_names_the_presets(capsys):
    code, out, _ = run(capsys, "backends", "list")
    assert code == 0 and "preset gemma-3-270m: en,ja" in out


def test_local_model_setting_selects_a_preset(capsys, monkeypatch):
    monkeypatch.setenv("ADVISOR_LOCAL__MODEL", "gemma-3-270m")
    code, out, _ = run(capsys, "backends", "list", "--format", "json")
    local = next(r for r in json.loads(out)["backends"] if r["name"] == "local")
    assert code == 0 and local["default_model"] == "gemma-3-270m"
    assert local["usable"] is True  # the chunk packages are installed


def test_config_show_masks_keys(capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret-value-9876")
    code, out, _ = run(capsys, "config", "show", "--format", "json")
    assert code == 0
    assert "sk-very-secret" not in out
    assert json.loads(out)["openai"]["api_key"] == "****9876"


def test_unknown_backend_is_one_sentence_and_exit_2(capsys):
    code, out, err = run(capsys, "chat", "--backend", "nope", "hi")
    assert code == 2 and out == ""
    assert err.startswith("error: unknown backend 'nope'")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_bad_option_is_exit_2(capsys):
    code, _, err = run(capsys, "chat", "--temperature", "9", "hi")
    assert code == 2 and "temperature" in err


def test_missing_key_names_the_fix(capsys):
    code, _, err = run(capsys, "chat", "--backend", "openai", "hi")
    assert code == 2
    assert "OPENAI_API_KEY" in err and "--backend local" in err


def test_demo_assesses_and_answers(capsys):
    FakeBackend.queue_replies("A fixed style guide keeps every answer on brand.")
    code, out, _ = run(capsys, "demo", "--backend", "fake")
    assert code == 0
    assert "is recommended" in out
    assert out.rstrip().endswith("A fixed style guide keeps every answer on brand.")


def test_no_arguments_without_a_terminal_runs_the_demo(capsys, monkeypatch):
    monkeypatch.setenv("ADVISOR_BACKEND", "fake")
    FakeBackend.queue_replies("demo answer")
    code, out, err = run(capsys)
    assert code == 0, err
    assert "advisor demo" in err and "demo answer" in out
