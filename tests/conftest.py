"""Shared fixtures: every test gets its own data directory; the model cache is shared.

The cache directory (the embedded model converted to safetensors) is shared
across the whole run, and across runs, so the one-off conversion is paid once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.settings import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point all state at a fresh folder and drop keys, so tests never see the user's."""
    data_dir = tmp_path / "advisor-data"
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(data_dir))
    # ADVISOR_DATA_DIR alone would move the converted model under it too: keep the
    # shared cache, so that tests do not convert the embedded model again each time.
    if not os.environ.get("ADVISOR_CACHE_DIR"):
        import platformdirs

        monkeypatch.setenv("ADVISOR_CACHE_DIR", platformdirs.user_cache_dir("advisor"))
    for name in (
        "OPENAI_API_KEY",
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_ENDPOINT",
        "OPENAI_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith("ADVISOR_") and name not in ("ADVISOR_DATA_DIR", "ADVISOR_CACHE_DIR"):
            monkeypatch.delenv(name, raising=False)
    # No warm model server per test: tests that want one turn it on and stop it.
    monkeypatch.setenv("ADVISOR_LOCAL__WARM", "false")
    # Nor a calibration run before every local job or bench (tests/integration/
    # test_calibration_local.py measures one on purpose).
    monkeypatch.setenv("ADVISOR_LOCAL__AUTO_CALIBRATE", "false")
    # float32 whatever the CPU: tests compare greedy answers across engines, batch shapes
    # and processes, which bf16 rounding may flip, and store float32 calibrations
    # (tests/integration/test_precision_local.py runs bfloat16 on purpose).
    monkeypatch.setenv("ADVISOR_LOCAL__DTYPE", "float32")
    # A config file in the developer's working directory must not leak into tests.
    monkeypatch.chdir(tmp_path)
    from advisor.cli import context

    context.settings.cache_clear()
    from advisor import messages

    messages.set_lang(None)  # `advisor --lang` of an earlier test must not leak
    from backends.fake import FakeBackend

    FakeBackend.clear_replies()
    yield data_dir
    context.settings.cache_clear()


@pytest.fixture
def settings(isolated_state: Path) -> Settings:
    return load_settings()


@pytest.fixture
def shared_data() -> Path:
    """The reference data beside the checkout; skips when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA} (only in the dev workspace)")
    return SHARED_DATA


@pytest.fixture(autouse=True, scope="session")
def _no_stray_warm_servers() -> Iterator[None]:
    """Stop every warm model server this test run started, whatever the tests did."""
    yield
    import sys

    client = sys.modules.get("backends.local.warm_client")
    if client is not None:
        client.stop_spawned()
