"""Fine-tuning job data, mirroring OpenAI's fine-tuning job object.

The same models describe local jobs (TRL in a worker process) and remote ones
(OpenAI, Azure OpenAI), so the job store, the CLI, the TUI and the benchmarks
never care where training happens.  Statuses and event types are open sets:
a value this version does not know (``paused``, a future state) passes through.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor import messages
from advisor.errors import AdvisorError
from advisor.ids import Method

Auto = Literal["auto"]

# Known statuses; ``JobStatus`` stays ``str`` so unknown ones pass through.
VALIDATING_FILES = "validating_files"
QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"
PAUSED = "paused"
TERMINAL_STATUSES = frozenset({SUCCEEDED, FAILED, CANCELLED})
#: Request/job metadata: the id of the finished job whose adapter this job continues
#: (``sft>dpo``).  Local backends stack on that adapter; the job records its parent.
PARENT_JOB_KEY = "parent_job"
# The event a service records when a resume finds the job's worker still running.
RESUME_IGNORED = "Resume ignored: the job's worker is already running"
JobStatus = str
#: Job metadata recorded at submission: the estimated wall time (seconds, as text) and
#: what it rests on ("calibrated", "uncalibrated", "simulated"); `jobs show` puts it
#: next to the actual time.
ESTIMATED_SECONDS_KEY = "estimated_seconds"
ESTIMATE_BASIS_KEY = "estimate_basis"
#: The load correction in that estimate (advisor/data/contention.py), recorded when not 1.
ESTIMATE_LOAD_FACTOR_KEY = "estimate_load_factor"

# OpenAI's method names for our short ones.
OPENAI_METHOD_TYPES: dict[str, str] = {"sft": "supervised", "dpo": "dpo", "rft": "reinforcement"}


class Hyperparameters(BaseModel):
    """Each value may be ``"auto"``: derived from the dataset size as OpenAI documents it."""

    model_config = ConfigDict(extra="allow")

    n_epochs: int | Auto = "auto"
    batch_size: int | Auto = "auto"
    learning_rate_multiplier: float | Auto = "auto"
    beta: float | Auto | None = Field(default=None, description="DPO only.")


class JobErrorInfo(BaseModel):
    """Why a job failed, as stored: the English, and the catalog sentence where the product
    wrote it (rendered when read, in the reader's language and release).

    ``message_ja`` (the Japanese as rendered when the error happened) is still written
    for readers of older releases, and read for jobs stored before ``sentence`` was; a
    provider's own text has only its English.
    """

    code: str
    message: str
    line: int | None = None
    message_ja: str | None = None
    sentence: messages.StoredSentence | None = None

    @classmethod
    def of(cls, code: str, error: AdvisorError, line: int | None = None) -> JobErrorInfo:
        """The stored form of a product error: its English and its sentence."""
        japanese = error.localized("ja") if error.key is not None else None
        return cls(
            code=code,
            message=str(error),
            line=line,
            message_ja=japanese,
            sentence=error.stored_sentence(),
        )

    @classmethod
    def said(cls, code: str, key: str, line: int | None = None, **values: Any) -> JobErrorInfo:
        """A stored error from the catalog sentence ``key``."""
        english, japanese = (messages.text(key, lang, **values) for lang in ("en", "ja"))
        sentence = messages.StoredSentence.of(messages.Localized(key, values))
        return cls(code=code, message=english, line=line, message_ja=japanese, sentence=sentence)

    def localized(self, lang: str) -> str:
        """The message in ``lang`` (the English where nothing else was stored)."""
        return messages.stored_text(self.sentence, self.message, self.message_ja, lang)


class JobEvent(BaseModel):
    """A log line or a metrics record of a job; ``data`` holds metrics such as loss."""

    model_config = ConfigDict(extra="allow")

    id: str
    created_at: float = Field(default_factory=time.time)
    level: str = "info"
    message: str
    type: str = "message"  # "message" | "metrics" | open set
    data: dict[str, Any] | None = None
    # Where the English quotes a sentence of the product's own (an error's), the catalog
    # sentence (read first) and its Japanese (for older readers): the template that finds
    # a known event again would leave the quote in English.  Every event the product writes
    # from its catalog stores its sentence (:meth:`said`); a provider's events have none.
    message_ja: str | None = None
    sentence: messages.StoredSentence | None = None

    @classmethod
    def said(cls, id: str, sentence: messages.Localized, **fields: Any) -> JobEvent:
        """An event the product writes from its catalog (``core.job_event.*``): the English
        as ``message``, the sentence stored beside it, so a reader says it in its language
        even after the English is reworded (events stored before were found again by it)."""
        stored = messages.StoredSentence.of(sentence)
        return cls(id=id, message=sentence.localized("en"), sentence=stored, **fields)


def said_event(key: str, **values: Any) -> messages.Localized:
    """The job log's sentence ``core.job_event.<key>`` with its values (:meth:`JobEvent.said`)."""
    return messages.Localized(f"core.job_event.{key}", values)


class Checkpoint(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    step: int
    created_at: float = Field(default_factory=time.time)
    metrics: dict[str, float] = Field(default_factory=dict)
    location: str = Field(description="A folder for local jobs, a model id for remote ones.")


class JobRequest(BaseModel):
    """What ``advisor tune create`` asks a backend to do."""

    method: Method
    training_file: str = Field(description="Path of the local JSONL training file.")
    validation_file: str | None = None
    grader: dict[str, Any] | None = Field(default=None, description="RFT grader definition.")
    model: str | None = Field(default=None, description="Base model; None: backend default.")
    hyperparameters: Hyperparameters = Field(default_factory=Hyperparameters)
    suffix: str | None = None
    seed: int | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


class SFTSettings(BaseModel):
    """What supervised fine-tuning takes (extras: a backend's own knobs, e.g. ``lora_r``)."""

    model_config = ConfigDict(extra="allow")

    n_epochs: int | Auto = "auto"
    batch_size: int | Auto = "auto"
    learning_rate_multiplier: float | Auto = "auto"


class DPOSettings(SFTSettings):
    """DPO adds ``beta``: how far the tuned model may move from the base."""

    beta: float | Auto = "auto"


class RFTSettings(SFTSettings):
    """RFT adds the grader that scores each sampled answer."""

    grader: dict[str, Any]


MethodSettings = SFTSettings | DPOSettings | RFTSettings


def method_settings(request: JobRequest) -> MethodSettings:
    """The request's settings for its method: only what that method takes.

    ``JobRequest`` keeps one ``hyperparameters`` object (the CLI options and the
    JSON of a job stay as they are); services read it through this view, so
    ``beta`` reaches DPO only and the grader RFT only.

    Raises:
        UserInputError: an RFT request without a grader.
    """
    values = request.hyperparameters.model_dump(exclude_none=True)
    if request.method == "dpo":
        return DPOSettings.model_validate(values)
    values.pop("beta", None)
    if request.method == "rft":
        if not request.grader:
            from advisor.errors import UserInputError

            raise UserInputError.from_catalog(
                "core.jobs.rft_needs_grader", hint_key="core.jobs.rft_needs_grader_hint"
            )
        return RFTSettings.model_validate({**values, "grader": request.grader})
    return SFTSettings.model_validate(values)


class FineTuneJob(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    backend: str
    method: Method
    model: str
    status: JobStatus
    created_at: float = Field(default_factory=time.time)
    finished_at: float | None = None
    hyperparameters: Hyperparameters = Field(default_factory=Hyperparameters)
    training_file: str
    validation_file: str | None = None
    suffix: str | None = None
    seed: int | None = None
    fine_tuned_model: str | None = None
    error: JobErrorInfo | None = None
    trained_tokens: int | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    remote_id: str | None = Field(default=None, description="The provider's id, if remote.")

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


def said_notes(*said: messages.Localized | str) -> dict[str, Any]:
    """A :class:`JobPreview`'s ``notes`` (English) and ``note_sentences`` from catalog
    sentences (a plain text: a note said as written)."""
    return {
        "notes": [str(note) for note in said],
        "note_sentences": [
            messages.StoredSentence.of(note) if isinstance(note, messages.Localized) else None
            for note in said
        ],
    }


class JobPreview(BaseModel):
    """Cost and time expectations of a job, for confirmation before it is created."""

    examples: int
    billed_tokens: int | None = None
    estimated_cost_usd: float | None = None
    estimated_seconds: float | None = None
    price_date: str | None = Field(default=None, description="Date of the price table used.")
    notes: list[str] = Field(default_factory=list)
    note_sentences: list[messages.StoredSentence | None] = Field(
        default_factory=list,
        description="The notes as catalog sentences, one per note (null: a note said as "
        "written), for a shell to say in its reader's language; notes keeps the English.",
    )
    estimate_basis: str | None = Field(
        default=None,
        description="What estimated_seconds rests on: calibrated, uncalibrated or simulated.",
    )
    load_factor: float | None = Field(
        default=None,
        description="The load correction applied to the training steps (None or 1: none).",
    )

    def notes_in(self, lang: str) -> list[str]:
        """The notes in ``lang``: each sentence rendered, a note without one as written."""
        sentences = self.note_sentences[: len(self.notes)]
        sentences += [None] * (len(self.notes) - len(sentences))
        return [
            messages.stored_text(sentence, note, None, lang)
            for note, sentence in zip(self.notes, sentences, strict=True)
        ]

    def estimate_metadata(self) -> dict[str, str]:
        """The estimate as job metadata (strings), recorded when the job is created."""
        if self.estimated_seconds is None:
            return {}
        basis = {ESTIMATE_BASIS_KEY: self.estimate_basis} if self.estimate_basis else {}
        if self.load_factor is not None and self.load_factor != 1.0:
            basis[ESTIMATE_LOAD_FACTOR_KEY] = f"{self.load_factor:.2f}"
        return {ESTIMATED_SECONDS_KEY: f"{self.estimated_seconds:.1f}", **basis}
