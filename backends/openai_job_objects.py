"""OpenAI's fine-tuning objects and ours: request checks, payloads and conversions.

Pure functions (no client, no store) used by :mod:`backends.openai_jobs`:
the API's documented limits checked before anything is uploaded, the ``method``
payload, local validation of the files, and the provider's job, event and
checkpoint objects turned into :mod:`backends.jobs` models.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor import messages
from advisor.errors import DataFileError, UserInputError
from advisor.messages import Localized
from backends.finetuning import refusal
from backends.jobs import (
    OPENAI_METHOD_TYPES,
    Checkpoint,
    FineTuneJob,
    Hyperparameters,
    JobErrorInfo,
    JobEvent,
    JobRequest,
    Method,
    RFTSettings,
    method_settings,
)
from backends.openai_graders import to_openai_grader

# The metadata key that makes job creation idempotent.
CLIENT_ID_KEY = "advisor_client_id"
# Pages fetched per listing; a server that always says has_more must not loop forever.
MAX_PAGES = 20
_METHODS_BY_TYPE: dict[str, Method] = {v: k for k, v in OPENAI_METHOD_TYPES.items()}  # type: ignore[misc]

# --- request checks ---------------------------------------------------------------------


def method_payload(request: JobRequest) -> dict[str, Any]:
    """OpenAI's ``method`` object for the request (hyperparameters: only those set)."""
    kind = OPENAI_METHOD_TYPES[request.method]
    settings = method_settings(request)
    hyper = settings.model_dump(exclude={"grader"}, exclude_none=True)
    hyper = {k: v for k, v in hyper.items() if v != "auto"}  # "auto" is the API default
    body: dict[str, Any] = {}
    if hyper:
        body["hyperparameters"] = hyper
    if isinstance(settings, RFTSettings):
        body["grader"] = to_openai_grader(settings.grader)
    return {"type": kind, kind: body}


@dataclass(frozen=True)
class Problems:
    """The request's problems as one value of a message: "; "-joined, or 。-joined in Japanese."""

    found: tuple[Localized, ...]

    def __str__(self) -> str:
        return "; ".join(str(problem) for problem in self.found)

    def localized(self, lang: str) -> str:
        if lang == "en":
            return str(self)
        return "。".join(messages.text(p.key, lang, **p.values) for p in self.found)


def _limit(name: str, **values: object) -> Localized:
    return Localized(f"core.openai.limit.{name}", values)


def check_limits(request: JobRequest, metadata: dict[str, str]) -> None:
    """The API's documented limits, checked before anything is uploaded or paid."""
    problems: list[Localized] = []
    if request.suffix is not None and not 1 <= len(request.suffix) <= 64:
        problems.append(_limit("suffix"))
    if request.seed is not None and not 0 <= request.seed <= 2_147_483_647:
        problems.append(_limit("seed"))
    if len(metadata) > 16:
        problems.append(_limit("metadata_pairs", meta_key=CLIENT_ID_KEY))
    for key, value in metadata.items():
        if len(key) > 64 or len(value) > 512:
            problems.append(_limit("metadata_size", entry=repr(key)))
    hp = request.hyperparameters
    ranges: tuple[tuple[str, object, int, int], ...] = (
        ("n_epochs", hp.n_epochs, 1, 50),
        ("batch_size", hp.batch_size, 1, 256),
    )
    for field, amount, low, high in ranges:
        if isinstance(amount, int) and not low <= amount <= high:
            problems.append(_limit("range", field=field, low=low, high=high))
    lr = hp.learning_rate_multiplier
    if isinstance(lr, int | float) and lr <= 0:
        problems.append(_limit("learning_rate"))
    if isinstance(hp.beta, int | float) and not 0 < hp.beta <= 2:
        problems.append(_limit("beta"))
    if problems:
        raise UserInputError.from_catalog(
            "core.openai.invalid_request", problems=Problems(tuple(problems))
        )


