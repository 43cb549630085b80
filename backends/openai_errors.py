"""Errors of the OpenAI-shaped backends, translated into :mod:`advisor.errors` at one boundary.

:func:`translating` is the one place a vendor exception becomes an advisor
error: every SDK call of the ``openai`` and ``azure`` backends and of their
fine-tuning service runs inside it.  Messages are scrubbed first, so neither a
key nor a partial echo of one ever reaches a log, a report or the terminal.
The product's sentence and hint come from the message catalog
(``advisor/messages_backends_openai.yaml``, English and Japanese); the
provider's own words stay a value (``{detail}``), never translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from advisor.errors import (
    AdvisorError,
    AuthenticationError,
    BackendConnectionError,
    BackendError,
    BackendRequestError,
    BackendUnavailableError,
    JobError,
    JobNotFoundError,
    ModelNotFoundError,
    RateLimitError,
)
from advisor.messages import Localized

# Refusals that read like the end of self-serve fine-tuning rather than a bad request.
_WIND_DOWN = re.compile(r"no longer|not available|new users|deprecat|sunset|wind", re.IGNORECASE)
# The English of core.openai.wind_down_hint, for callers that name the wind-down themselves.
WIND_DOWN_HINT = (
    "this account may no longer create fine-tuning jobs; Azure OpenAI (--backend azure) "
    "and --backend local can (see docs/backends.md, wind-down)"
)
# Anything shaped like a key, even a short masked echo such as "sk-ab***yz".
_KEY_PATTERN = re.compile(r"\b(sk|sess|key)-[A-Za-z0-9_*.\-…]{2,}")
#: A run of this many characters of a secret is a partial echo of it.
ECHO_MIN_CHARS = 6


def scrub(text: str, secrets: Sequence[str | None] = ()) -> str:
    """``text`` without API keys: the given secrets, any part of them, and key-shaped words.

    Providers echo keys in error messages, whole or in part ("Incorrect API key
    provided: sk-abc***xyz", "key ending in ...Q3xZ9a", the first half of an
    Azure key); none of that may reach logs or reports.
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "****")
    hidden = [False] * len(text)
    for secret in secrets:
        for start in range(max(0, len(secret or "") - ECHO_MIN_CHARS + 1)):
            piece = (secret or "")[start : start + ECHO_MIN_CHARS]
            found = text.find(piece)
            while found != -1:
                hidden[found : found + ECHO_MIN_CHARS] = [True] * ECHO_MIN_CHARS
                found = text.find(piece, found + 1)
    kept: list[str] = []
    for index, char in enumerate(text):
        if not hidden[index]:
            kept.append(char)
        elif index == 0 or not hidden[index - 1]:
            kept.append("****")
    return _KEY_PATTERN.sub(lambda m: m.group(1) + "-****", "".join(kept))


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


#: What a request was doing: a catalog phrase, or a plugin's plain English words.
Action = str | Localized


def doing(name: str, **values: str) -> Localized:
    """The phrase ``core.openai.action.<name>`` (e.g. ``doing("look_up_job", job=job_id)``).

    English where the message is English, Japanese inside a Japanese one.
    """
    return Localized(f"core.openai.action.{name}", values)


def translate_error(
    exc: Exception,
    *,
    backend: str,
    action: Action,
    secrets: Sequence[str | None] = (),
    model: str | None = None,
    job_id: str | None = None,
    endpoint: str | None = None,
) -> AdvisorError:
    """Map an exception from the openai SDK to the product's error hierarchy.

    ``action`` is a short phrase (``doing("chat")``, ``doing("create_job")``) used in
    the message; ``job_id`` marks job operations, whose refusals become
    :class:`JobError` and whose 404s become :class:`JobNotFoundError`.
    Unknown exceptions become :class:`BackendError`.  Every message comes from the
    catalog; the provider's own words are its ``{detail}`` value, scrubbed of keys.
    Call it as ``raise translate_error(exc, ...) from exc``.
    """

    key_var = "AZURE_OPENAI_API_KEY" if backend == "azure" else "OPENAI_API_KEY"
    detail = scrub(_provider_message(exc), secrets).rstrip(".")
    said = _Said(backend, action, detail, key_var, where=endpoint or backend)
    refused = _refused(exc, said, model=model, job_id=job_id)
    if refused is not None:
        return refused
    return _failed(exc, said, secrets, is_job=job_id is not None)


class _Said(NamedTuple):
    """The values every translated message may name."""

    backend: str
    action: Action
    detail: str
    key_var: str
    where: str

    def values(self) -> dict[str, Any]:
        return self._asdict()


