"""The backend contract: small ABCs every model backend implements.

A backend is one class registered in the ``advisor.backends`` entry-point group
(the built-in ``local``, ``openai``, ``azure`` and ``fake`` included).  It is
built with the product's :class:`~advisor.settings.Settings` and says through
:attr:`Backend.capabilities` what it can do; methods it cannot do raise
:class:`~advisor.errors.CapabilityError` (the default implementations here do).

Errors: every method raises only :class:`~advisor.errors.AdvisorError`
subclasses.  Vendor exceptions are translated inside the backend with
``raise ... from`` (see ``translate_*`` helpers in each backend module).

Construction must be cheap and must not import heavy libraries or contact a
service: ``advisor backends list`` builds every backend to ask
:meth:`Backend.availability`.
"""

from __future__ import annotations

import abc
import builtins
import contextlib
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from pydantic import BaseModel, Field

from advisor import messages
from advisor.errors import CapabilityError
from backends.jobs import Checkpoint, FineTuneJob, JobEvent, JobPreview, JobRequest
from backends.types import (
    ChatMessage,
    ChatResult,
    ChatStream,
    EmbeddingResult,
    GenerationParams,
    ModerationResult,
)

if TYPE_CHECKING:
    from advisor.data.calibration import TrainingRun
    from advisor.settings import Settings
    from backends.deployments import Deployment, DeploymentSku


class CalibrationAdapter(NamedTuple):
    """What :meth:`FineTuningService.calibration_adapter` lends: a model id and its rank."""

    model: str
    rank: int


class Capabilities(BaseModel):
    """What a backend can do. Callers check these before offering an operation."""

    supports_chat: bool = True
    supports_streaming: bool = False
    supports_batch: bool = False
    # chat_batch_iter yields each answer as it finishes (not only when the batch ends).
    supports_streaming_batch: bool = False
    supports_embeddings: bool = False
    supports_fine_tuning: bool = False
    fine_tuning_methods: tuple[str, ...] = ()
    supports_moderation: bool = False
    runs_locally: bool = False
    #: A fine-tuned model must be deployed before it answers (Azure OpenAI):
    #: :meth:`Backend.deploy` and :meth:`Backend.deployment` work.
    supports_deployment: bool = False


class Availability(BaseModel):
    """Whether the backend can be used right now, and if not, why and how to fix it."""

    usable: bool
    reason: str | None = None
    # The reason as a message of advisor/messages_core.yaml, so that the shells can show
    # it in their language; JSON keeps the English ``reason`` only.
    reason_key: str | None = Field(None, exclude=True)
    reason_values: dict[str, str] = Field(default_factory=dict, exclude=True)

    @classmethod
    def unusable(cls, key: str, **values: str) -> Availability:
        """Not usable, for the catalog's reason ``key`` (English in ``reason``)."""
        reason = messages.text(key, "en", **values)
        return cls(usable=False, reason=reason, reason_key=key, reason_values=values)

    def reason_value(self) -> str | messages.Localized | None:
        """The reason as a value of another catalog message (it follows that one's language)."""
        if self.reason_key is None:
            return self.reason
        return messages.Localized(self.reason_key, self.reason_values)

    def reason_in(self, lang: str) -> str | None:
        """The reason in ``lang``; a plugin's plain ``reason`` stays as written."""
        if self.reason_key is None or lang == "en":
            return self.reason
        return messages.text(self.reason_key, lang, **self.reason_values)


