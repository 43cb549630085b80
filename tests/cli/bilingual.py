"""Run the CLI in process (in English and in Japanese) for the CLI tests."""

from __future__ import annotations

import re

import pytest

from advisor.cli.app import main

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``advisor ARGS``."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    code = exit_info.value.code
    # sys.exit("message") exits 1, as the interpreter does.
    return (code if isinstance(code, int) else 0 if code is None else 1), out, err


def both(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[tuple[int, str], tuple[int, str]]:
    """(exit, stderr) in English and in Japanese."""
    code_en, _, err_en = run(capsys, *args)
    code_ja, _, err_ja = run(capsys, "--lang", "ja", *args)
    return (code_en, err_en), (code_ja, err_ja)
