"""The export manifest and the Ollama Modelfile: written, parsed, refused when wrong."""

from __future__ import annotations

import hashlib
import json

import pytest
from pydantic import ValidationError

from advisor import __version__
from advisor.app.export import stop_tokens
from advisor.errors import UserInputError
from advisor.export.manifest import (
    MANIFEST_FILE,
    ExportManifest,
    fingerprint,
    record_files,
    write_manifest,
)
from advisor.export.modelfile import (
    CHATML_TEMPLATE,
    build_modelfile,
    check_go_template,
    default_system,
    parse_modelfile,
)

SMOLLM_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
    "Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + "
    "message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
)
GEMMA_TEMPLATE = "{{ bos_token }}{% for m in messages %}<start_of_turn>user\n{% endfor %}"


# --- manifest ------------------------------------------------------------------------------


def test_the_manifest_lists_every_file_with_its_hash_but_itself(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.gguf").write_bytes(b"gguf")
    (tmp_path / "sub" / "a.json").write_text("{}")
    manifest = ExportManifest(model="m", format="gguf", precision="f32", base_model="m")
    write_manifest(record_files(manifest, tmp_path), tmp_path)
    again = record_files(manifest, tmp_path)  # the manifest file itself is never listed
    assert [f.path for f in again.files] == ["b.gguf", "sub/a.json"]
    assert again.files[0].sha256 == hashlib.sha256(b"gguf").hexdigest()
    assert again.files[0].bytes == 4
    written = ExportManifest.model_validate_json((tmp_path / MANIFEST_FILE).read_text())
    assert written.advisor_version == __version__ and written.created_at.endswith("Z")


def test_data_fingerprints_hash_the_file_or_say_it_is_gone(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text('{"messages": []}\n')
    found = fingerprint("training", str(data))
    assert found.sha256 == hashlib.sha256(data.read_bytes()).hexdigest()
    assert found.bytes == data.stat().st_size
    gone = fingerprint("validation", str(tmp_path / "moved.jsonl"))
    assert gone.sha256 is None and gone.bytes is None


def test_the_manifest_refuses_unknown_formats_and_fields():
    with pytest.raises(ValidationError):
        ExportManifest(model="m", format="onnx", base_model="m")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        ExportManifest.model_validate({"model": "m", "format": "gguf", "base_model": "m", "x": 1})


# --- Modelfile -----------------------------------------------------------------------------


def test_a_built_modelfile_parses_back_with_its_template_system_and_stops():
    text = build_modelfile("model.gguf", SMOLLM_TEMPLATE, stop=["<|im_end|>", "<|im_end|>"])
    parsed = parse_modelfile(text)
    assert parsed.values("FROM") == ["./model.gguf"]
    assert parsed.values("TEMPLATE") == [CHATML_TEMPLATE]
    assert parsed.values("SYSTEM") == [
        "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
    ]
    assert parsed.values("PARAMETER") == ['stop "<|im_end|>"']  # duplicates dropped


def test_a_given_system_prompt_replaces_the_default_and_may_span_lines():
    text = build_modelfile("model.gguf", SMOLLM_TEMPLATE, system="Answer in JSON.\nBe brief.")
    assert parse_modelfile(text).values("SYSTEM") == ["Answer in JSON.\nBe brief."]


def test_default_system_is_found_in_escaped_and_plain_templates():
    assert default_system(SMOLLM_TEMPLATE.replace("\n", "\\n")) == default_system(SMOLLM_TEMPLATE)
    assert default_system("{{ '<|im_start|>' }}") is None


def test_a_template_that_is_not_chatml_is_refused_not_guessed():
    with pytest.raises(UserInputError, match="ChatML") as raised:
        build_modelfile("model.gguf", GEMMA_TEMPLATE)
    assert "--format gguf" in str(raised.value)


def test_a_system_prompt_with_triple_quotes_is_refused():
    with pytest.raises(UserInputError, match='"""'):
        build_modelfile("model.gguf", SMOLLM_TEMPLATE, system='say """hi"""')


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("FROM ./m.gguf\nTEMPERATURE 1", "line 2: unknown instruction 'TEMPERATURE'"),
        ("FROM ./m.gguf\nPARAMETER colour blue", "line 2: 'colour blue' is not a known"),
        ("FROM ./m.gguf\nPARAMETER stop", "line 2"),
        ('FROM ./m.gguf\n\nSYSTEM """never\nclosed', 'line 3: the """ opened here'),
        ("SYSTEM hi", "no FROM line"),
        ("FROM ./m.gguf\nMESSAGE robot hi", "'robot' is not a message role"),
        ('FROM ./m.gguf\nTEMPLATE """{{ if .System }}x"""', "a block is never closed"),
        ('FROM ./m.gguf\nTEMPLATE """x{{ end }}"""', "closes nothing"),
    ],
)
def test_the_parser_names_the_line_and_the_problem(text, says):
    with pytest.raises(UserInputError) as raised:
        parse_modelfile(text)
    assert says in str(raised.value)


def test_instructions_are_case_insensitive_and_comments_skipped():
    parsed = parse_modelfile("# a comment\nfrom ./m.gguf\nparameter temperature 0\n")
    assert [i.name for i in parsed.instructions] == ["FROM", "PARAMETER"]
    assert parsed.instructions[1].line == 3


def test_the_chatml_template_balances():
    check_go_template(CHATML_TEMPLATE)
    with pytest.raises(UserInputError, match="unbalanced"):
        check_go_template("{{ .Role }")


def test_stop_tokens_come_from_the_generation_config(tmp_path):
    spec = {
        "model": {"type": "BPE", "vocab": {"a": 0}},
        "added_tokens": [{"id": 2, "content": "<|im_end|>"}, {"id": 3, "content": "<eos>"}],
    }
    (tmp_path / "tokenizer.json").write_text(json.dumps(spec))
    assert stop_tokens(tmp_path) == []
    (tmp_path / "generation_config.json").write_text(json.dumps({"eos_token_id": [3, 2, 99]}))
    assert stop_tokens(tmp_path) == ["<eos>", "<|im_end|>"]
    (tmp_path / "generation_config.json").write_text(json.dumps({"eos_token_id": 2}))
    assert stop_tokens(tmp_path) == ["<|im_end|>"]
