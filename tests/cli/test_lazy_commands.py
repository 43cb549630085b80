"""The CLI builds only the command it runs; a warm `advisor chat` imports no more than it needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from advisor.cli import app as cli_app
from advisor.cli.app import COMMANDS, build_app, command_of
from advisor.settings import load_settings
from backends.local.warm import WarmServer, bind
from backends.local.warm_protocol import ensure_private_dir, socket_path
from tests.backends.test_warm_protocol import StubBackend
from tests.conftest import REPO

PROBE = """
import json, sys
sys.argv = ["advisor", *json.loads(sys.argv[1])]
from advisor.cli.app import main
try:
    main()
except SystemExit:
    pass
print("\\n" + json.dumps(sorted(sys.modules)))
"""

# What a warm `advisor chat --backend local` must not import: the model libraries (the warm
# process holds the model), other backends' SDKs, and what only other commands use
# (numpy, YAML catalogs, file locks, the data toolkit, the use cases, the other commands).
NOT_FOR_A_WARM_CHAT = (
    "torch",
    "transformers",
    "sentence_transformers",
    "chromadb",
    "textual",
    "rich",
    "openai",
    "numpy",
    "yaml",
    "filelock",
    "advisor.data",
    "advisor.app",
    "advisor.bench",
    "advisor.rag",
    "advisor.cli.data",
    "advisor.cli.rag",
    "advisor.cli.bench",
    "advisor.cli.tune",
)


def _names(app: typer.Typer) -> list[str]:
    from typer.main import get_command

    group = get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return list(group.commands)


def test_the_table_names_every_command_in_help_order() -> None:
    # Typer lists commands before groups, each in the order they were registered.
    assert sorted(_names(cli_app.app)) == sorted(COMMANDS)


@pytest.mark.parametrize("command", sorted(set(COMMANDS.values())))
def test_a_module_registers_exactly_the_commands_the_table_gives_it(command: str) -> None:
    first = next(name for name, module in COMMANDS.items() if module == command)
    expected = [name for name, module in COMMANDS.items() if module == command]
    assert _names(build_app(first)) == expected


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["chat", "hi"], "chat"),
        (["--lang", "ja", "chat", "hi"], "chat"),
        (["--lang=ja", "data", "stats", "x"], "data"),
        (["--help"], None),
        (["--version"], None),
        (["nosuchcommand"], None),
        ([], None),
    ],
)
def test_the_command_is_found_after_the_root_options(args: list[str], command: str | None) -> None:
    assert command_of(args) == command


@pytest.fixture
def stub_warm_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A warm server for this test's settings that answers `echo: <prompt>` (no model)."""
    monkeypatch.setenv("ADVISOR_LOCAL__WARM", "true")
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = socket_path(settings)
    ensure_private_dir(path.parent)
    server = WarmServer(settings, bind(path), path, backend=StubBackend())
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield
    server.stopping.set()
    thread.join(10)
    server.listener.close()


def test_a_warm_chat_imports_neither_model_libraries_nor_other_commands(
    stub_warm_server: None, tmp_path: Path
) -> None:
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{path}" if path else str(REPO)}
    args = ["chat", "hi", "--backend", "local"]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=env,
    )
    lines = done.stdout.strip().splitlines()
    assert lines[0].strip() == "echo: hi", done.stderr  # the warm process answered
    modules = json.loads(lines[-1])
    loaded = sorted(
        m for m in modules if any(m == p or m.startswith(p + ".") for p in NOT_FOR_A_WARM_CHAT)
    )
    assert loaded == [], f"a warm `advisor chat` imported {loaded}"


def test_grow_offers_the_near_duplicate_index_s_own_threshold() -> None:
    from advisor.cli.data_grow import DEFAULT_THRESHOLD
    from advisor.data import near_dup

    assert DEFAULT_THRESHOLD == near_dup.DEFAULT_THRESHOLD
