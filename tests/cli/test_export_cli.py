"""``advisor export``: bad input is one sentence and exit 2, before any model loads."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli.bilingual import run
from tests.conftest import REPO
from tests.unit.test_architecture import HEAVY, PROBE


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nope-model", "--format", "gguf"], "unknown model 'nope-model'"),
        (["smollm2-135m-instruct", "--format", "onnx"], "'onnx' is not an export format"),
        (
            ["smollm2-135m-instruct", "--format", "gguf", "--precision", "q4"],
            "'q4' is not a GGUF precision",
        ),
        (["ft:gpt-4o-mini-2024-07-18:org:x:abc", "--format", "gguf"], "OpenAI keeps the weights"),
        (["local:ft:smollm2-135m-instruct:x:ftjob-none", "--format", "gguf"], "no trained adapter"),
        (["local:ft:smollm2-135m-instruct:x:..", "--format", "gguf"], "unsafe job id"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(capsys, tmp_path, args, says):
    code, out, err = run(capsys, "export", *args, "--out", str(tmp_path / "out"))
    assert code == 2, err
    assert out == ""
    assert err.startswith("error: ") and says in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()  # nothing written


def test_a_folder_in_use_is_refused(capsys, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    code, _, err = run(
        capsys, "export", "smollm2-135m-instruct", "--format", "gguf", "--out", str(tmp_path)
    )
    assert code == 2 and "is not empty" in err
    assert (tmp_path / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize(
    "args",
    [["export", "--help"], ["export", "nope", "--format", "gguf", "--out", "/tmp/unused-x"]],
)
def test_export_help_and_errors_import_no_heavy_library(args):
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    modules = set(json.loads(out.strip().splitlines()[-1]))
    assert sorted(m for m in HEAVY if m in modules) == []


def test_help_lists_export(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "export" in out


def test_ollama_for_a_template_it_cannot_translate_fails_before_any_work(
    capsys, tmp_path, monkeypatch
):
    import advisor.embedded

    base = tmp_path / "base"
    base.mkdir()
    (base / "tokenizer_config.json").write_text('{"chat_template": "<start_of_turn>user"}')
    monkeypatch.setattr(advisor.embedded, "resolve_chat_model", lambda name, settings: str(base))
    out = tmp_path / "out"
    code, _, err = run(
        capsys, "export", "smollm2-135m-instruct", "--format", "ollama", "--out", str(out)
    )
    last = err.strip().splitlines()[-1]  # after the bar of the base model's preparation
    assert code == 2 and last.startswith("error: ") and "ChatML" in last
    assert not out.exists()
