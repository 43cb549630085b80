"""``python``: user code ``def grade(sample, item) -> float`` in an operating-system sandbox.

Grader code may come from someone else (a client, a shared scenario), so it runs
in bubblewrap (``sandbox.py``): no network, no view of the product's files,
environment or processes, a size-capped private ``/tmp``, and limits on CPU
time, memory, file size and output; inside, a trusted harness runs the code in
a worker that cannot start processes or programs (``_sandbox_child.py``).
docs/security.md has the threat model and every flag.

Where bubblewrap is unavailable (other systems, not installed) code graders are
refused unless the user opts in to running trusted code unsandboxed
(``ADVISOR_GRADERS__ALLOW_UNSANDBOXED=1``).

A score is a finite number from 0 to 1.  A grader that times out, runs out of
memory, returns anything else or breaks a limit scores 0 with the reason in
``details["error"]``: a bad sample must not stop an RFT run.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field

from advisor.errors import ConfigError, GraderError
from advisor.graders import sandbox
from advisor.graders.base import Grader, GradeResult, GraderSpec, Sample

log = logging.getLogger(__name__)

# OpenAI's documented limits for python graders, which ours follow: source under
# 256 kB, 2 minutes, 2 GB of memory, no network (docs/security.md).
MAX_SOURCE_BYTES = 256 * 1024
MAX_TIMEOUT_S = 120.0
MAX_MEMORY_MB = 2048


class PythonSpec(GraderSpec):
    type: Literal["python"] = "python"
    source: str
    image_tag: str | None = Field(default=None, description="OpenAI field; ignored locally.")
    timeout_s: float = Field(
        default=5.0, gt=0, le=MAX_TIMEOUT_S, description="Per grade() call (OpenAI: 2 minutes)."
    )
    memory_mb: int = Field(
        default=512, ge=64, le=MAX_MEMORY_MB, description="Address-space limit of the worker."
    )


class PythonGrader(Grader):
    type = "python"
    spec: PythonSpec
    default_threshold = 1.0

    def __init__(self, spec: PythonSpec, *, allow_unsandboxed: bool | None = None) -> None:
        """``allow_unsandboxed`` None reads ``graders.allow_unsandboxed`` when it matters."""
        super().__init__(spec)
        self._allow_unsandboxed = allow_unsandboxed
        self._warned = False
        size = len(spec.source.encode("utf-8"))
        if size >= MAX_SOURCE_BYTES:
            raise GraderError.from_catalog(
                "core.graders.source_too_big",
                hint_key="core.graders.source_too_big_hint",
                name=repr(spec.name),
                size=size,
            )
        try:  # syntax only: compiling does not run anything
            compile(spec.source, f"<grader {spec.name}>", "exec")
        except SyntaxError as exc:
            raise GraderError.from_catalog(
                "core.graders.syntax_error",
                hint_key="core.graders.syntax_error_hint",
                name=repr(spec.name),
                line=exc.lineno,
                error=exc.msg,
            ) from exc

    def score(self, sample: Sample, item: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        result = self.grade_batch([sample], [item])[0]
        return result.score, result.details

    def grade(self, sample: Sample, item: dict[str, Any]) -> GradeResult:
        return self.grade_batch([sample], [item])[0]

    def check_runnable(self) -> None:
        """Raise now, not mid-run, when this grader could not run here.

        Raises:
            ConfigError: no sandbox and no opt-in to running unsandboxed.
        """
        self._sandboxed()

    def _sandboxed(self) -> bool:
        reason = sandbox.unavailable_reason()
        if reason is None:
            return True
        allowed = self._allow_unsandboxed
        if allowed is None:
            from advisor.settings import load_settings

            allowed = load_settings().graders.allow_unsandboxed
        if not allowed:
            raise ConfigError.from_catalog(
                "core.graders.no_sandbox",
                hint_key="core.graders.no_sandbox_hint",
                name=repr(self.name),
                reason=reason,
            )
        if not self._warned:
            self._warned = True
            log.warning("running python grader %r without a sandbox: %s", self.name, reason)
        return False

    def grade_batch(
        self, samples: Sequence[Sample], items: Sequence[dict[str, Any]]
    ) -> list[GradeResult]:
        """One sandbox for the whole batch: starting it is the expensive part.

        Raises:
            ConfigError: no sandbox and no opt-in to running unsandboxed.
        """
        if not samples:
            return []
        sandboxed = self._sandboxed()
        cases = [{"sample": s.model_dump(), "item": i} for s, i in zip(samples, items, strict=True)]
        request = {
            "source": self.spec.source,
            "timeout_s": self.spec.timeout_s,
            "memory_mb": self.spec.memory_mb,
            "file_mb": sandbox.DISK_MB,
            "cases": cases,
        }
        # Every case may time out and restart a worker (load + call), plus start-up.
        budget = self.spec.timeout_s * (2 * len(cases) + 1) + sandbox.STARTUP_S
        outcome = sandbox.run(request, budget, sandboxed=sandboxed)
        return [self._result(outcome, index) for index in range(len(cases))]

    def _result(self, outcome: sandbox.Outcome, index: int) -> GradeResult:
        message = outcome.results.get(index)
        if message is None:
            return self._failed(outcome.failure or "the grader returned no result", outcome.log)
        if isinstance(message.get("error"), str):
            return self._failed(message["error"], outcome.log)
        value = message.get("score")
        # The harness checked it already; the product checks again before trusting it.
        if type(value) is not float or not math.isfinite(value) or not 0.0 <= value <= 1.0:
            return self._failed(f"invalid score {value!r}: must be a finite number from 0 to 1", "")
        return GradeResult(score=value, passed=value >= self.threshold)

    @staticmethod
    def _failed(reason: str, output: str) -> GradeResult:
        details: dict[str, Any] = {"error": reason}
        if output.strip():
            details["output"] = output
        return GradeResult(score=0.0, passed=False, details=details)


def check_runnable(grader: Grader) -> None:
    """Refuse early when ``grader`` (or a grader inside a ``multi``) is code that cannot run here.

    Raises:
        ConfigError: a python grader, no sandbox and no opt-in to running unsandboxed.
    """
    if isinstance(grader, PythonGrader):
        grader.check_runnable()
    for child in getattr(grader, "children", {}).values():
        check_runnable(child)
