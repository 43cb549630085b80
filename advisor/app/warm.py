"""Use case: the warm local model process (start, stop, status), for the CLI and the wizard.

The process itself belongs to the local backend (``backends/local/warm.py``);
the core reaches it only through the registry and three optional backend
methods (``warm_status``, ``warm_start``, ``warm_stop``), as it reaches presets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from advisor.errors import CapabilityError

if TYPE_CHECKING:
    from advisor.settings import Settings

Action = Literal["start", "stop", "status"]


class WarmReport(BaseModel):
    """``advisor backends warm ... --format json``."""

    enabled: bool = Field(description="local.warm: whether commands use the process.")
    running: bool
    stopped: bool = Field(default=False, description="This call stopped a running process.")
    pid: int | None = None
    socket: str | None = None
    models: list[str] = Field(default_factory=list)
    idle_s: float | None = None
    idle_timeout_s: float | None = None
    requests: int = 0
    busy: bool = False


def warm_control(action: Action, settings: Settings, model: str | None = None) -> WarmReport:
    """Run ``action`` on the warm local model process and report its state.

    Raises:
        CapabilityError: the local backend here has no warm process.
        BackendUnavailableError: ``start`` could not start it.
    """
    from advisor.registry import get_backend

    backend = get_backend("local", settings)
    method = getattr(backend, f"warm_{action}", None)
    if not callable(method):
        raise CapabilityError.from_catalog(
            "core.warm.unsupported", hint_key="core.warm.unsupported_hint"
        )
    enabled = settings.local.warm
    if action == "stop":
        return WarmReport(enabled=enabled, running=False, stopped=bool(method()))
    status = method(model) if action == "start" else method()
    if status is None:
        return WarmReport(enabled=enabled, running=False)
    fields = {k: status[k] for k in WarmReport.model_fields if k in status}
    return WarmReport(enabled=enabled, running=True, **fields)
