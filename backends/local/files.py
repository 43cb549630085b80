"""Per-job working files under ``<data dir>/jobs/<job id>/``.

``request.json`` (what to train, written once), ``worker.pid``, the control
files ``cancel`` and ``pause`` that the worker polls each step, ``worker.log``
(the worker's stderr) and ``checkpoints/`` (the trainer's output folder).
Control files, not only signals, so that a worker under ``accelerate launch``
(several processes) and a worker on a busy machine see the request reliably.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from advisor.settings import Settings
from backends.jobs import JobRequest


@dataclass(frozen=True)
class JobFiles:
    root: Path

    @classmethod
    def of(cls, settings: Settings, job_id: str) -> JobFiles:
        return cls(settings.data_dir / "jobs" / job_id)

    @property
    def request(self) -> Path:
        return self.root / "request.json"

    @property
    def pid(self) -> Path:
        return self.root / "worker.pid"

    @property
    def cancel(self) -> Path:
        return self.root / "cancel"

    @property
    def pause(self) -> Path:
        return self.root / "pause"

    @property
    def log(self) -> Path:
        return self.root / "worker.log"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    def write_request(self, request: JobRequest, *, merge: bool) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        body = {"request": request.model_dump(mode="json"), "merge": merge}
        self.request.write_text(json.dumps(body, indent=2))

    def read_request(self) -> tuple[JobRequest, bool]:
        body = json.loads(self.request.read_text())
        return JobRequest.model_validate(body["request"]), bool(body.get("merge"))

    def read_pid(self) -> int | None:
        try:
            return int(self.pid.read_text().strip())
        except (OSError, ValueError):
            return None

    def write_pid(self, pid: int) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.pid.with_suffix(".tmp")
        tmp.write_text(str(pid))
        os.replace(tmp, self.pid)

    def clear_controls(self) -> None:
        for path in (self.cancel, self.pause):
            path.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """True when ``pid`` runs and is not a zombie (a killed child not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no procfs (macOS): trust kill(0)
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")
