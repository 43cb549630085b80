"""The warm-model use case: it reaches the process only through backend methods."""

from __future__ import annotations

from typing import Any

import pytest

from advisor import registry
from advisor.app.warm import warm_control
from advisor.errors import CapabilityError
from advisor.settings import Settings


class WarmStub:
    def __init__(self, status: dict[str, Any] | None) -> None:
        self.status = status
        self.started: list[str | None] = []

    def warm_status(self) -> dict[str, Any] | None:
        return self.status

    def warm_start(self, model: str | None) -> dict[str, Any]:
        self.started.append(model)
        return self.status or {}

    def warm_stop(self) -> bool:
        return self.status is not None


def test_reports_come_from_the_backend_methods(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub = WarmStub({"pid": 7, "socket": "/s", "models": ["m"], "requests": 3, "extra": 1})
    monkeypatch.setattr(registry, "get_backend", lambda name, settings: stub)
    report = warm_control("status", settings)
    assert report.running and report.pid == 7 and report.models == ["m"] and report.requests == 3
    assert warm_control("start", settings, "gemma-3-270m").pid == 7
    assert stub.started == ["gemma-3-270m"]
    assert warm_control("stop", settings).stopped
    stub.status = None
    assert not warm_control("status", settings).running
    assert not warm_control("stop", settings).stopped


def test_a_backend_without_a_warm_process_is_a_clear_error(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "get_backend", lambda name, settings: object())
    with pytest.raises(CapabilityError, match="no warm model process"):
        warm_control("status", settings)
