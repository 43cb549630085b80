"""The ``openai`` and ``azure`` backends: one class over the official SDK.

The API shape (chat completions, embeddings, moderations, fine-tuning jobs) is
code here; where it is served is data, an :class:`~backends.openai_endpoint.Endpoint`:
api.openai.com or, with ``openai.base_url``, any OpenAI-compatible server (vLLM,
Ollama, llama.cpp, LM Studio), or an Azure OpenAI resource.  ``openai`` and
``azure`` are two registered names over this one class.

Faults: the SDK retries 429, 5xx and connection errors with exponential backoff
(``max_retries``) and every call has a timeout (``timeout_s``).  Whatever still
fails leaves through :func:`~backends.openai_errors.translating`, scrubbed of keys.

The SDK is imported lazily: ``advisor backends list`` builds every backend and
must stay fast.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from advisor.azure_settings import AzureSettings
from advisor.errors import (
    AdvisorError,
    BackendError,
    BackendUnavailableError,
    CapabilityError,
)
from advisor.ids import METHODS
from advisor.messages import Localized
from advisor.section_settings import OpenAISettings
from backends.base import Availability, Backend, Capabilities, FineTuningService
from backends.deployments import DEPLOYMENT_KEY
from backends.openai_endpoint import KEYLESS_PLACEHOLDER, AzureEndpoint, Endpoint, OpenAIEndpoint
from backends.openai_errors import (
    WIND_DOWN_HINT,
    Action,
    doing,
    error_code,
    scrub,
    translate_error,
    translating,
)
from backends.types import (
    ChatMessage,
    ChatResult,
    ChatStream,
    EmbeddingResult,
    GenerationParams,
    ModerationResult,
    Usage,
)

if TYPE_CHECKING:
    import httpx2
    from openai import OpenAI

    from advisor.settings import Settings
    from backends.azure_deploy import AzureDeployments
    from backends.deployments import Deployment, DeploymentSku
    from backends.jobs import FineTuneJob

# Re-exported: older imports name them here.
__all__ = [
    "KEYLESS_PLACEHOLDER",
    "WIND_DOWN_HINT",
    "AzureOpenAIBackend",
    "OpenAIBackend",
    "error_code",
    "scrub",
    "translate_error",
]


def _normalise(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm > 0 else vector


def _capabilities(endpoint: type[Endpoint], *, deploys: bool = False) -> Capabilities:
    return Capabilities(
        supports_deployment=deploys,
        supports_streaming=True,
        supports_batch=True,
        supports_embeddings=True,
        supports_fine_tuning=True,
        fine_tuning_methods=METHODS,
        supports_moderation=endpoint.supports_moderation,
    )


class OpenAIBackend(Backend):
    """The OpenAI API shape over one :class:`~backends.openai_endpoint.Endpoint`.

    Registered twice: ``openai`` (api.openai.com or a compatible server) and
    ``azure`` (:class:`AzureOpenAIBackend`, which only names another endpoint).
    """

    endpoint_type: ClassVar[type[Endpoint]] = OpenAIEndpoint
    name = OpenAIEndpoint.backend
    description = OpenAIEndpoint.description
    description_ja = OpenAIEndpoint.description_ja
    capabilities: ClassVar[Capabilities] = _capabilities(OpenAIEndpoint)
    settings_model: ClassVar[type[BaseModel] | None] = OpenAISettings

    def __init__(self, settings: Settings, *, http_client: httpx2.Client | None = None) -> None:
        """``http_client`` lets tests script the HTTP traffic (an ``httpx2.MockTransport``)."""
        super().__init__(settings)
        self.endpoint: Endpoint = self.endpoint_type.of(settings)
        # In flight at once in chat_batch: enough to hide latency, few enough
        # to stay under typical per-minute rate limits.
        self.concurrency = self.endpoint.section.concurrency
        self._http_client = http_client
        self._client: OpenAI | None = None
        self._client_lock = threading.Lock()

    # --- configuration: all of it comes from the endpoint ---------------------------------

    @property
    def api_key(self) -> str | None:
        return self.endpoint.api_key

    @property
    def timeout_s(self) -> float:
        return self.endpoint.section.timeout_s

    @property
    def max_retries(self) -> int:
        return self.endpoint.section.max_retries

    @property
    def waits_for_file_import(self) -> bool:
        return self.endpoint.waits_for_file_import

    def availability(self) -> Availability:
        return self.endpoint.availability()

    @property
    def default_model(self) -> str:
        return self.endpoint.default_model() or ""

    @property
    def default_embedding_model(self) -> str | None:
        return self.endpoint.default_embedding_model()

    def resolve_model(self, model: str | None) -> str:
        return self.endpoint.resolve_model(model)

    def resolve_embedding_model(self, model: str | None) -> str:
        return self.endpoint.resolve_embedding_model(model)

    @property
    def client(self) -> OpenAI:
        """The SDK client, built on first use.

        Raises:
            BackendUnavailableError: no key (and no base_url), or bad Azure settings.
        """
        with self._client_lock:
            if self._client is None:
                availability = self.availability()
                if not availability.usable:
                    # The endpoint's reason names the fix already ("no X: set X ...").
                    reason = availability.reason_value() or Localized(
                        "core.openai.unusable_reason", {"backend": self.name}
                    )
                    raise BackendUnavailableError.from_catalog(
                        "core.openai.unusable", reason=reason
                    )
                with self.translating(doing("connect")):  # OpenAIError/ValueError for bad config
                    self._client = self.endpoint.build_client(self._http_client)
            return self._client

    def translating(
        self, action: Action, *, model: str | None = None, job_id: str | None = None
    ) -> AbstractContextManager[None]:
        """:func:`~backends.openai_errors.translating` with this backend's secrets filled in."""
        return translating(
            self.name,
            action,
            secrets=(self.api_key,),
            model=model,
            job_id=job_id,
            endpoint=self.endpoint.label,
        )

    def translate(
        self, exc: Exception, action: Action, *, model: str | None = None, job_id: str | None = None
    ) -> AdvisorError:
        """This backend's :func:`translate_error`, for code that inspects the exception first."""
        if isinstance(exc, AdvisorError):
            return exc
        return translate_error(
            exc,
            backend=self.name,
            action=action,
            secrets=(self.api_key,),
            model=model,
            job_id=job_id,
            endpoint=self.endpoint.label,
        )

    def _expect(self, response: Any, field: str) -> None:
        """A server that is not OpenAI-compatible (e.g. an HTML page) parses as a string."""
        if not hasattr(response, field):
            raise BackendError.from_catalog(
                "core.openai.not_compatible",
                hint_key="core.openai.not_compatible_hint",
                endpoint=self.endpoint.label,
            )

    # --- chat ---------------------------------------------------------------------------

    def _request(
        self, messages: Sequence[ChatMessage], model: str, params: GenerationParams | None
    ) -> dict[str, Any]:
        params = params or GenerationParams()
        request: dict[str, Any] = {
            "model": model,
            "messages": [m.model_dump(exclude_none=True) for m in messages],
            "temperature": params.temperature,
        }
        if params.top_p != 1.0:
            request["top_p"] = params.top_p
        if params.max_tokens is not None:
            # OpenAI and Azure deprecated max_tokens (reasoning models refuse it);
            # compatible servers have long understood only max_tokens.
            field = "max_tokens" if self.endpoint.compatible_server else "max_completion_tokens"
            request[field] = params.max_tokens
        if params.seed is not None:
            request["seed"] = params.seed
        if params.stop:
            request["stop"] = params.stop
        return request

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> ChatResult:
        client = self.client  # configuration problems first: key, then model
        name = self.resolve_model(model)
        start = time.perf_counter()
        with self.translating(doing("chat"), model=name):
            response = client.chat.completions.create(**self._request(messages, name, params))
        latency = time.perf_counter() - start
        self._expect(response, "choices")
        if not response.choices:
            raise BackendError.from_catalog(
                "core.openai.no_answer", endpoint=self.endpoint.label, model=repr(name)
            )
        choice = response.choices[0]
        usage = response.usage
        return ChatResult(
            text=choice.message.content or "",
            model=response.model or name,
            backend=self.name,
            usage=Usage(
                prompt_tokens=(usage.prompt_tokens or 0) if usage else 0,
                completion_tokens=(usage.completion_tokens or 0) if usage else 0,
            ),
            latency_s=latency,
            finish_reason=choice.finish_reason,
        )

    def chat_batch(
        self,
        conversations: Sequence[Sequence[ChatMessage]],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> list[ChatResult]:
        """Answer conversations concurrently (at most :attr:`concurrency` in flight).

        Results keep input order.  The first failure (in input order) is raised at
        once and conversations not yet sent are cancelled, so a broken batch stops
        spending; Ctrl+C does the same.
        """
        if not conversations:
            return []
        _ = self.client  # fail fast on configuration before starting threads
        workers = max(1, min(self.concurrency, len(conversations)))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="advisor-openai")
        try:
            futures = [
                pool.submit(self.chat, conversation, model=model, params=params)
                for conversation in conversations
            ]
            return [future.result() for future in futures]
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        params: GenerationParams | None = None,
    ) -> ChatStream:
        client = self.client
        name = self.resolve_model(model)
        request = self._request(messages, name, params)
        request["stream"] = True
        request["stream_options"] = {"include_usage": True}

        def chunks() -> Generator[str, None, ChatResult]:
            start = time.perf_counter()
            parts: list[str] = []
            usage = Usage()
            finish: str | None = None
            answered_model = name
            with self.translating(doing("chat"), model=name):
                for event in client.chat.completions.create(**request):
                    answered_model = event.model or answered_model
                    if event.usage:
                        usage = Usage(
                            prompt_tokens=event.usage.prompt_tokens or 0,
                            completion_tokens=event.usage.completion_tokens or 0,
                        )
                    for choice in event.choices:
                        finish = choice.finish_reason or finish
                        if choice.delta and choice.delta.content:
                            parts.append(choice.delta.content)
                            yield choice.delta.content
            return ChatResult(
                text="".join(parts),
                model=answered_model,
                backend=self.name,
                usage=usage,
                latency_s=time.perf_counter() - start,
                finish_reason=finish,
            )

        return ChatStream(chunks())

    # --- embeddings and moderation ----------------------------------------------------------

    def embed(self, texts: Sequence[str], *, model: str | None = None) -> EmbeddingResult:
        client = self.client
        name = self.resolve_embedding_model(model)
        if not texts:
            return EmbeddingResult(vectors=[], model=name, dimensions=0)
        with self.translating(doing("embed"), model=name):
            response = client.embeddings.create(model=name, input=list(texts))
        self._expect(response, "data")
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(texts):
            raise BackendError.from_catalog(
                "core.openai.embedding_count",
                endpoint=self.endpoint.label,
                got=len(data),
                texts=len(texts),
            )
        # OpenAI's vectors are unit length already; compatible servers' may not be.
        vectors = [_normalise([float(v) for v in item.embedding]) for item in data]
        usage = response.usage
        return EmbeddingResult(
            vectors=vectors,
            model=response.model or name,
            dimensions=len(vectors[0]),
            usage=Usage(prompt_tokens=(usage.prompt_tokens or 0) if usage else 0),
        )

    def moderate(self, texts: Sequence[str]) -> list[ModerationResult]:
        if not self.endpoint.supports_moderation:
            raise CapabilityError.from_catalog(
                "core.openai.no_moderation_filters",
                hint_key="core.openai.no_moderation_filters_hint",
                endpoint=self.endpoint.label,
            )
        if not texts:
            return []
        import openai

        client = self.client
        with self.translating(doing("moderate")):
            try:
                response = client.moderations.create(input=list(texts))
            except openai.NotFoundError as exc:  # a compatible server without the endpoint
                raise CapabilityError.from_catalog(
                    "core.openai.no_moderation",
                    hint_key="core.openai.no_moderation_hint",
                    endpoint=self.endpoint.label,
                ) from exc
        self._expect(response, "results")
        results = []
        for item in response.results:
            categories = item.categories.model_dump(by_alias=True)
            flagged = sorted(name for name, on in categories.items() if on is True)
            results.append(ModerationResult(flagged=bool(item.flagged), categories=flagged))
        return results

    # --- fine-tuning --------------------------------------------------------------------

    def fine_tuning(self) -> FineTuningService:
        from backends.openai_jobs import OpenAIFineTuning

        return OpenAIFineTuning(self)


class AzureOpenAIBackend(OpenAIBackend):
    """The ``azure`` entry point: the same backend over an Azure OpenAI endpoint (data only)."""

    endpoint_type: ClassVar[type[Endpoint]] = AzureEndpoint
    name = AzureEndpoint.backend
    description = AzureEndpoint.description
    description_ja = AzureEndpoint.description_ja
    capabilities: ClassVar[Capabilities] = _capabilities(AzureEndpoint, deploys=True)
    settings_model = AzureSettings

    # A fine-tuned model answers only through a deployment, made on Azure Resource Manager.

    def _deployments(self) -> AzureDeployments:
        from backends.azure_deploy import AzureDeployments

        assert isinstance(self.endpoint.section, AzureSettings)
        return AzureDeployments(self.endpoint.section)

    def served_model(self, job: FineTuneJob) -> str | None:
        """The deployment recorded on the job by ``advisor tune deploy`` (or a bench run)."""
        return job.metadata.get(DEPLOYMENT_KEY)

    def deploy(
        self, job: FineTuneJob, *, name: str, sku: DeploymentSku | None = None
    ) -> Deployment:
        return self._deployments().create(job, name, sku)

    def deployment(self, name: str) -> Deployment:
        return self._deployments().get(name)