def _refused(
    exc: Exception, said: _Said, *, model: str | None, job_id: str | None
) -> AdvisorError | None:
    """Keys, permissions, missing things and quotas; None for every other exception."""
    import openai

    is_job = job_id is not None
    values = said.values()
    if isinstance(exc, openai.AuthenticationError):
        # The provider's text may quote the key; say only what to do.
        return AuthenticationError.from_catalog(
            "core.openai.rejected_key", hint_key="core.openai.rejected_key_hint", **values
        )
    if isinstance(exc, openai.PermissionDeniedError):
        if is_job:
            return JobError.from_catalog(
                "core.openai.refused", hint_key="core.openai.wind_down_hint", **values
            )
        return AuthenticationError.from_catalog(
            "core.openai.refused", hint_key="core.openai.permissions_hint", **values
        )
    if isinstance(exc, openai.NotFoundError):
        if is_job and job_id:
            return JobNotFoundError.from_catalog(
                "core.openai.no_job", hint_key="core.openai.no_job_hint", job=repr(job_id), **values
            )
        if model:
            return ModelNotFoundError.from_catalog(
                "core.openai.no_model",
                hint_key="core.openai.no_model_hint",
                model=repr(model),
                **values,
            )
        return BackendRequestError.from_catalog("core.openai.could_not", **values)
    if isinstance(exc, openai.RateLimitError):
        if error_code(exc) == "insufficient_quota":
            return RateLimitError.from_catalog(
                "core.openai.no_quota", hint_key="core.openai.no_quota_hint", **values
            )
        return RateLimitError.from_catalog(
            "core.openai.rate_limited", hint_key="core.openai.rate_limited_hint", **values
        )
    return None


def _failed(
    exc: Exception, said: _Said, secrets: Sequence[str | None], *, is_job: bool
) -> AdvisorError:
    """Timeouts, connections, server errors, other refusals, and anything unknown."""
    import openai

    values = said.values()
    if isinstance(exc, openai.APITimeoutError):
        return BackendConnectionError.from_catalog(
            "core.openai.timeout", hint_key="core.openai.timeout_hint", **values
        )
    if isinstance(exc, openai.APIConnectionError):
        return BackendConnectionError.from_catalog(
            "core.openai.unreachable", hint_key="core.openai.unreachable_hint", **values
        )
    if isinstance(exc, openai.InternalServerError) or (
        isinstance(exc, openai.APIStatusError) and exc.status_code >= 500
    ):
        return BackendError.from_catalog(
            "core.openai.server_error", hint_key="core.openai.server_error_hint", **values
        )
    if isinstance(exc, openai.APIStatusError):  # 400, 409, 422 and other refusals
        if is_job:
            wind_down = "core.openai.wind_down_hint" if _WIND_DOWN.search(said.detail) else None
            return JobError.from_catalog("core.openai.refused", hint_key=wind_down, **values)
        return BackendRequestError.from_catalog("core.openai.refused", **values)
    if isinstance(exc, openai.APIResponseValidationError):
        return BackendError.from_catalog("core.openai.unexpected_response", **values)
    if isinstance(exc, openai.LengthFinishReasonError | openai.ContentFilterFinishReasonError):
        return BackendRequestError.from_catalog("core.openai.stopped", **values)
    # The SDK's own sentence, whole (not the provider's): a value, scrubbed like the rest.
    whole = said._replace(detail=scrub(str(exc), secrets)).values()
    if isinstance(exc, openai.OpenAIError):
        return BackendUnavailableError.from_catalog(
            "core.openai.not_configured", hint_key="core.openai.not_configured_hint", **whole
        )
    return BackendError.from_catalog("core.openai.failed", **whole)


@contextmanager
def translating(
    backend: str,
    action: Action,
    secrets: Sequence[str | None] = (),
    *,
    model: str | None = None,
    job_id: str | None = None,
    endpoint: str | None = None,
) -> Iterator[None]:
    """Run SDK calls; a vendor exception leaves as the matching advisor error.

    Advisor errors pass unchanged, so nested blocks translate once::

        with translating("openai", doing("chat"), secrets=(key,), model=name):
            response = client.chat.completions.create(...)
    """
    try:
        yield
    except AdvisorError:
        raise
    except Exception as exc:  # the boundary: every vendor failure becomes one of ours
        raise translate_error(
            exc,
            backend=backend,
            action=action,
            secrets=secrets,
            model=model,
            job_id=job_id,
            endpoint=endpoint,
        ) from exc
