"""Ask a route one question; the answer's sources, once each, for people to read."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from advisor.routes import PrepareReport, Route, RouteAnswer, SourceRef
    from backends.types import GenerationParams


class AskResult(BaseModel):
    """``advisor ask --format json``: the route's answer plus preparation warnings."""

    text: str
    sources: list[dict[str, Any]]
    usage: dict[str, int]
    latency_s: float
    backend: str
    model: str
    route: str
    warnings: list[str] = Field(default_factory=list)


@dataclass
class Asked:
    """An answer and what preparing its route reported (its warnings)."""

    answer: RouteAnswer
    report: PrepareReport | None = None

    @property
    def warnings(self) -> list[str]:
        """The preparation warnings in English, as the JSON keeps them."""
        return [] if self.report is None else list(self.report.warnings)

    def warnings_in(self, lang: str) -> list[str]:
        """The preparation warnings for a person reading ``lang``."""
        return [] if self.report is None else self.report.warnings_in(lang)

    def result(self) -> AskResult:
        answer = self.answer
        return AskResult(
            text=answer.text,
            sources=[s.model_dump() for s in answer.sources],
            usage={
                "prompt_tokens": answer.usage.prompt_tokens,
                "completion_tokens": answer.usage.completion_tokens,
                "total_tokens": answer.usage.total_tokens,
            },
            latency_s=round(answer.latency_s, 4),
            backend=answer.backend,
            model=answer.model,
            route=answer.route,
            warnings=self.warnings,
        )


def prepare(route: Route, cancel: threading.Event | None = None) -> PrepareReport:
    """Prepare the route (cancellable: Ctrl+C sets ``cancel``); its report, whose
    warnings a shell says with ``warnings_in(lang)`` (``warnings``: the English)."""
    cancel = cancel or threading.Event()
    try:
        return route.prepare(cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()
        raise


def ask(route: Route, question: str, params: GenerationParams | None = None) -> Asked:
    """Prepare (once) and answer ``question``."""
    report = prepare(route)
    return Asked(answer=route.answer(question, params), report=report)


class SourceLine(BaseModel):
    """One source file of an answer: shown once, however many of its chunks were used."""

    path: str = Field(description="Relative to the knowledge folder where possible.")
    numbers: list[int] = Field(description="The [n] the answer could cite for its chunks.")
    cited: bool
    distance: float = Field(description="The nearest of its chunks.")

    def label(self) -> str:
        mark = "*" if self.cited else "-"
        numbers = ",".join(str(n) for n in self.numbers)
        return f"{mark} {self.path} [{numbers}]"


def source_lines(sources: list[SourceRef], roots: list[Path] | None = None) -> list[SourceLine]:
    """The answer's sources, one line per file in retrieval order, cited ones marked.

    Paths are relative to the first of ``roots`` (the knowledge folders) that holds
    them, else to the folder all the sources share.
    """
    lines: dict[str, SourceLine] = {}
    for number, ref in enumerate(sources, start=1):
        line = lines.get(ref.source)
        if line is None:
            lines[ref.source] = SourceLine(
                path=ref.source, numbers=[number], cited=ref.cited, distance=ref.distance
            )
            continue
        line.numbers.append(number)
        line.cited = line.cited or ref.cited
        line.distance = min(line.distance, ref.distance)
    base = _common_folder(list(lines))
    for line in lines.values():
        line.path = relative_path(line.path, [*(roots or []), *([base] if base else [])])
    return list(lines.values())


def relative_path(source: str, roots: list[Path]) -> str:
    """``source`` relative to the first root that holds it; unchanged otherwise."""
    path = Path(source)
    for root in roots:
        try:
            return str(path.relative_to(root.expanduser().resolve()))
        except ValueError:
            try:
                return str(path.relative_to(root))
            except ValueError:
                continue
    return source


def _common_folder(sources: list[str]) -> Path | None:
    folders = [str(Path(s).parent) for s in sources if Path(s).is_absolute()]
    if not folders:
        return None
    try:
        return Path(os.path.commonpath(folders))
    except ValueError:  # different drives
        return None