class Backend(abc.ABC):
    """A source of chat completions (and optionally embeddings and fine-tuning).

    Subclasses set :attr:`name`, :attr:`description` and :attr:`capabilities`
    and implement :meth:`chat`.  Everything else has a default: batch and
    streaming fall back to :meth:`chat`; embeddings, moderation and fine-tuning
    raise :class:`CapabilityError`.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    #: The description in Japanese (``advisor --lang ja backends list``); "" falls back to English.
    description_ja: ClassVar[str] = ""
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: The model of this backend's ``[name]`` section in advisor.toml (and of its
    #: ``ADVISOR_<NAME>__<FIELD>`` variables); None: the backend takes no settings.
    settings_model: ClassVar[type[BaseModel] | None] = None

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @classmethod
    def description_in(cls, lang: str) -> str:
        """The description in ``lang`` (English where no Japanese is written)."""
        return cls.description_ja if lang == "ja" and cls.description_ja else cls.description

    @property
    def backend_settings(self) -> BaseModel | None:
        """This backend's section of the settings, validated by :attr:`settings_model`."""
        return self.settings.section(self.name)

    def generation_engine(self) -> str:
        """What, besides model and parameters, decides the answers ('' when nothing does).

        The bench's answer cache keys on it, so that switching engine or precision
        (the local backend's ``local.engine``) never serves the other's answers.
        """
        return ""

    def generation_engine_for(self, model: str | None) -> str:
        """:meth:`generation_engine` for ``model``'s answers (None: the default model).

        The local backend adds how a fine-tuned model's adapter answers (merged, or its
        format unmerged: ``local.adapter_serving``, ``local.adapter_dtype``).
        """
        return self.generation_engine()

    # --- status ---------------------------------------------------------------------

    def availability(self) -> Availability:
        """Cheap check (no network, no model load) whether the backend can work now.

        Returns an :class:`Availability` whose ``reason`` names the fix when unusable.
        Never raises.
        """
        return Availability(usable=True)

    @property
    @abc.abstractmethod
    def default_model(self) -> str:
        """The chat model used when the caller passes ``model=None``."""

    @property
    def default_embedding_model(self) -> str | None:
        """The embedding model used when the caller passes ``model=None``, if any."""
        return None

    # --- chat -----------------------------------------------------------------------

    @abc.abstractmethod
    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> ChatResult:
        """Answer one conversation.

        Args:
            messages: the conversation, oldest first; the last one is usually ``user``.
            model: a model id of this backend; ``None`` uses :attr:`default_model`.
            params: sampling parameters; ``None`` means greedy with the default length.

        Returns:
            The answer with token usage and wall-clock latency.

        Raises:
            BackendUnavailableError: missing key, package or model files.
            ModelNotFoundError: ``model`` does not exist on this backend.
            AuthenticationError: credentials rejected.
            RateLimitError, BackendConnectionError: after the backend's own retries.
            BackendRequestError: the backend rejected the request.
        """

    def chat_batch(
        self,
        conversations: Sequence[Sequence[ChatMessage]],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> list[ChatResult]:
        """Answer several conversations; results are in input order.

        Backends with ``supports_batch`` generate them together (the local
        backend pads on the left and runs one forward pass per step).  Raises
        what :meth:`chat` raises.
        """
        return [self.chat(c, model=model, params=params) for c in conversations]

    def chat_batch_iter(
        self,
        conversations: Sequence[Sequence[ChatMessage]],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> Iterator[tuple[int, ChatResult]]:
        """Answer several conversations, yielding ``(input index, result)`` per answer.

        Backends with ``supports_streaming_batch`` yield each answer as soon as
        it is complete (in completion order; the local backend frees a finished
        answer's slot for the next waiting conversation).  This default yields
        :meth:`chat_batch`'s results in input order once the whole batch is
        done.  Closing the iterator early stops further work.  Raises what
        :meth:`chat` raises (possibly during iteration).
        """
        yield from enumerate(self.chat_batch(conversations, model=model, params=params))

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> ChatStream:
        """Answer one conversation chunk by chunk.

        Iterate the returned :class:`ChatStream` for text chunks; afterwards its
        ``result`` holds the full :class:`ChatResult`.  Backends without
        ``supports_streaming`` yield the whole answer as one chunk.  Raises what
        :meth:`chat` raises (possibly during iteration).
        """

        def one_chunk() -> Generator[str, None, ChatResult]:
            result = self.chat(messages, model=model, params=params)
            yield result.text
            return result

        return ChatStream(one_chunk())

    # --- embeddings and moderation ----------------------------------------------------

    def embed(self, texts: Sequence[str], *, model: str | None = None) -> EmbeddingResult:
        """Embed texts; vectors are in input order and L2-normalised.

        Raises:
            CapabilityError: the backend has no embeddings.
            plus what :meth:`chat` raises.
        """
        raise CapabilityError.from_catalog(
            "core.backend.no_embeddings",
            hint_key="core.backend.no_embeddings_hint",
            backend=self.name,
        )

    def moderate(self, texts: Sequence[str]) -> list[ModerationResult]:
        """Flag inappropriate texts; one result per text.

        Raises:
            CapabilityError: the backend has no moderation endpoint.
        """
        raise CapabilityError.from_catalog("core.backend.no_moderation", backend=self.name)

    # --- fine-tuning ----------------------------------------------------------------

    def fine_tuning(self) -> FineTuningService:
        """The backend's fine-tuning service.

        Raises:
            CapabilityError: the backend cannot fine-tune.
        """
        raise CapabilityError.from_catalog(
            "core.backend.cannot_fine_tune",
            hint_key="core.backend.cannot_fine_tune_hint",
            backend=self.name,
        )

    # --- deployment of fine-tuned models (supports_deployment) --------------------------

    def served_model(self, job: FineTuneJob) -> str | None:
        """The model id that answers with ``job``'s fine-tuned model; None: deploy it first.

        Most backends serve a fine-tuned model under its own id; a backend with
        ``supports_deployment`` answers through the deployment recorded on the job.
        """
        return job.fine_tuned_model

    def deploy(
        self, job: FineTuneJob, *, name: str, sku: DeploymentSku | None = None
    ) -> Deployment:
        """Start deploying ``job``'s fine-tuned model as ``name``; returns at once.

        ``sku`` None uses the backend's default.  Follow the provisioning with
        :meth:`deployment` (:func:`backends.deployments.deploy_and_wait` does).

        Raises:
            CapabilityError: the backend serves fine-tuned models without deployments.
            ConfigError: the settings lack what the provider's control plane needs.
            BackendUnavailableError: no credentials for the control plane.
            AuthenticationError: credentials rejected.
            BackendRequestError: the provider refused (quota, unknown model, bad name).
            RateLimitError, BackendConnectionError: after retries.
        """
        raise CapabilityError.from_catalog(
            "core.backend.serves_without_deploying",
            hint_key="core.backend.serves_without_deploying_hint",
            backend=self.name,
        )

    def deployment(self, name: str) -> Deployment:
        """The deployment called ``name`` as the provider reports it now.

        Raises:
            CapabilityError: as for :meth:`deploy`.
            ModelNotFoundError: no deployment of that name.
            plus what :meth:`deploy` raises.
        """
        raise CapabilityError.from_catalog("core.backend.no_deployments", backend=self.name)


class FineTuningService(abc.ABC):
    """Create and control fine-tuning jobs on one backend.

    Every job a service creates is also recorded in the local job store so that
    ``advisor jobs`` lists local and remote jobs together.  All methods raise
    :class:`~advisor.errors.JobNotFoundError` for an unknown id and
    :class:`~advisor.errors.JobError` when the backend refuses the operation.
    """

    @abc.abstractmethod
    def create(self, request: JobRequest) -> FineTuneJob:
        """Validate the files locally, then create the job.

        Raises:
            DataFileError: a training or validation file fails validation
                (nothing is uploaded or trained).
            JobError: the backend refused to create the job.
        """

    def preview(self, request: JobRequest) -> JobPreview | None:
        """Estimate of what creating ``request`` will cost, shown before confirmation.

        ``None`` when there is nothing worth confirming.  Raises
        :class:`~advisor.errors.DataFileError` for an invalid training file.
        """
        return None

    @abc.abstractmethod
    def retrieve(self, job_id: str) -> FineTuneJob:
        """The job's current state (refreshed from the provider for remote jobs)."""

    @abc.abstractmethod
    def list(self, *, limit: int = 20) -> list[FineTuneJob]:
        """Recent jobs, newest first."""

    @abc.abstractmethod
    def events(self, job_id: str, *, after: str | None = None) -> builtins.list[JobEvent]:
        """The job's events, oldest first; ``after`` skips up to that event id."""

    @abc.abstractmethod
    def checkpoints(self, job_id: str) -> builtins.list[Checkpoint]:
        """Saved checkpoints, oldest first."""

    @abc.abstractmethod
    def cancel(self, job_id: str) -> FineTuneJob:
        """Stop the job gracefully; a finished job is returned unchanged."""

    def pause(self, job_id: str) -> FineTuneJob:
        """Pause a running job. Raises :class:`JobError` where unsupported."""
        from advisor.errors import JobError

        raise JobError.from_catalog("core.jobs.cannot_pause")

    def calibrate(self, *, model: str | None, seq_len: int, batch: int, steps: int) -> TrainingRun:
        """Time ``steps`` training steps of ``model`` on ``batch`` examples of ``seq_len`` tokens.

        Backends that train on this machine measure it through their own trainer
        (``advisor tune calibrate``); the figures make time estimates hold.

        Raises:
            CapabilityError: the backend does not train on this machine.
        """
        raise CapabilityError.from_catalog(
            "core.jobs.cannot_calibrate", hint_key="core.jobs.cannot_calibrate_hint"
        )

    @contextlib.contextmanager
    def calibration_adapter(self, model: str | None) -> Iterator[CalibrationAdapter | None]:
        """An untrained adapter of the trainer's default shape over ``model``, as a model id.

        The answering calibration times it against ``model`` (advisor/app/calibration.py):
        fine-tuned routes answer through such an adapter, which costs the same whatever its
        weights.  The adapter exists only inside the block.  None (the default): this
        backend has no such adapter, and answering through one is not measured.
        """
        yield None

    @abc.abstractmethod
    def resume(self, job_id: str) -> FineTuneJob:
        """Continue a paused, cancelled or crashed job from its last checkpoint."""
