"""The plugin of docs/plugins.md (examples/plugins) registers and is configured."""

from __future__ import annotations

import ast
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from advisor import plugins
from advisor.errors import ConfigError
from advisor.registry import backend_names, get_backend
from advisor.settings import load_settings
from backends.types import ChatMessage
from tests.conftest import REPO

PLUGIN = REPO / "examples" / "plugins" / "advisor_echo" / "__init__.py"
#: What a plugin may import from this project: the documented plugin API.
PUBLIC = {
    "advisor.errors",
    "advisor.ids",
    "advisor.settings",
    "backends.base",
    "backends.types",
    "backends.jobs",
    "backends.job_store",
    "backends.finetuning",
}


@pytest.fixture
def echo_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if `pip install examples/plugins` had registered the entry point."""
    monkeypatch.syspath_prepend(str(PLUGIN.parent.parent))
    builtin = plugins.installed()
    entry = EntryPoint("echo", "advisor_echo:EchoBackend", plugins.ENTRY_POINT_GROUP)
    monkeypatch.setattr(plugins, "installed", lambda: {**builtin, "echo": entry})


HELLO = [ChatMessage(role="user", content="hello")]


@pytest.mark.usefixtures("echo_installed")
def test_a_plugin_section_in_advisor_toml_is_accepted_and_typed(tmp_path: Path) -> None:
    (tmp_path / "advisor.toml").write_text('[echo]\nprefix = "toml says: "\n')
    settings = load_settings()
    assert "echo" in backend_names()
    assert get_backend("echo", settings).chat(HELLO).text == "toml says: hello"
    assert settings.public_dump()["echo"] == {"prefix": "toml says: ", "model": "echo-1"}


@pytest.mark.usefixtures("echo_installed")
def test_a_plugin_without_a_section_gets_its_defaults_and_its_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert get_backend("echo", load_settings()).chat(HELLO).text == "echo: hello"
    monkeypatch.setenv("ADVISOR_ECHO__PREFIX", "env says: ")
    assert get_backend("echo", load_settings()).chat(HELLO).text == "env says: hello"


@pytest.mark.usefixtures("echo_installed")
def test_a_bad_plugin_setting_names_the_field(tmp_path: Path) -> None:
    (tmp_path / "advisor.toml").write_text("[echo]\nprefix = [1]\n")
    with pytest.raises(ConfigError, match=r"echo\.prefix"):
        load_settings()


def test_a_section_no_backend_owns_is_still_refused(tmp_path: Path) -> None:
    (tmp_path / "advisor.toml").write_text("[nope]\nx = 1\n")
    with pytest.raises(ConfigError, match="no installed backend is called 'nope'"):
        load_settings()


def test_the_example_plugin_imports_only_the_public_api() -> None:
    tree = ast.parse(PLUGIN.read_text())
    ours = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        if node.module.split(".")[0] in ("advisor", "backends")
    }
    assert ours and ours <= PUBLIC, sorted(ours - PUBLIC)


def test_the_plugin_guide_shows_the_tested_example() -> None:
    guide = (REPO / "docs" / "plugins.md").read_text()
    assert PLUGIN.read_text().strip() in guide
