"""The ``openai`` and ``azure`` backends: one implementation over the official SDK.

The API shape (chat completions, embeddings, moderations, fine-tuning jobs) is
separate from the endpoint: ``OpenAIBackend`` talks to api.openai.com or, with
``openai.base_url``, to any OpenAI-compatible server (vLLM, Ollama, llama.cpp,
LM Studio); ``AzureOpenAIBackend`` builds the SDK's ``AzureOpenAI`` client from
the ``azure`` settings and otherwise runs the same code.

Faults: the SDK retries 429, 5xx and connection errors with exponential backoff
(``max_retries``) and every call has a timeout (``timeout_s``).  Whatever still
fails is translated into :mod:`advisor.errors` at this boundary with
``raise ... from``; messages are scrubbed so the API key never appears in them.

The SDK is imported lazily: ``advisor backends list`` builds every backend and
must stay fast.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar

from advisor.errors import (
    AdvisorError,
    AuthenticationError,
    BackendConnectionError,
    BackendError,
    BackendRequestError,
    BackendUnavailableError,
    CapabilityError,
    ConfigError,
    JobError,
    JobNotFoundError,
    ModelNotFoundError,
    RateLimitError,
)
from advisor.ids import METHODS
from backends.base import Availability, Backend, Capabilities, FineTuningService
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

    from advisor.settings import AzureSettings, OpenAISettings, Settings

# Servers such as vLLM or Ollama accept any key; the SDK insists on one.
KEYLESS_PLACEHOLDER = "no-key-required"

# Refusals that read like the end of self-serve fine-tuning rather than a bad request.
_WIND_DOWN = re.compile(r"no longer|not available|new users|deprecat|sunset|wind", re.IGNORECASE)
WIND_DOWN_HINT = (
    "this account may no longer create fine-tuning jobs; Azure OpenAI (--backend azure) "
    "and --backend local can (see docs/backends.md, wind-down)"
)
_KEY_PATTERN = re.compile(r"\b(sk|sess|key)-[A-Za-z0-9_*\-]{6,}")


def scrub(text: str, secrets: Sequence[str | None] = ()) -> str:
    """``text`` without API keys: the given secrets and anything shaped like one.

    The API echoes (partly masked) keys in some error messages, e.g. "Incorrect
    API key provided: sk-abc***xyz"; none of that may reach logs or reports.
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "****")
    return _KEY_PATTERN.sub(lambda m: m.group(1) + "-****", text)


def _provider_message(exc: Exception) -> str:
    """The provider's own one-line explanation, without the SDK's "Error code: N - {...}"."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        if isinstance(body.get("message"), str):
            return str(body["message"])
    message = getattr(exc, "message", None)
    return str(message if isinstance(message, str) else exc)


def error_code(exc: Exception) -> str | None:
    """The provider's machine-readable error code, e.g. ``insufficient_quota``."""
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) else None


def translate_error(
    exc: Exception,
    *,
    backend: str,
    action: str,
    secrets: Sequence[str | None] = (),
    model: str | None = None,
    job_id: str | None = None,
    endpoint: str | None = None,
) -> AdvisorError:
    """Map an exception from the openai SDK to the product's error hierarchy.

    ``action`` is a short phrase ("chat", "create the fine-tuning job") used in
    the message; ``job_id`` marks job operations, whose refusals become
    :class:`JobError` and whose 404s become :class:`JobNotFoundError`.
    Unknown exceptions become :class:`BackendError`.  Call it as
    ``raise translate_error(exc, ...) from exc``.
    """
    import openai

    key_var = "AZURE_OPENAI_API_KEY" if backend == "azure" else "OPENAI_API_KEY"
    detail = scrub(_provider_message(exc), secrets).rstrip(".")
    where = endpoint or backend
    is_job = job_id is not None
    if isinstance(exc, openai.AuthenticationError):
        # The provider's text may quote the key; say only what to do.
        return AuthenticationError(
            f"the {backend} backend rejected the API key while trying to {action}",
            hint=f"check {key_var} or choose --backend local",
        )
    if isinstance(exc, openai.PermissionDeniedError):
        hint = "check the key's project permissions"
        if is_job:
            return JobError(
                f"the {backend} backend refused to {action}: {detail}", hint=WIND_DOWN_HINT
            )
        return AuthenticationError(
            f"the {backend} backend refused to {action}: {detail}", hint=hint
        )
    if isinstance(exc, openai.NotFoundError):
        if is_job and job_id:
            return JobNotFoundError(
                f"the {backend} backend has no job {job_id!r}",
                hint="see `advisor jobs list`",
            )
        if model:
            return ModelNotFoundError(
                f"the {backend} backend has no model {model!r}: {detail}",
                hint="check --model (on Azure: the deployment name)",
            )
        return BackendRequestError(f"the {backend} backend could not {action}: {detail}")
    if isinstance(exc, openai.RateLimitError):
        if error_code(exc) == "insufficient_quota":
            return RateLimitError(
                f"the {backend} account has no quota left to {action}",
                hint="add credit or raise the quota, or choose --backend local",
            )
        return RateLimitError(
            f"the {backend} backend kept rate-limiting the request to {action}",
            hint="wait a minute or lower the concurrency",
        )
    if isinstance(exc, openai.APITimeoutError):
        return BackendConnectionError(
            f"{where} did not answer in time when trying to {action}",
            hint="retry later or raise the timeout_s setting",
        )
    if isinstance(exc, openai.APIConnectionError):
        return BackendConnectionError(
            f"cannot reach {where} to {action}",
            hint="check the network or the base_url/endpoint setting",
        )
    if isinstance(exc, openai.InternalServerError) or (
        isinstance(exc, openai.APIStatusError) and exc.status_code >= 500
    ):
        return BackendError(
            f"{where} failed with a server error while trying to {action}: {detail}",
            hint="retry later",
        )
    if isinstance(exc, openai.APIStatusError):  # 400, 409, 422 and other refusals
        if is_job:
            wind_down = WIND_DOWN_HINT if _WIND_DOWN.search(detail) else None
            return JobError(f"the {backend} backend refused to {action}: {detail}", hint=wind_down)
        return BackendRequestError(f"the {backend} backend refused to {action}: {detail}")
    if isinstance(exc, openai.APIResponseValidationError):
        return BackendError(f"{where} sent an unexpected response while trying to {action}")
    if isinstance(exc, openai.LengthFinishReasonError | openai.ContentFilterFinishReasonError):
        return BackendRequestError(f"the {backend} backend stopped the answer: {detail}")
    if isinstance(exc, openai.OpenAIError):
        return BackendUnavailableError(
            f"the {backend} backend is not configured: {scrub(str(exc), secrets)}",
            hint=f"set {key_var} or choose --backend local",
        )
    return BackendError(f"the {backend} backend failed to {action}: {scrub(str(exc), secrets)}")


