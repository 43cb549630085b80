"""Fine-tuning jobs on OpenAI and Azure OpenAI, mirrored into the local job store.

One code path for both providers (the job API has the same shape on each):

1. validate the JSONL files locally (``advisor.data.validate``): nothing that
   fails validation is ever uploaded;
2. serialise an RFT grader to OpenAI's grader object
   (:func:`backends.openai_graders.to_openai_grader`): a grader OpenAI does not
   accept is a local error before any request;
3. upload the files (``files.create(purpose="fine-tune")``);
4. create the job *idempotently*: the request carries a client-generated id in
   ``metadata[advisor_client_id]``; SDK retries are off for this one call and,
   after an ambiguous failure (timeout, connection drop, 5xx), the job is looked
   up by that tag before another attempt, so a retried create never pays twice;
5. mirror the job, its events and checkpoints into :class:`JobStore`, so
   ``advisor jobs`` shows remote jobs beside local ones.

A remote job is stored under the provider's id (``id == remote_id``), so the id
in the OpenAI dashboard, in ``advisor jobs`` and in the ``ft:`` model all agree.
Statuses and event types pass through as the provider sends them (open sets).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import (
    AdvisorError,
    BackendConnectionError,
    DataFileError,
    JobError,
    JobNotFoundError,
)
from advisor.messages import Localized
from backends.finetuning import StoredFineTuning
from backends.job_store import new_id
from backends.jobs import (
    OPENAI_METHOD_TYPES,
    FineTuneJob,
    JobErrorInfo,
    JobEvent,
    JobPreview,
    JobRequest,
    said_notes,
)
from backends.openai_errors import Action, doing, error_code
from backends.openai_job_objects import (
    CLIENT_ID_KEY,
    check_limits,
    checkpoint_from_remote,
    event_from_remote,
    job_from_remote,
    method_payload,
    pages,
    validate_training_file,
)

if TYPE_CHECKING:
    from backends.openai_backend import OpenAIBackend

# Status of a create whose outcome is not known yet (in flight, or the answer was
# lost); stored under the client id and resolved by the next retrieve.
UNCONFIRMED = "unconfirmed"
# Base models when the request names none: the current fine-tunable snapshots.
DEFAULT_BASE_MODELS: dict[str, str] = {
    "sft": "gpt-4.1-mini-2025-04-14",
    "dpo": "gpt-4.1-mini-2025-04-14",
    "rft": "o4-mini-2025-04-16",
}
# A created job may take a few seconds to appear in the provider's listing: after a
# lost create answer, look this many times, LISTING_POLL_S apart, before creating again.
LISTING_LOOKS = 6
LISTING_POLL_S = 2.0
# Azure imports an uploaded file before jobs may use it.
FILE_IMPORT_TIMEOUT_S = 600.0
FILE_IMPORT_POLL_S = 2.0

# --- the service --------------------------------------------------------------------------


class OpenAIFineTuning(StoredFineTuning):
    """Fine-tuning jobs through the OpenAI job API (api.openai.com or Azure OpenAI)."""

    def __init__(self, backend: OpenAIBackend) -> None:
        super().__init__(backend.settings, backend.name)
        self.backend = backend
        # Seconds between create attempts; tests replace it.
        self.sleep: Callable[[float], None] = time.sleep

    def _fail(self, exc: Exception, action: Action, job_id: str | None = None) -> AdvisorError:
        return self.backend.translate(exc, action, job_id=job_id or "")

    def _translating(
        self, action: Action, job_id: str | None = None
    ) -> AbstractContextManager[None]:
        """Job calls: refusals become JobError, 404s JobNotFoundError (see openai_errors)."""
        return self.backend.translating(action, job_id=job_id or "")

    def _stored(self, job_id: str) -> FineTuneJob | None:
        try:
            return self.store.get_job(job_id)
        except JobNotFoundError:
            return None

    def _mirror(self, remote: Any, known: FineTuneJob | None = None) -> FineTuneJob:
        """Store the provider's job; ``known`` (or the stored copy) supplies local extras."""
        job = job_from_remote(remote, self.name, known or self._stored(remote.id))
        self.store.save_job(job)
        return job

    def _owned(self, job_id: str) -> FineTuneJob | None:
        """The stored job, if any; refuses jobs of other backends."""
        stored = self._stored(job_id)
        if stored is not None and stored.backend != self.name:
            raise JobError.from_catalog(
                "core.openai.job_of_other_backend",
                hint_key="core.openai.job_of_other_backend_hint",
                job=job_id,
                owner=stored.backend,
            )
        return stored

    def _confirm(self, pending: FineTuneJob) -> FineTuneJob:
        """Resolve an unconfirmed create: the provider's job if it exists, else ``pending``."""
        tag = pending.metadata.get(CLIENT_ID_KEY, pending.id)
        with self._translating(doing("look_up_job", job=pending.id)):
            remote = self._find_by_client_id(tag)
        if remote is None:
            return pending
        self.store.delete_job(pending.id)
        return self._mirror(remote, pending)

    def _remote_id(self, job_id: str) -> str:
        stored = self._owned(job_id)
        if stored is None:
            return job_id
        if stored.status == UNCONFIRMED and stored.remote_id is None:
            confirmed = self._confirm(stored)
            if confirmed.remote_id is None:
                raise JobError.from_catalog(
                    "core.openai.job_not_confirmed",
                    hint_key="core.openai.job_not_confirmed_hint",
                    job=job_id,
                    endpoint=self.backend.endpoint.label,
                )
            return confirmed.remote_id
        return stored.remote_id or job_id

    # --- preview and create ---------------------------------------------------------

    def preview(self, request: JobRequest) -> JobPreview:
        """Billed tokens and cost from the data toolkit, after local validation.

        Nothing is sent to the provider.  An explicit ``n_epochs`` replaces the
        default epochs OpenAI would pick, and scales tokens and cost with it.
        """
        from advisor.data.stats import compute_stats

        examples = validate_training_file(request.training_file, request)
        model = request.model or DEFAULT_BASE_MODELS[request.method]
        stats = compute_stats(
            request.training_file, request.method, model=model, settings=self.backend.settings
        )
        epochs = request.hyperparameters.n_epochs
        billed, cost = stats.billed_tokens, stats.estimated_cost_usd
        if isinstance(epochs, int) and stats.default_epochs:
            billed = stats.billed_tokens_per_epoch * epochs
            if cost is not None:
                cost = round(cost * epochs / stats.default_epochs, 4)
        else:
            epochs = stats.default_epochs
        kind = OPENAI_METHOD_TYPES[request.method]
        told = {"backend": self.name, "model": model, "kind": kind, "epochs": epochs}
        return JobPreview(
            examples=examples,
            billed_tokens=billed,
            estimated_cost_usd=cost,
            price_date=stats.price_date,
            **said_notes(
                Localized("core.tune.note_openai", told), stats.price_said or stats.price_note
            ),
        )

    def create(self, request: JobRequest) -> FineTuneJob:
        metadata = dict(request.metadata)
        client_id = metadata.setdefault(CLIENT_ID_KEY, new_id("req"))
        check_limits(request, metadata)
        method = method_payload(request)  # grader errors surface before any request
        with tempfile.TemporaryDirectory(prefix="advisor-grader-") as folder:
            self.validate_files(request, Path(folder), note="; nothing was uploaded")

        # The same client id created a job before (a caller's retry): that job it is.
        earlier = self.store.find_by_metadata(CLIENT_ID_KEY, client_id)
        if earlier is not None and earlier.backend == self.name:
            if earlier.status != UNCONFIRMED or earlier.remote_id is not None:
                return self.retrieve(earlier.id)
            # An earlier create's answer was lost: give the listing time to show it.
            with self._translating(doing("look_up_job", job=client_id)):
                remote = self._await_listing(client_id, LISTING_LOOKS)
            if remote is not None:
                self.store.delete_job(earlier.id)
                return self._mirror(remote, earlier)

        training = self._upload(request.training_file)
        validation = self._upload(request.validation_file) if request.validation_file else None
        extras = {"training_path": str(Path(request.training_file).resolve())}
        if request.validation_file:
            extras["validation_path"] = str(Path(request.validation_file).resolve())
        params: dict[str, Any] = {
            "model": request.model or DEFAULT_BASE_MODELS[request.method],
            "training_file": training,
            "method": method,
            "metadata": metadata,
        }
        for key, value in (
            ("validation_file", validation),
            ("suffix", request.suffix),
            ("seed", request.seed),
        ):
            if value is not None:
                params[key] = value
        # Stored before the request: if this process dies or the answer is lost,
        # `advisor jobs` shows the unconfirmed create and retrieve() resolves it.
        pending = FineTuneJob(
            id=client_id,
            backend=self.name,
            method=request.method,
            model=params["model"],
            status=UNCONFIRMED,
            training_file=training,
            validation_file=validation,
            suffix=request.suffix,
            seed=request.seed,
            metadata=metadata,
            error=JobErrorInfo.said(
                UNCONFIRMED, "core.openai.unconfirmed_note", client_id=client_id
            ),
            **extras,
        )
        self.store.save_job(pending)
        try:
            remote = self._create_once(params, client_id)
        except BackendConnectionError:
            raise  # still unknown: the pending record stays for the next look
        except Exception:
            self.store.delete_job(client_id)  # refused: nothing was created
            raise
        self.store.delete_job(client_id)
        return self._mirror(remote, pending)

    def _upload(self, path: str) -> str:
        file = Path(path)
        try:
            # Big files need longer than one API call: 5 s more per MB.
            timeout = self.backend.timeout_s + 5.0 * file.stat().st_size / 1_000_000
            handle = file.open("rb")
        except OSError as exc:
            raise DataFileError.from_catalog(
                "core.openai.cannot_read_file", path=str(file), error=exc.strerror
            ) from exc
        with handle, self._translating(doing("upload", file=file.name)):
            uploaded = self.backend.client.with_options(timeout=timeout).files.create(
                file=(file.name, handle), purpose="fine-tune"
            )
            if self.backend.waits_for_file_import:
                self._wait_for_import(uploaded, file)
        return str(uploaded.id)

    def _wait_for_import(self, uploaded: Any, file: Path) -> None:
        """Azure imports an upload before a job may use it; wait until it has."""
        deadline = time.monotonic() + FILE_IMPORT_TIMEOUT_S
        while uploaded.status != "processed":
            if uploaded.status in ("error", "failed", "deleted"):
                details = uploaded.status_details or uploaded.status
                raise DataFileError.from_catalog(
                    "core.openai.import_failed", path=str(file), backend=self.name, detail=details
                )
            if time.monotonic() > deadline:
                raise JobError.from_catalog(
                    "core.openai.import_timeout",
                    hint_key="core.openai.import_timeout_hint",
                    backend=self.name,
                    file=file.name,
                    file_id=uploaded.id,
                )
            self.sleep(FILE_IMPORT_POLL_S)
            uploaded = self.backend.client.files.retrieve(uploaded.id)

    def _create_once(self, params: dict[str, Any], client_id: str) -> Any:
        """Create the job at most once, however often the network fails."""
        import openai

        client = self.backend.client.with_options(max_retries=0)
        attempts = self.backend.max_retries + 1
        ambiguous = lost = False
        last: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                self.sleep(min(8.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2))
            try:
                if ambiguous:
                    # A lost answer may be a created job the listing does not show yet.
                    found = self._await_listing(client_id, LISTING_LOOKS if lost else 1)
                    if found is not None:
                        return found
                    ambiguous = False
                return client.fine_tuning.jobs.create(**params)
            except openai.APIConnectionError as exc:  # timeouts too: the answer was lost
                ambiguous, lost, last = True, True, exc
            except openai.InternalServerError as exc:
                ambiguous, last = True, exc  # it may have been created: look before retrying
            except openai.RateLimitError as exc:
                if error_code(exc) == "insufficient_quota":
                    raise self._fail(exc, doing("create_job")) from exc
                last = exc  # refused outright: nothing was created
            except openai.APIStatusError as exc:
                if exc.status_code >= 500:
                    ambiguous, last = True, exc
                    continue
                raise self._fail(exc, doing("create_job")) from exc
        assert last is not None
        if ambiguous:
            raise BackendConnectionError.from_catalog(
                "core.openai.create_unconfirmed",
                hint_key="core.openai.create_unconfirmed_hint",
                backend=self.name,
                meta_key=CLIENT_ID_KEY,
                client_id=client_id,
            ) from last
        raise self._fail(last, doing("create_job")) from last

    def _await_listing(self, client_id: str, looks: int) -> Any | None:
        """The job tagged ``client_id``, looked up ``looks`` times over the listing's lag."""
        for look in range(looks):
            if look:
                self.sleep(LISTING_POLL_S)
            found = self._find_by_client_id(client_id)
            if found is not None:
                return found
        return None

    def _find_by_client_id(self, client_id: str) -> Any | None:
        """The provider's job tagged with ``client_id``, if it exists."""
        import openai

        jobs = self.backend.client.with_options(max_retries=0).fine_tuning.jobs
        try:
            page = jobs.list(limit=20, metadata={CLIENT_ID_KEY: client_id})
        except openai.BadRequestError:
            # A server without the metadata filter: scan the newest jobs instead.
            page = jobs.list(limit=50)
        for remote in page.data:
            if (remote.metadata or {}).get(CLIENT_ID_KEY) == client_id:
                return remote
        return None

    # --- follow and control ---------------------------------------------------------

    def poll(self, job_id: str) -> FineTuneJob:
        stored = self._owned(job_id)
        if stored is not None and stored.status == UNCONFIRMED and stored.remote_id is None:
            return self._confirm(stored)
        remote_id = self._remote_id(job_id)
        with self._translating(doing("look_up_job", job=remote_id), remote_id):
            remote = self.backend.client.fine_tuning.jobs.retrieve(remote_id)
        return self._mirror(remote)

    def _sync_jobs(self, limit: int) -> None:
        with self._translating(doing("list_jobs")):
            page = self.backend.client.fine_tuning.jobs.list(limit=limit)
            remote = [job for _, job in zip(range(limit), pages(page), strict=False)]
        for job in remote:
            self._mirror(job)

    def _sync_events(self, job_id: str) -> str:
        remote_id = self._remote_id(job_id)
        known = {event.id for event in self.store.events(remote_id)}
        if self._stored(remote_id) is None:
            self.retrieve(remote_id)  # events need their job in the store
        fresh: list[JobEvent] = []
        with self._translating(doing("read_events", job=remote_id), remote_id):
            page = self.backend.client.fine_tuning.jobs.list_events(remote_id, limit=100)
            for remote in pages(page):  # newest first: stop at the first one we have
                if remote.id in known:
                    break
                fresh.append(event_from_remote(remote))
        for event in reversed(fresh):
            self.store.add_event(remote_id, event)
        return remote_id

    def _sync_checkpoints(self, job_id: str) -> str:
        remote_id = self._remote_id(job_id)
        if self._stored(remote_id) is None:
            self.retrieve(remote_id)
        with self._translating(doing("read_checkpoints", job=remote_id), remote_id):
            page = self.backend.client.fine_tuning.jobs.checkpoints.list(remote_id, limit=100)
            found = [checkpoint_from_remote(c) for c in pages(page)]
        for checkpoint in found:
            self.store.add_checkpoint(remote_id, checkpoint)
        return remote_id

    def _control(self, job_id: str, verb: str) -> FineTuneJob:
        remote_id = self._remote_id(job_id)
        jobs = self.backend.client.fine_tuning.jobs
        action = {"cancel": jobs.cancel, "pause": jobs.pause, "resume": jobs.resume}[verb]
        with self._translating(doing(verb, job=remote_id), remote_id):
            remote = action(remote_id)
        return self._mirror(remote)

    def cancel(self, job_id: str) -> FineTuneJob:
        current = self.retrieve(job_id)
        if current.is_terminal:
            return current
        return self._control(job_id, "cancel")

    def pause(self, job_id: str) -> FineTuneJob:
        return self._control(job_id, "pause")

    def resume(self, job_id: str) -> FineTuneJob:
        """Resume a paused job (the provider cannot restart cancelled or failed ones)."""
        return self._control(job_id, "resume")