def validate_training_file(path: str, request: JobRequest) -> int:
    """Run the data toolkit's validation; the number of examples, or DataFileError."""
    from advisor.data.validate import validate_file

    file = Path(path)
    if not file.is_file():
        raise DataFileError.from_catalog(
            "core.openai.file_not_found", hint_key="core.openai.file_not_found_hint", path=str(file)
        )
    with tempfile.TemporaryDirectory(prefix="advisor-grader-") as folder:
        grader_path = None
        if request.grader is not None:
            # validate_file reads the grader from a file to learn which item fields it uses.
            grader_path = Path(folder) / "grader.json"
            grader_path.write_text(json.dumps(request.grader), encoding="utf-8")
        report = validate_file(file, request.method, grader=grader_path)
    if not report.ok:
        raise refusal(str(file), report, method=request.method, note="; nothing was uploaded")
    return int(report.examples)


# --- provider objects -> ours -----------------------------------------------------------


def _clean_hyperparameters(raw: Any) -> Hyperparameters:
    data = raw.model_dump() if hasattr(raw, "model_dump") else dict(raw or {})
    known = {"n_epochs": int, "batch_size": int, "learning_rate_multiplier": float, "beta": float}
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        want = known.get(key)
        if want is None or value == "auto" or isinstance(value, want | int):
            clean[key] = value
    return Hyperparameters.model_validate(clean)


def _epoch(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and value > 0 else None


def job_from_remote(remote: Any, backend: str, stored: FineTuneJob | None) -> FineTuneJob:
    """Our job object for the SDK's ``FineTuningJob`` (local extras kept from ``stored``)."""
    method_obj = getattr(remote, "method", None)
    kind = getattr(method_obj, "type", None)
    method: Method = _METHODS_BY_TYPE.get(kind or "", stored.method if stored else "sft")
    raw_hyper = getattr(remote, "hyperparameters", None)
    if method_obj is not None and kind:
        per_method = getattr(method_obj, kind, None)
        raw_hyper = getattr(per_method, "hyperparameters", None) or raw_hyper
    error = getattr(remote, "error", None)
    error_info = None
    if error is not None and (error.code or error.message) and remote.status == "failed":
        error_info = JobErrorInfo(code=error.code or "error", message=error.message or "")
    extras = stored.model_extra if stored is not None and stored.model_extra else {}
    return FineTuneJob(
        id=remote.id,
        backend=backend,
        method=method,
        model=remote.model,
        status=remote.status,
        created_at=_epoch(remote.created_at) or (stored.created_at if stored else time.time()),
        finished_at=_epoch(remote.finished_at),
        hyperparameters=_clean_hyperparameters(raw_hyper),
        training_file=remote.training_file,
        validation_file=remote.validation_file,
        suffix=stored.suffix if stored else None,
        seed=remote.seed if remote.seed is not None else (stored.seed if stored else None),
        fine_tuned_model=remote.fine_tuned_model,
        error=error_info,
        trained_tokens=remote.trained_tokens,
        # Kept from the store too: the client id must survive a provider that drops it.
        metadata={**(stored.metadata if stored else {}), **(remote.metadata or {})},
        remote_id=remote.id,
        **extras,
    )


def event_from_remote(remote: Any) -> JobEvent:
    data = remote.data if isinstance(remote.data, dict) else None
    return JobEvent(
        id=remote.id,
        created_at=float(remote.created_at),
        level=str(remote.level),
        message=remote.message,
        type=str(remote.type or "message"),
        data=data or None,
    )


def checkpoint_from_remote(remote: Any) -> Checkpoint:
    raw = remote.metrics.model_dump() if remote.metrics is not None else {}
    metrics = {k: float(v) for k, v in raw.items() if isinstance(v, int | float)}
    return Checkpoint(
        id=remote.id,
        step=int(remote.step_number),
        created_at=float(remote.created_at),
        metrics=metrics,
        location=remote.fine_tuned_model_checkpoint,
    )


def pages(first: Any) -> Iterable[Any]:
    """Items of a cursor page and its successors, bounded and stopping when stuck."""
    page = first
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        fresh = [item for item in page.data if getattr(item, "id", None) not in seen]
        yield from fresh
        seen.update(getattr(item, "id", "") for item in page.data)
        if not fresh or not page.has_next_page():
            return
        page = page.get_next_page()