def _normalise(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm > 0 else vector


class OpenAIBackend(Backend):
    """The OpenAI API, or any server that speaks it (``openai.base_url``)."""

    name = "openai"
    description = "OpenAI API, or any OpenAI-compatible server via openai.base_url."
    capabilities: ClassVar[Capabilities] = Capabilities(
        supports_streaming=True,
        supports_batch=True,
        supports_embeddings=True,
        supports_fine_tuning=True,
        fine_tuning_methods=METHODS,
        supports_moderation=True,
    )
    # Azure imports uploads before fine-tuning may use them; OpenAI needs no wait.
    waits_for_file_import: ClassVar[bool] = False

    def __init__(self, settings: Settings, *, http_client: httpx2.Client | None = None) -> None:
        """``http_client`` lets tests script the HTTP traffic (an ``httpx2.MockTransport``)."""
        super().__init__(settings)
        # In flight at once in chat_batch: enough to hide latency, few enough
        # to stay under typical per-minute rate limits.
        self.concurrency = self._section.concurrency
        self._http_client = http_client
        self._client: OpenAI | None = None
        self._client_lock = threading.Lock()

    # --- configuration ------------------------------------------------------------------

    @property
    def _section(self) -> OpenAISettings | AzureSettings:
        """The settings section of this endpoint: key, timeout, retries, concurrency."""
        return self.settings.openai

    @property
    def api_key(self) -> str | None:
        key = self._section.api_key
        return key.get_secret_value() if key else None

    @property
    def endpoint(self) -> str:
        return self.settings.openai.base_url or "api.openai.com"

    @property
    def timeout_s(self) -> float:
        return self._section.timeout_s

    @property
    def max_retries(self) -> int:
        return self._section.max_retries

    @property
    def uses_compatible_server(self) -> bool:
        """True for a non-OpenAI server behind ``base_url`` (older request fields)."""
        return bool(self.settings.openai.base_url)

    def availability(self) -> Availability:
        if self.api_key or self.settings.openai.base_url:
            return Availability(usable=True)
        return Availability(
            usable=False, reason="no OPENAI_API_KEY: set OPENAI_API_KEY or choose --backend local"
        )

    @property
    def default_model(self) -> str:
        return self.settings.openai.chat_model

    @property
    def default_embedding_model(self) -> str | None:
        return self.settings.openai.embedding_model

    def resolve_model(self, model: str | None) -> str:
        return model or self.default_model

    def resolve_embedding_model(self, model: str | None) -> str:
        return model or self.settings.openai.embedding_model

    def _build_client(self) -> OpenAI:
        import openai

        cfg = self.settings.openai
        return openai.OpenAI(
            api_key=self.api_key or KEYLESS_PLACEHOLDER,
            base_url=cfg.base_url,
            organization=cfg.organization,
            project=cfg.project,
            timeout=cfg.timeout_s,
            max_retries=cfg.max_retries,
            http_client=self._http_client,
        )

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
                    reason = availability.reason or f"the {self.name} backend is not configured"
                    message, _, hint = reason.partition(": ")
                    raise BackendUnavailableError(message, hint=hint or None)
                try:
                    self._client = self._build_client()
                except Exception as exc:  # the SDK raises OpenAIError/ValueError for bad config
                    raise self.translate(exc, "connect") from exc
            return self._client

    def translate(
        self,
        exc: Exception,
        action: str,
        *,
        model: str | None = None,
        job_id: str | None = None,
    ) -> AdvisorError:
        """This backend's :func:`translate_error` (secrets and endpoint filled in)."""
        if isinstance(exc, AdvisorError):
            return exc
        return translate_error(
            exc,
            backend=self.name,
            action=action,
            secrets=(self.api_key,),
            model=model,
            job_id=job_id,
            endpoint=self.endpoint,
        )

    def _expect(self, response: Any, field: str) -> None:
        """A server that is not OpenAI-compatible (e.g. an HTML page) parses as a string."""
        if not hasattr(response, field):
            raise BackendError(
                f"{self.endpoint} did not answer like an OpenAI-compatible server",
                hint="check the base_url setting (it usually ends in /v1)",
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
            field = "max_tokens" if self.uses_compatible_server else "max_completion_tokens"
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
        try:
            response = client.chat.completions.create(**self._request(messages, name, params))
        except Exception as exc:
            raise self.translate(exc, "chat", model=name) from exc
        latency = time.perf_counter() - start
        self._expect(response, "choices")
        if not response.choices:
            raise BackendError(f"{self.endpoint} returned no answer for model {name!r}")
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
            try:
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
            except Exception as exc:
                raise self.translate(exc, "chat", model=name) from exc
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
        try:
            response = client.embeddings.create(model=name, input=list(texts))
        except Exception as exc:
            raise self.translate(exc, "embed texts", model=name) from exc
        self._expect(response, "data")
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(texts):
            raise BackendError(
                f"{self.endpoint} returned {len(data)} embeddings for {len(texts)} texts"
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
        if not texts:
            return []
        import openai

        client = self.client
        try:
            response = client.moderations.create(input=list(texts))
        except openai.NotFoundError as exc:
            raise CapabilityError(
                f"{self.endpoint} has no moderation endpoint",
                hint="moderation needs api.openai.com",
            ) from exc
        except Exception as exc:
            raise self.translate(exc, "moderate texts") from exc
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
    """Azure OpenAI through the SDK's ``AzureOpenAI`` client; models are deployment names."""

    name = "azure"
    description = "Azure OpenAI (deployments as models) through the SDK's AzureOpenAI client."
    capabilities: ClassVar[Capabilities] = Capabilities(
        supports_streaming=True,
        supports_batch=True,
        supports_embeddings=True,
        supports_fine_tuning=True,
        fine_tuning_methods=METHODS,
        supports_moderation=False,  # Azure filters content itself; no moderation endpoint
    )
    waits_for_file_import: ClassVar[bool] = True

    @property
    def _section(self) -> OpenAISettings | AzureSettings:
        return self.settings.azure

    @property
    def endpoint(self) -> str:
        return self.settings.azure.endpoint or "Azure OpenAI"

    @property
    def uses_compatible_server(self) -> bool:
        return False

    def availability(self) -> Availability:
        if not self.api_key:
            return Availability(
                usable=False,
                reason=(
                    "no AZURE_OPENAI_API_KEY: set AZURE_OPENAI_API_KEY or choose --backend local"
                ),
            )
        if not self.settings.azure.endpoint:
            return Availability(
                usable=False,
                reason=(
                    "no Azure OpenAI endpoint: set AZURE_OPENAI_ENDPOINT "
                    "(https://<resource>.openai.azure.com)"
                ),
            )
        return Availability(usable=True)

    @property
    def default_model(self) -> str:
        # Azure addresses models by deployment; empty until one is configured.
        return self.settings.azure.deployment or ""

    @property
    def default_embedding_model(self) -> str | None:
        return self.settings.azure.embedding_deployment

    def resolve_model(self, model: str | None) -> str:
        name = model or self.settings.azure.deployment
        if not name:
            raise ConfigError(
                "no Azure deployment to chat with",
                hint="set ADVISOR_AZURE__DEPLOYMENT or pass --model <deployment>",
            )
        return name

    def resolve_embedding_model(self, model: str | None) -> str:
        name = model or self.settings.azure.embedding_deployment
        if not name:
            raise ConfigError(
                "no Azure embedding deployment",
                hint="set ADVISOR_AZURE__EMBEDDING_DEPLOYMENT",
            )
        return name

    def _build_client(self) -> OpenAI:
        import openai

        cfg = self.settings.azure
        return openai.AzureOpenAI(
            api_key=self.api_key,
            azure_endpoint=cfg.endpoint or "",
            api_version=cfg.api_version,
            timeout=cfg.timeout_s,
            max_retries=cfg.max_retries,
            http_client=self._http_client,
        )

    def moderate(self, texts: Sequence[str]) -> list[ModerationResult]:
        raise CapabilityError(
            "Azure OpenAI has no moderation endpoint (it filters content itself)",
            hint="use --backend openai for moderation",
        )
