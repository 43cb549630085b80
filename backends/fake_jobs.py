"""Simulated fine-tuning for the fake backend: job flows in milliseconds.

Jobs go through the real job store (so ``advisor jobs`` and the TUI see them)
with plausible events, metrics and checkpoints, but nothing trains.

* By default a job finishes at once: ``create`` returns it ``succeeded``.
* ``FakeFineTuning.pace = n`` makes jobs advance ``n`` steps per ``retrieve``
  instead, so a test can watch progress, pause, cancel and resume.
* ``FakeFineTuning.fail_next("reason")``, or the suffix ``fail``, makes the next
  job fail half-way with that reason (the suffix works across processes).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from advisor.errors import DataFileError, JobError, UserInputError
from advisor.messages import Localized
from backends.finetuning import StoredFineTuning
from backends.jobs import (
    CANCELLED,
    FAILED,
    PARENT_JOB_KEY,
    PAUSED,
    RUNNING,
    SUCCEEDED,
    Checkpoint,
    FineTuneJob,
    JobErrorInfo,
    JobEvent,
    JobPreview,
    JobRequest,
    said_event,
    said_notes,
)

if TYPE_CHECKING:
    from advisor.data.calibration import TrainingRun
    from advisor.settings import Settings

STEPS_PER_EPOCH = 4
FAIL_SUFFIX = "fail"


class FakeFineTuning(StoredFineTuning):
    pace: ClassVar[int] = 0
    _failures: ClassVar[list[str]] = []

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, "fake")

    @classmethod
    def fail_next(cls, reason: str = "simulated training failure") -> None:
        cls._failures.append(reason)

    @classmethod
    def reset(cls) -> None:
        cls.pace = 0
        cls._failures.clear()

    # --- helpers --------------------------------------------------------------------

    def _event(self, job_id: str, message: Localized, **kwargs: object) -> None:
        """Add the job log's sentence ``message`` (a ``core.job_event.*``), stored with it."""
        from backends.job_store import new_id

        self.store.add_event(job_id, JobEvent.said(new_id("ftevent"), message, **kwargs))

    def _total_steps(self, job: FineTuneJob) -> int:
        epochs = job.hyperparameters.n_epochs
        return (3 if epochs == "auto" else int(epochs)) * STEPS_PER_EPOCH

    def _step(self, job: FineTuneJob) -> int:
        return sum(1 for e in self.store.events(job.id) if e.type == "metrics")

    def _advance(self, job: FineTuneJob, steps: int) -> FineTuneJob:
        total = self._total_steps(job)
        fail_at = total // 2 if job.metadata.get("fake_failure") else None
        start = step = self._step(job)
        for step in range(start + 1, min(start + steps, total) + 1):
            loss = round(2.0 * 0.8**step, 4)
            data = {
                "step": step,
                "total_steps": total,
                "loss": loss,
                "learning_rate": 1e-4,
                "tokens_per_second": 1000.0,
            }
            if job.method == "rft":
                data["reward_mean"] = round(1 - loss / 2, 4)
            said = said_event("step", step=step, total=total, metrics=f"loss={loss}")
            self._event(job.id, said, type="metrics", data=data)
            if step % STEPS_PER_EPOCH == 0:
                location = str(self.settings.data_dir / "fake-checkpoints" / f"{job.id}-{step}")
                checkpoint = Checkpoint(
                    id=f"ftckpt-fake-{step}", step=step, metrics={"loss": loss}, location=location
                )
                self.store.add_checkpoint(job.id, checkpoint)
            if fail_at is not None and step >= fail_at:
                reason = job.metadata["fake_failure"]
                job.status = FAILED
                job.finished_at = time.time()
                job.error = JobErrorInfo(code="training_failed", message=reason)
                self._event(job.id, said_event("failed", reason=reason), level="error")
                self.store.save_job(job)
                return job
        if step >= total:
            job.status = SUCCEEDED
            job.finished_at = time.time()
            job.trained_tokens = total * 100
            job.fine_tuned_model = f"fake:ft:{job.model}:{job.suffix or job.method}:{job.id}"
            self._event(job.id, said_event("model_created", model=job.fine_tuned_model))
            self._event(job.id, said_event("completed"))
        self.store.save_job(job)
        return job

    # --- the service ----------------------------------------------------------------

    def calibrate(self, *, model: str | None, seq_len: int, batch: int, steps: int) -> TrainingRun:
        """Simulated figures (instant): the CLI and the plan can be tested without a model."""
        from advisor.data.calibration import TrainingRate, TrainingRun

        rate = TrainingRate(
            seq_len=seq_len,
            batch=batch,
            steps=steps,
            seconds_per_step=0.001 * batch * seq_len,
            seconds_per_token=0.001,
            startup_seconds=1.0,
        )
        return TrainingRun(rate=rate, device="cpu", dtype="float32", threads=1)

    def preview(self, request: JobRequest) -> JobPreview | None:
        if not Path(request.training_file).is_file():
            raise DataFileError.from_catalog(
                "core.jobs.file_not_found",
                hint_key="core.jobs.file_not_found_hint",
                path=request.training_file,
            )
        lines = Path(request.training_file).read_text(encoding="utf-8").splitlines()
        return JobPreview(
            examples=sum(1 for line in lines if line.strip()),
            estimated_cost_usd=0.0,
            estimated_seconds=0.0,
            estimate_basis="simulated",
            **said_notes(Localized("core.tune.note_fake")),
        )

    def create(self, request: JobRequest) -> FineTuneJob:
        from backends.job_store import new_id

        if not Path(request.training_file).is_file():
            raise DataFileError.from_catalog(
                "core.jobs.file_not_found",
                hint_key="core.jobs.file_not_found_hint",
                path=request.training_file,
            )
        metadata = dict(request.metadata)
        parent = metadata.get(PARENT_JOB_KEY)
        if parent is not None:  # continued training: the parent must have a model to extend
            found = self.store.get_job(parent)
            if found.status != SUCCEEDED or not found.fine_tuned_model:
                raise UserInputError.from_catalog(
                    "core.fake.no_model_to_continue",
                    hint_key="core.fake.no_model_to_continue_hint",
                    job=parent,
                )
        metadata.update(self.estimate_metadata(request))
        if self._failures:
            metadata["fake_failure"] = self._failures.pop(0)
        elif request.suffix == FAIL_SUFFIX:
            metadata["fake_failure"] = "simulated training failure"
        job = FineTuneJob(
            id=new_id("ftjob"),
            backend="fake",
            method=request.method,
            model=request.model or "fake-model",
            status=RUNNING,
            hyperparameters=request.hyperparameters,
            training_file=request.training_file,
            validation_file=request.validation_file,
            suffix=request.suffix,
            seed=request.seed,
            metadata=metadata,
        )
        self.store.save_job(job)
        self._event(job.id, said_event("created", id=job.id))
        if parent is not None:
            self._event(job.id, said_event("continuing", parent=parent))
        self._event(job.id, said_event("started_simulated"))
        return self._advance(job, self.pace or self._total_steps(job))

    def poll(self, job_id: str) -> FineTuneJob:
        job = self.store.get_job(job_id)
        if job.status == RUNNING and self.pace:
            return self._advance(job, self.pace)
        return job

    def cancel(self, job_id: str) -> FineTuneJob:
        job = self.store.get_job(job_id)
        if job.is_terminal:
            return job
        job.status = CANCELLED
        job.finished_at = time.time()
        self.store.save_job(job)
        self._event(job_id, said_event("cancelled_at", step=self._step(job)))
        return job

    def pause(self, job_id: str) -> FineTuneJob:
        job = self.store.get_job(job_id)
        if job.status != RUNNING:
            return job
        job.status = PAUSED
        self.store.save_job(job)
        self._event(job_id, said_event("paused", step=self._step(job)))
        return job

    def resume(self, job_id: str) -> FineTuneJob:
        job = self.store.get_job(job_id)
        if job.status == SUCCEEDED:
            raise JobError.from_catalog(
                "core.fake.already_succeeded",
                hint_key="core.fake.already_succeeded_hint",
                job=job_id,
            )
        job.status = RUNNING
        job.error = None
        job.finished_at = None
        job.metadata.pop("fake_failure", None)
        self.store.save_job(job)
        self._event(job_id, said_event("resumed_from_step", step=self._step(job)))
        return self._advance(job, self.pace or self._total_steps(job))
