"""``advisor backends warm status|stop`` without a running server (no model is loaded)."""

from __future__ import annotations

import json

import pytest

from advisor.cli.app import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, _ = capsys.readouterr()
    return int(exit_info.value.code or 0), out


def test_status_says_none_runs_and_whether_commands_would_use_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = run(capsys, "backends", "warm", "status", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["running"] is False and report["enabled"] is False
    monkeypatch.setenv("ADVISOR_LOCAL__WARM", "true")
    from advisor.cli import context

    context.settings.cache_clear()
    code, out = run(capsys, "backends", "warm", "status")
    assert code == 0 and "next local answer starts one" in out
    assert "local.warm is false" not in out


def test_stop_without_a_server_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "backends", "warm", "stop")
    assert code == 0 and out.strip() == "no warm local model was running"
