"""``python``: user code ``def grade(sample, item) -> float`` in a locked-down child process.

The child (``_sandbox_child.py``) runs under ``python -I -S`` with:

* CPU time and address-space limits (``resource.setrlimit`` before exec),
* a per-call wall-clock alarm, and a whole-batch wall-clock timeout in the parent,
* an audit hook that refuses sockets, subprocesses, native code and file writes
  outside a fresh temporary folder (its working directory),
* an empty environment, so no keys leak into user code.

A grader that times out, runs out of memory or breaks a rule scores 0 with the
reason in ``details["error"]``: a bad sample must not stop an RFT run.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from advisor.errors import GraderError
from advisor.graders.base import Grader, GradeResult, GraderSpec, Sample

CHILD = Path(__file__).with_name("_sandbox_child.py")


class PythonSpec(GraderSpec):
    type: Literal["python"] = "python"
    source: str
    image_tag: str | None = Field(default=None, description="OpenAI field; ignored locally.")
    timeout_s: float = Field(default=5.0, gt=0, le=600, description="Per grade() call.")
    memory_mb: int = Field(default=512, ge=64, description="Address-space limit of the child.")


def _limits(cpu_s: int, memory_mb: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
        memory = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024 * 1024, 16 * 1024 * 1024))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


class PythonGrader(Grader):
    type = "python"
    spec: PythonSpec
    default_threshold = 1.0

    def __init__(self, spec: PythonSpec) -> None:
        super().__init__(spec)
        try:  # syntax only: compiling does not run anything
            compile(spec.source, f"<grader {spec.name}>", "exec")
        except SyntaxError as exc:
            raise GraderError(
                f"grader {spec.name!r} has a syntax error on line {exc.lineno}: {exc.msg}",
                hint="fix the source; it must define grade(sample, item) -> float",
            ) from exc

    def score(self, sample: Sample, item: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        result = self.grade_batch([sample], [item])[0]
        return result.score, result.details

    def grade(self, sample: Sample, item: dict[str, Any]) -> GradeResult:
        return self.grade_batch([sample], [item])[0]

    def grade_batch(
        self, samples: Sequence[Sample], items: Sequence[dict[str, Any]]
    ) -> list[GradeResult]:
        """One child process for the whole batch: process start-up is the expensive part."""
        if not samples:
            return []
        cases = [{"sample": s.model_dump(), "item": i} for s, i in zip(samples, items, strict=True)]
        payload = json.dumps(
            {"source": self.spec.source, "timeout_s": self.spec.timeout_s, "cases": cases}
        )
        budget = self.spec.timeout_s * (len(cases) + 1)
        with tempfile.TemporaryDirectory(prefix="advisor-grader-") as workdir:
            try:
                done = subprocess.run(
                    [sys.executable, "-I", "-S", str(CHILD)],
                    input=payload,
                    capture_output=True,
                    text=True,
                    cwd=workdir,
                    env={"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir},
                    timeout=budget + 5,
                    preexec_fn=_limits(int(budget) + 2, self.spec.memory_mb),
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return self._all_failed(len(cases), f"timeout: the grader ran past {budget:.0f} s")
        lines = [line for line in done.stdout.splitlines() if line.startswith('{"results"')]
        if not lines:
            reason = _death_reason(done.returncode, done.stderr)
            return self._all_failed(len(cases), reason)
        outcomes: list[dict[str, Any]] = json.loads(lines[-1])["results"]
        results = []
        for outcome in outcomes:
            if "error" in outcome:
                results.append(GradeResult(score=0.0, passed=False, details=outcome))
            else:
                value = float(outcome["score"])
                results.append(GradeResult(score=value, passed=value >= self.threshold))
        return results

    @staticmethod
    def _all_failed(count: int, reason: str) -> list[GradeResult]:
        return [GradeResult(score=0.0, passed=False, details={"error": reason})] * count


def _death_reason(returncode: int, stderr: str) -> str:
    import signal

    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return "timeout: the grader used up its CPU time"
    if "MemoryError" in stderr:
        return "memory limit: the grader allocated too much memory"
    last = stderr.strip().splitlines()[-1:] or [f"exit status {returncode}"]
    return f"the grader process failed: {last[0]}"
