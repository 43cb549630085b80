"""Errors raised deeper in the core come from the catalog (issue 14 item 4): a new
English-only raise in a converted package fails here, and the catalog file of these
errors keeps to the core's rules."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
import yaml

from advisor import errors, messages
from advisor.errors import AdvisorError, DataFileError
from tests.conftest import REPO

# The product's error classes: raising one of them with a sentence of its own is English-only.
ERROR_CLASSES = {
    name
    for name, value in vars(errors).items()
    if inspect.isclass(value) and issubclass(value, AdvisorError)
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
CONVERTED = [
    "advisor",  # the whole core, shells included
    "backends",  # every backend, built-ins and the contract
]
ERROR_CATALOGS = [
    "messages_core_errors.yaml",
    "messages_backends_openai.yaml",
    "messages_backends_local.yaml",
    "messages_backends_engine.yaml",
    "messages_core_errors_data.yaml",
    "messages_core_errors_shell.yaml",
    "messages_core_errors_io.yaml",
    "messages_core_errors_bench.yaml",
]


def english_only(source: str) -> list[int]:
    """Lines that build a product error from a sentence (not from_catalog), raised or returned."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Raise | ast.Return) and isinstance(
            node.exc if isinstance(node, ast.Raise) else node.value, ast.Call
        ):
            call = node.exc if isinstance(node, ast.Raise) else node.value
            assert isinstance(call, ast.Call)
            if isinstance(call.func, ast.Name) and call.func.id in ERROR_CLASSES:
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("package", CONVERTED)
def test_a_converted_package_raises_no_error_without_the_catalog(package: str) -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{line}"
        for path in sorted(
            (REPO / package).rglob("*.py") if (REPO / package).is_dir() else [REPO / package]
        )
        for line in english_only(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_scan_finds_an_english_raise_and_return() -> None:
    source = (
        "def f():\n"
        "    raise UserInputError('no')\n"
        "def g():\n"
        "    return KnowledgeBaseError(f'x {y}')\n"
        "def h():\n"
        "    raise UserInputError.from_catalog('core.rag.k_too_small')\n"
        "def i():\n"
        "    raise ValueError('a programming error, not the user')\n"
    )
    assert english_only(source) == [2, 4]


@pytest.mark.parametrize("name", ERROR_CATALOGS)
def test_the_error_catalog_holds_core_keys_in_both_languages(name: str) -> None:
    data = yaml.safe_load((REPO / "advisor" / name).read_text("utf-8"))
    assert data and all(key.startswith("core.") for key in data)
    for key in data:
        text = messages.catalog()[key]
        assert messages.placeholders(text.en) == messages.placeholders(text.ja), key


# --- the export writers: English as before, Japanese whole ------------------------------


MODELFILES = [
    (
        "FROM ./m.gguf\nMESSAGE bob hi",
        "Modelfile line 2: 'bob' is not a message role: use system, user or assistant",
        "Modelfile の 2 行目: 'bob' はメッセージの役割ではありません。"
        "system、user、assistant のいずれかを指定してください",
    ),
    (
        "FROM ./m.gguf\nTEMPLATE {{ if .System }}",
        "Modelfile line 2: a block is never closed: add {{ end }}",
        "Modelfile の 2 行目: 閉じられていないブロックがあります。{{ end }} を加えてください",
    ),
    (
        'FROM ./m.gguf\nTEMPLATE """{{ .Prompt }',
        'Modelfile line 2: the """ opened here is never closed: close it with """',
        'Modelfile の 2 行目: ここで開いた """ が閉じられていません。""" で閉じてください',
    ),
    (
        "SYSTEM hi",
        "the Modelfile has no FROM line: add FROM ./model.gguf",
        "Modelfile に FROM の行がありません。FROM ./model.gguf を加えてください",
    ),
]


@pytest.mark.parametrize(("text", "english", "japanese"), MODELFILES)
def test_modelfile_checks_keep_their_english_and_speak_japanese(
    text: str, english: str, japanese: str
) -> None:
    from advisor.export.modelfile import parse_modelfile

    with pytest.raises(AdvisorError) as caught:
        parse_modelfile(text)
    assert (str(caught.value), caught.value.localized("ja")) == (english, japanese)
    assert caught.value.exit_code == 2


def test_gguf_writer_checks_keep_their_english_and_speak_japanese() -> None:
    from advisor.export.tensors import GGUF_ARCHITECTURES, gguf_arch

    with pytest.raises(AdvisorError) as caught:
        gguf_arch("mamba")
    supported = ", ".join(sorted(GGUF_ARCHITECTURES))
    assert str(caught.value) == (
        f"GGUF export supports the {supported} architecture, not 'mamba': "
        "export it with --format safetensors and convert that with llama.cpp"
    )
    assert caught.value.localized("ja") == (
        f"GGUF エクスポートが対応するアーキテクチャは {supported} で、"
        "'mamba' には対応していません。"
        "--format safetensors でエクスポートし、それを llama.cpp で変換してください"
    )


def test_grow_prompts_in_another_encoding_are_refused_in_japanese(tmp_path: Path) -> None:
    from advisor.app.grow_sources import load_distill_prompts
    from advisor.errors import DataFileError

    path = tmp_path / "prompts.txt"
    path.write_bytes("返品の方法を教えてください\n".encode("cp932"))
    with pytest.raises(DataFileError) as caught:
        load_distill_prompts(path)
    assert str(caught.value) == (
        f"{path}, line 1: the file is encoded in Shift_JIS (CP932), not UTF-8; save it as "
        "UTF-8 (e.g. iconv -f CP932 -t UTF-8) or pass --encoding cp932"
    )  # the sentence grow printed before
    japanese = caught.value.localized("ja")
    assert japanese.startswith(f"{path} の 1 行目: ")
    assert JAPANESE.search(japanese.removeprefix(f"{path} の 1 行目: ").split("(")[0])


def test_a_skip_reason_keeps_its_english_text_json_and_str() -> None:
    from advisor.rag.models import Skipped

    skip = Skipped.because("/d/x.xyz", "core.rag.skip.unsupported", suffix=".xyz")
    # The wizard logs str(skip); JSON has path and reason only.
    assert str(skip) == "path='/d/x.xyz' reason='unsupported file type .xyz'"
    assert skip.model_dump() == {"path": "/d/x.xyz", "reason": "unsupported file type .xyz"}
    shown = messages.text("rag.skipped", "ja", path="x.xyz", reason=skip.said())
    assert "対応していないファイル形式 .xyz" in shown


def test_an_error_quoted_in_a_message_follows_its_language() -> None:
    from advisor.errors import GraderError

    inner = GraderError.from_catalog(
        "core.graders.unknown_type",
        hint_key="core.graders.unknown_type_hint",
        kind="'x'",
        kinds="a",
    )
    english = messages.text("core.scenario_check.invalid_grader", "en", name="'g'", error=inner)
    assert english == "grader 'g': unknown grader type 'x': use one of: a"
    japanese = messages.text("core.scenario_check.invalid_grader", "ja", name="'g'", error=inner)
    assert japanese == "採点器 'g': 不明な採点器の種類 'x'。a のいずれかを指定してください"
    plain = ValueError("as the library wrote it")  # no localized(): quoted as it is
    assert messages.text("core.rag.query_failed", "ja", kb="k", error=plain).endswith(
        "（as the library wrote it）"
    )


def test_a_shipped_table_that_does_not_fit_is_named_in_both_languages() -> None:
    from advisor.criteria.lifecycle import parse_lifecycle

    with pytest.raises(DataFileError) as caught:
        parse_lifecycle([], path="lifecycle.yaml")
    english = str(caught.value)
    assert english.startswith("lifecycle.yaml: invalid lifecycle table at top level: "), english
    # pydantic's English stays in English; Japanese says the fix in Japanese.
    assert "Input should be a valid dictionary" in english
    assert caught.value.localized("ja") == (
        "lifecycle.yaml: ライフサイクル表が正しくありません（最上位: "
        "JSON のオブジェクト（名前と値の組）を指定してください）"
    )
